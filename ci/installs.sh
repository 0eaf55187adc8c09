# Sourced by the CI scripts that install what they need: each install is
# noted as done or skipped (with why), so a run says which of its install
# paths it exercised. .ci/run collects the notes of every script in
# $CI_INSTALL_LOG and prints them at the end; a script run alone prints
# each note on stderr only.

# install_note did|skipped WHAT
install_note() {
  if [ -n "${CI_INSTALL_LOG:-}" ]; then echo "$1 $2" >>"$CI_INSTALL_LOG"; fi
  echo "-- install: $1 $2" >&2
}

APT_NEED=()

# apt_want PKG COMMAND...: PKG is to be installed unless COMMAND succeeds.
apt_want() {
  local pkg=$1
  shift
  if "$@" >/dev/null 2>&1; then
    install_note skipped "apt-get install $pkg (already on the machine)"
  else
    APT_NEED+=("$pkg")
  fi
}

# apt_install_wanted: installs what apt_want found missing, with sudo when
# not root.
apt_install_wanted() {
  [ ${#APT_NEED[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "no apt-get to install ${APT_NEED[*]}"
    return 1
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  echo "-- apt-get install ${APT_NEED[*]}"
  $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${APT_NEED[@]}" >/dev/null || return 1
  install_note did "apt-get install ${APT_NEED[*]}"
  APT_NEED=()
}

# static_busybox: /bin/busybox is the statically linked one the image needs.
static_busybox() {
  [ -x /bin/busybox ] && file -b /bin/busybox | grep -Eq 'static(ally|-pie) linked'
}

# pip_venv DIR PIP_SPEC...: a venv with these pinned packages, rebuilt only
# when the pins change (its .installed stamp).
pip_venv() {
  local dir=$1
  shift
  if [ -f "$dir/.installed" ] && [ "$(cat "$dir/.installed")" = "$*" ]; then
    install_note skipped "pip install $* (${dir#"$PWD"/} already has it)"
    return 0
  fi
  rm -rf "$dir"
  python3 -m venv "$dir" || return 1
  "$dir/bin/pip" install -q "$@" || return 1
  echo "$*" >"$dir/.installed"
  install_note did "pip install $* into ${dir#"$PWD"/}"
}
