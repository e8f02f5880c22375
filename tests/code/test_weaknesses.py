"""The pattern facts (`CodeFacts.weaknesses`) of the Python and JavaScript analysers, and the rules reading them."""

from __future__ import annotations

from pathlib import Path

from fnaudit.findings import Severity
from fnaudit.model.code import Weakness
from tests.code.helpers import fn, run, write_app
from tests.code.javascript.helpers import node_app

RULES = ("CODE015", "CODE016", "CODE017", "CODE018", "CODE019")


def _weak(root: Path, name: str = "h") -> list[Weakness]:
    facts = fn(run(root, RULES), name).code_facts
    assert facts is not None
    return list(facts.weaknesses)


def _py(tmp_path: Path, code: str, event: str = "httpApi: GET /x") -> list[tuple[str, int, str, str]]:
    write_app(tmp_path, f"h:\n  handler: app.handler\n  events:\n    - {event}\n", {"app.py": code})
    return [(w.kind, w.loc.line, w.detail, w.confidence) for w in _weak(tmp_path)]


def _js(tmp_path: Path, code: str, name: str = "app.js") -> list[tuple[str, int, str, str]]:
    node_app(tmp_path, {name: code}, event="httpApi: GET /x")
    return [(w.kind, w.loc.line, w.detail, w.confidence) for w in _weak(tmp_path)]


# --- Python ---------------------------------------------------------------------------------------------------


def test_python_jwt_alias_import_is_resolved(tmp_path: Path) -> None:
    got = _py(
        tmp_path,
        """\
        import jwt as pyjwt

        def handler(event, context):
            claims = pyjwt.decode(event["headers"]["authorization"], options={"verify_signature": False})
            return {"statusCode": 200, "body": claims["sub"]}
        """,
    )
    assert got == [
        ("jwt", 4, "pyjwt.decode() with options={'verify_signature': False}: the signature is not checked", "high")
    ]


def test_python_verified_and_key_picking_decodes_are_quiet(tmp_path: Path) -> None:
    got = _py(
        tmp_path,
        """\
        import jwt

        def handler(event, context):
            token = event["headers"]["authorization"]
            iss = jwt.decode(token, options={"verify_signature": False})["iss"]
            claims = jwt.decode(token, KEYS[iss], algorithms=["RS256"])
            jwt.decode(token, options={"verify_signature": False})
            return {"statusCode": 200, "body": claims["sub"]}
        """,
    )
    assert got == []


def test_python_unpinned_algorithms_is_medium_confidence(tmp_path: Path) -> None:
    got = _py(
        tmp_path,
        """\
        from jose import jwt

        def handler(event, context):
            return jwt.decode(event["headers"]["authorization"], KEY)["sub"]
        """,
    )
    assert got == [
        ("jwt", 4, "jwt.decode() without algorithms=[...]: the token's header chooses the algorithm", "medium")
    ]


def test_python_weakness_in_unreached_function_is_left_out(tmp_path: Path) -> None:
    got = _py(
        tmp_path,
        """\
        import requests

        def handler(event, context):
            return requests.get(URL, timeout=5).status_code

        def other_entry_point(event, context):
            return requests.get(URL, verify=False).status_code
        """,
    )
    assert got == []


def test_python_tls_off_to_local_host_is_quiet_and_remote_is_not(tmp_path: Path) -> None:
    got = _py(
        tmp_path,
        """\
        import pymysql

        def handler(event, context):
            a = pymysql.connect(host="localhost", ssl=False)
            b = pymysql.connect(host=HOST, ssl=False)
            return a, b
        """,
    )
    assert got == [("transport", 5, "pymysql.connect(ssl=False): TLS is off or not verified", "high")]


def test_python_salted_sha256_is_quiet_but_salted_md5_is_not(tmp_path: Path) -> None:
    got = _py(
        tmp_path,
        """\
        import hashlib

        def handler(event, context):
            password = event["body"]
            a = hashlib.sha256(salt + password.encode()).hexdigest()
            b = hashlib.md5(salt + password.encode()).hexdigest()
            return a, b
        """,
    )
    assert got == [("password", 6, "password `password` hashed with md5, a fast broken hash", "high")]


def test_python_authorizer_claims_are_trusted_headers_are_not(tmp_path: Path) -> None:
    got = _py(
        tmp_path,
        """\
        def handler(event, context):
            claims = event["requestContext"]["authorizer"]["claims"]
            if claims["custom:role"] == "admin":
                return 1
            headers = event.get("headers") or {}
            if headers.get("X-Role", "").lower() == "admin":
                return 2
            return 3
        """,
    )
    assert got == [
        (
            "authz",
            6,
            "authorization decided by the request header `X-Role` compared to 'admin': the caller chooses it",
            "high",
        )
    ]


