//! The Singer tap binary: the library's Singer face as a process.

fn main() {
    source_gorgias::face::process::<source_gorgias::singer::Singer>()
}
