#!/usr/bin/env python3
"""Loads the connector's SPEC message with Airbyte's own protocol models, as
the platform and the CDK read it, and checks its `advanced_auth`:

    python ci/spec_models_check.py SPEC_OUTPUT_FILE

Run with the python of a venv that has them: airbyte-cdk's (its serializer,
over airbyte-protocol-models-dataclasses) or PyAirbyte's
(airbyte-protocol-models-pdv2, pydantic). Checks that the message parses
into the models' classes (an unknown `auth_flow_type`, a missing
`consent_url` or a mistyped field is refused), that the connection
specification is a valid draft-07 JSON Schema, and that every
`path_in_connector_config` of the OAuth flow names a field of the
specification (`predicate_key` in every credentials variant, the flow's
outputs in the OAuth one). Prints PASS/FAIL lines; exits 1 on a FAIL.
"""

import json
import sys

failures = []


def check(name, ok, detail=""):
    print(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)
    if not ok:
        failures.append(name)


def load_with_models(message):
    """The spec parsed by whichever protocol models this venv has."""
    try:
        from airbyte_cdk.models import AirbyteMessageSerializer  # airbyte-cdk 6+

        return "airbyte-cdk's AirbyteMessageSerializer", AirbyteMessageSerializer.load(message).spec
    except ImportError:
        from airbyte_protocol.models import AirbyteMessage  # pydantic models

        return "airbyte_protocol.models (pydantic)", AirbyteMessage.model_validate(message).spec


def resolve(schema, path):
    """Every property the path reaches, looking into oneOf variants."""
    nodes = [schema]
    for key in path:
        found = []
        for node in nodes:
            if key in node.get("properties", {}):
                found.append(node["properties"][key])
            for variant in node.get("oneOf", []):
                if key in variant.get("properties", {}):
                    found.append(variant["properties"][key])
        nodes = found
    return nodes


def main(argv):
    lines = [json.loads(l) for l in open(argv[0], encoding="utf-8") if l.strip()]
    (message,) = [m for m in lines if m.get("type") == "SPEC"]
    try:
        models, spec = load_with_models(message)
    except Exception as e:  # noqa: BLE001 - any refusal is a FAIL line
        check("spec parses into the protocol models", False, f"{type(e).__name__}: {e}")
        return 1
    auth = spec.advanced_auth
    check(f"spec parses into {models}", auth is not None, "with advanced_auth")
    if auth is None:
        return 1
    flow = getattr(auth.auth_flow_type, "value", auth.auth_flow_type)
    check("advanced_auth.auth_flow_type is oauth2.0", flow == "oauth2.0", str(flow))
    connector_input = auth.oauth_config_specification.oauth_connector_input_specification
    check(
        "declarative OAuth: consent and token URLs on the account's Gorgias host",
        connector_input is not None
        and connector_input.consent_url.startswith("https://{{domain}}.gorgias.com/oauth/authorize?")
        and connector_input.access_token_url == "https://{{domain}}.gorgias.com/oauth/token",
    )

    try:
        import jsonschema

        jsonschema.Draft7Validator.check_schema(spec.connectionSpecification)
        check("connectionSpecification is a valid draft-07 schema", True)
    except ImportError:
        print("SKIP draft-07 check: no jsonschema in this venv", flush=True)
    except Exception as e:  # noqa: BLE001
        check("connectionSpecification is a valid draft-07 schema", False, str(e))

    conn = spec.connectionSpecification
    raw = message["spec"]["advanced_auth"]
    check(
        "predicate_key names credentials.auth_type in every variant",
        len(resolve(conn, raw["predicate_key"])) == len(conn["properties"]["credentials"]["oneOf"]),
    )
    oauth = raw["oauth_config_specification"]
    for part in (
        "oauth_user_input_from_connector_config_specification",
        "complete_oauth_output_specification",
        "complete_oauth_server_output_specification",
    ):
        for name, prop in oauth[part]["properties"].items():
            path = prop["path_in_connector_config"]
            check(f"{part}.{name} lands in {'.'.join(path)}", len(resolve(conn, path)) == 1)
    print(f"{'FAIL' if failures else 'PASS'} spec models: {len(failures)} failed check(s)", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