def test_python_cors_allowlist_is_quiet_and_reflection_sets_credentials(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        "h:\n  handler: app.handler\n  events:\n    - httpApi: GET /x\n"
        "g:\n  handler: app.checked\n  events:\n    - httpApi: GET /y\n",
        {
            "app.py": """\
            def handler(event, context):
                h = {"Access-Control-Allow-Origin": event["headers"]["origin"]}
                h["Access-Control-Allow-Credentials"] = "true"
                return {"statusCode": 200, "headers": h}

            def checked(event, context):
                origin = event["headers"]["origin"]
                if not origin.endswith(".example.com"):
                    origin = "https://example.com"
                return {"statusCode": 200, "headers": {"Access-Control-Allow-Origin": origin}}
            """
        },
    )
    weak = _weak(tmp_path)
    assert [(w.kind, w.loc.line, w.credentials) for w in weak] == [("cors", 2, True)]
    assert _weak(tmp_path, "g") == []
    hits = [(f.rule_id, f.location.line, f.severity) for f in run(tmp_path, ("CODE019",)).findings]
    assert hits == [("CODE019", 2, Severity.HIGH)]


def test_jwt_severity_is_lower_behind_an_authorizer(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        """\
        open:
          handler: app.handler
          events:
            - httpApi: GET /open
        guarded:
          handler: app.handler
          events:
            - http:
                path: /guarded
                method: get
                authorizer: aws_iam
        """,
        {
            "app.py": """\
            import jwt

            def handler(event, context):
                return jwt.decode(event["headers"]["authorization"], options={"verify_signature": False})["sub"]
            """
        },
    )
    result = run(tmp_path, ("CODE015",))
    hits = sorted((f.function or "", f.location.line, f.severity) for f in result.findings)
    assert hits == [("guarded", 4, Severity.MEDIUM), ("open", 4, Severity.HIGH)]
    assert sorted(f.message for f in result.findings if f.function == "open") == [
        "function open: line 4: jwt.decode() with options={'verify_signature': False}: the signature is not checked "
        "(httpApi GET /open, public with no authorizer)"
    ]


# --- JavaScript / TypeScript ------------------------------------------------------------------------------------


def test_js_require_inside_function_and_unused_decode(tmp_path: Path) -> None:
    got = _js(
        tmp_path,
        """\
        exports.handler = async (event) => {
          const jwt = require("jsonwebtoken");
          jwt.decode(event.headers.authorization);
          const claims = jwt.decode(event.headers.authorization);
          return { statusCode: 200, body: claims.sub };
        };
        """,
    )
    assert got == [("jwt", 4, "jwt.decode() reads the token's claims without verifying its signature", "high")]


def test_js_destructured_origin_and_allowlist(tmp_path: Path) -> None:
    got = _js(
        tmp_path,
        """\
        const ALLOWED = ["https://app.example.com"];
        exports.handler = async (event) => {
          const { origin } = event.headers;
          const ok = ALLOWED.includes(origin);
          return { statusCode: 200, headers: { "Access-Control-Allow-Origin": ok ? origin : ALLOWED[0] } };
        };
        exports.other = async (event) => {
          const { origin } = event.headers;
          return { statusCode: 200, headers: { "access-control-allow-origin": origin } };
        };
        """,
    )
    assert got == []  # `other` is another entry point: not reached from this function's handler
    node_app(
        tmp_path,
        {},
        functions="h:\n  handler: app.other\n  runtime: nodejs22.x\n  events:\n    - httpApi: GET /x\n",
    )
    assert [(w.kind, w.loc.line) for w in _weak(tmp_path)] == [("cors", 9)]


def test_typescript_header_compare_on_typed_event_parameter(tmp_path: Path) -> None:
    got = _js(
        tmp_path,
        """\
        import type { APIGatewayProxyEventV2 } from "aws-lambda";

        export const handler = async (evt: APIGatewayProxyEventV2) => {
          if (evt.headers["x-user-role"] === "admin") {
            return { statusCode: 200 };
          }
          return { statusCode: 403 };
        };
        """,
        name="app.ts",
    )
    assert got == [
        (
            "authz",
            4,
            "authorization decided by the request header `x-user-role` compared to 'admin': the caller chooses it",
            "high",
        )
    ]


def test_js_tls_env_number_and_password_confirmation(tmp_path: Path) -> None:
    got = _js(
        tmp_path,
        """\
        process.env["NODE_TLS_REJECT_UNAUTHORIZED"] = 0;
        exports.handler = async (event) => {
          const { password, confirmPassword } = JSON.parse(event.body);
          return { statusCode: password === confirmPassword ? 200 : 400 };
        };
        """,
    )
    assert got == [
        ("transport", 1, "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0': no certificate is verified", "high")
    ]


def test_iac_environment_node_tls_is_reported_on_its_line(tmp_path: Path) -> None:
    node_app(
        tmp_path,
        {"app.js": "exports.handler = async () => ({ statusCode: 200 });\n"},
        environment='    NODE_TLS_REJECT_UNAUTHORIZED: "0"\n',
    )
    hits = [(f.rule_id, f.location.path, f.location.line) for f in run(tmp_path, ("CODE016",)).findings]
    assert hits == [("CODE016", "serverless.yml", 12)]


def test_python_lowercased_headers_dict_keeps_the_origin(tmp_path: Path) -> None:
    got = _py(
        tmp_path,
        """\
        def handler(event, context):
            headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
            return {"statusCode": 200, "headers": {"Access-Control-Allow-Origin": headers.get("origin", "*")}}
        """,
    )
    assert got == [
        (
            "cors",
            3,
            "Access-Control-Allow-Origin set to the request's Origin header without an allowlist check",
            "high",
        )
    ]


def test_python_docstring_mentioning_sslmode_is_not_a_connection_string(tmp_path: Path) -> None:
    got = _py(
        tmp_path,
        '''\
        """Connects with sslmode=require; never sslmode=disable."""

        def handler(event, context):
            return "postgres://db.example.com/app?sslmode=disable"
        ''',
    )
    assert got == [
        ("transport", 4, "database connection string with sslmode=disable: the connection is not encrypted", "high")
    ]


def test_unclaimed_script_weakness_is_reported_without_a_function(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        "h:\n  handler: src/app.handler\n  events:\n    - httpApi: GET /x\n",
        {
            "src/app.py": "def handler(event, context):\n    return {'statusCode': 200}\n",
            "scripts/sync.py": """\
            import requests

            def handler(event, context):
                return requests.get(event["url"], verify=False).text
            """,
        },
    )
    findings = run(tmp_path, ("CODE016",)).findings
    assert [(f.location.path, f.location.line, f.function, f.attribution, f.severity) for f in findings] == [
        ("scripts/sync.py", 4, None, "unclaimed", Severity.LOW)
    ]


def test_js_mysql_without_ssl_is_judged_only_when_the_options_are_all_there(tmp_path: Path) -> None:
    got = _js(
        tmp_path,
        """\
        const mysql = require("mysql2/promise");
        exports.handler = async () => {
          const a = mysql.createPool({ ...require("./db.json"), host: process.env.DB_HOST });
          const b = mysql.createConnection({ host: "127.0.0.1", user: "app" });
          const c = mysql.createConnection({ host: process.env.DB_HOST, user: "app" });
          return [a, b, c];
        };
        """,
    )
    assert got == [
        (
            "transport",
            5,
            "mysql.createConnection() to a remote host without ssl: the MySQL connection is not encrypted",
            "medium",
        )
    ]


def test_python_jwt_options_through_a_module_constant(tmp_path: Path) -> None:
    got = _py(
        tmp_path,
        """\
        import jwt

        NO_CHECK = {"verify_signature": False, "verify_exp": False}

        def handler(event, context):
            return jwt.decode(event["headers"]["authorization"], options=NO_CHECK)["sub"]
        """,
    )
    assert got == [
        ("jwt", 6, "jwt.decode() with options={'verify_signature': False}: the signature is not checked", "high")
    ]


def test_cors_preflight_and_paging_headers_are_not_authorization(tmp_path: Path) -> None:
    got = _py(
        tmp_path,
        """\
        def handler(event, context):
            headers = event["headers"]
            if headers.get("access-control-request-method") == "POST":
                return {"statusCode": 204}
            if (event.get("queryStringParameters") or {}).get("page") == "1":
                return {"statusCode": 200, "body": "first"}
            if headers.get("x-user-group") == "ops":
                return {"statusCode": 200, "body": "ops"}
            return {"statusCode": 200}
        """,
    )
    assert got == [
        (
            "authz",
            7,
            "authorization decided by the request header `x-user-group` compared to 'ops': the caller chooses it",
            "high",
        )
    ]


def test_python_powertools_route_reads_the_current_event(tmp_path: Path) -> None:
    got = _py(
        tmp_path,
        """\
        from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

        app = APIGatewayHttpResolver()

        @app.delete("/users/<user_id>")
        def delete_user(user_id):
            if app.current_event.get_header_value("x-role") != "admin":
                return {"status": "forbidden"}
            return {"deleted": user_id}

        def handler(event, context):
            return app.resolve(event, context)
        """,
    )
    assert got == [
        (
            "authz",
            7,
            "authorization decided by the request header `x-role` compared to 'admin': the caller chooses it",
            "high",
        )
    ]
