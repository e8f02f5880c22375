"""Authentication done in code (`AuthCheck`, `Route.auth`) lowers and explains AUTH001 / AUTH004 findings.

The fixture apps under tests/rules/fixtures/AUTH001|AUTH004/bad/code-auth* and flask-* carry the exact
severities; these tests pin the messages, the traces and the extractors' decisions one shape at a time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit.config import Config
from fnaudit.engines.code.files import FileCache
from fnaudit.engines.code.javascript import authcheck as js_authcheck
from fnaudit.engines.code.javascript.modules import JsModuleGraph
from fnaudit.engines.code.python import authcheck as py_authcheck
from fnaudit.engines.code.python.modules import ModuleGraph
from fnaudit.findings import Finding, Severity
from fnaudit.loaders.archives import Artifacts
from fnaudit.pipeline import scan
from tests.conftest import SCAN_DATE

FIXTURES = Path(__file__).parent / "fixtures"


def _findings(folder: Path, code: str) -> dict[str, Finding]:
    result = scan(folder, Config(select=(code,), today=SCAN_DATE))
    assert result.errors == ()
    return {f.function or "": f for f in result.findings}


def _py_checks(tmp_path: Path, source: str) -> list[tuple[int, str, str, str]]:
    (tmp_path / "h.py").write_text(source, encoding="utf-8")
    with Artifacts(tmp_path) as artifacts:
        graph = ModuleGraph(FileCache(tmp_path, artifacts))
        module = graph.load(tmp_path / "h.py", tmp_path)
        assert module is not None
        found = py_authcheck.extract(graph.closure(module, tmp_path))
    return [(c.loc.line, c.kind, c.detail, c.confidence) for c in found]


def _js_checks(tmp_path: Path, source: str) -> list[tuple[int, str, str, str]]:
    (tmp_path / "h.js").write_text(source, encoding="utf-8")
    with Artifacts(tmp_path) as artifacts:
        graph = JsModuleGraph(FileCache(tmp_path, artifacts))
        module = graph.load(tmp_path / "h.js")
        assert module is not None
        found = js_authcheck.extract(graph.closure(module, tmp_path))
    return [(c.loc.line, c.kind, c.detail, c.confidence) for c in found]


_TAIL = ": reported one level lower (an authorizer would stop callers before the function runs)"


def test_python_handlers_that_authenticate_are_one_level_lower_and_name_the_check() -> None:
    found = _findings(FIXTURES / "AUTH001" / "bad" / "code-auth-py", "AUTH001")
    lowered = {
        "github": "hmac.compare_digest() checks the `x-hub-signature-256` header against an HMAC of the request "
        "at github.py:12",
        "githubHelper": "hmac.compare_digest() checks the `X-Hub-Signature-256` header against an HMAC of the "
        "request at github_helper.py:8",
        "stripe": "stripe.Webhook.construct_event() verifies the Stripe-Signature header at stripe_hook.py:8",
        "slack": "verifier.is_valid_request() verifies the Slack request signature at slack_hook.py:9",
        "profile": "jwt.decode() verifies the request's token with a key at profile.py:8",
        "plainCompare": "`!=` checks the `X-Signature` header against an HMAC of the request (not a constant-time "
        "comparison) at plain_compare.py:9",
    }
    for name, check in lowered.items():
        f = found[name]
        assert f.severity is Severity.MEDIUM, name
        assert f.message.endswith(f"no authorizer; the code authenticates callers ({check}){_TAIL}"), f.message
        assert f.evidence.endswith(" auth=code")
        assert [(str(t.loc), t.note) for t in f.trace] == [(check.rsplit(" at ", 1)[1], check.rsplit(" at ", 1)[0])]
    # the traps: an unverified decode, a mismatch only logged, a swallowed error, a check the handler never runs,
    # a token verified only when the header is present
    for name in ("unverified", "logOnly", "swallowed", "deadCheck", "optionalToken"):
        f = found[name]
        assert (f.severity, f.trace) == (Severity.HIGH, ()), name
        assert f.message.endswith("with no authorizer; anyone can call it"), f.message


def test_node_handlers_that_authenticate_are_one_level_lower_and_name_the_check() -> None:
    found = _findings(FIXTURES / "AUTH001" / "bad" / "code-auth-js", "AUTH001")
    lowered = {
        "stripe": "stripe.webhooks.constructEvent() verifies the Stripe-Signature header at stripe.js:6",
        "github": "crypto.timingSafeEqual() checks the `x-hub-signature-256` header against an HMAC of the request "
        "at github.js:5",
        "octokit": "webhooks.verify() verifies the GitHub webhook signature at octokit.js:6",
        "me": "jwt.verify() verifies the request's token with a key at me.ts:6",
        "cognito": "verifier.verify() (aws-jwt-verify) verifies the request's token at cognito.js:10",
        "joseToken": "jwtVerify() verifies the request's token with a key at jose-token.mjs:6",
        "plain": "`!==` checks the `x-signature` header against an HMAC of the request (not a constant-time "
        "comparison) at plain.js:6",
    }
    for name, check in lowered.items():
        f = found[name]
        assert f.severity is Severity.MEDIUM, name
        assert f.message.endswith(f"; the code authenticates callers ({check}){_TAIL}"), f.message
    for name in ("decoded", "ignored", "computedOnly", "optionalToken"):
        assert (found[name].severity, found[name].trace) == (Severity.HIGH, ()), name


def test_a_flask_app_whose_every_route_requires_login_is_one_level_lower() -> None:
    f = _findings(FIXTURES / "AUTH001" / "bad" / "flask-all-login", "AUTH001")["web"]
    assert (f.severity, f.location.path, f.location.line) == (Severity.MEDIUM, "serverless.yml", 21)
    assert f.message == (
        "function web: public route api ANY /{proxy+} invokes the function with no authorizer; all 3 routes it "
        f"serves require authentication in code (flask_login.login_required){_TAIL}"
    )
    assert [(str(t.loc), t.note) for t in f.trace] == [
        ("app.py:10", "route GET /orders requires flask_login.login_required"),
        ("app.py:16", "route DELETE /orders/<int:order_id> requires flask_login.login_required"),
        ("shop/reports.py:7", "route GET /reports/daily requires flask_login.login_required"),
    ]


def test_a_flask_app_with_one_open_route_stays_high_and_lists_that_route() -> None:
    f = _findings(FIXTURES / "AUTH001" / "bad" / "flask-one-open", "AUTH001")["web"]
    assert (f.severity, f.location.line) == (Severity.HIGH, 20)
    assert f.message == (
        "function web: public route api ANY /{proxy+} invokes the function with no authorizer; anyone can call it; "
        "1 of its 2 routes declares no authentication in code: POST /export (app.py:13)"
    )
    assert [(str(t.loc), t.note) for t in f.trace] == [("app.py:13", "route POST /export declares no authentication")]
    assert not f.evidence.endswith("auth=code")


def test_an_api_key_route_whose_code_verifies_a_signature_is_low() -> None:
    found = _findings(FIXTURES / "AUTH004" / "bad" / "code-auth", "AUTH004")
    hook, orders = found["partnerHook"], found["partnerOrders"]
    assert hook.severity is Severity.LOW
    assert hook.message == (
        "function partnerHook: public route api POST /partner/hook is protected only by an API key; an API key "
        "identifies a client, it does not authenticate a caller; the code authenticates callers "
        "(hmac.compare_digest() checks the `X-Partner-Signature` header against an HMAC of the request at hook.py:9)"
        ": reported one level lower"
    )
    assert hook.evidence == "api POST /partner/hook authorizer=api_key api_key=required auth=code"
    assert (orders.severity, orders.trace) == (Severity.MEDIUM, ())


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "import jwt\n\ndef handler(event, context):\n"
            "    return jwt.decode(event['headers']['authorization'], 'k')\n",
            [],
            id="jwt-without-algorithms",
        ),
        pytest.param(
            "import jwt\n\ndef handler(event, context):\n"
            "    return jwt.decode(event['headers']['authorization'], KEY, algorithms=['HS256', 'none'])\n",
            [],
            id="jwt-accepting-none",
        ),
        pytest.param(
            "import jwt\n\ndef handler(event, context):\n"
            "    return jwt.decode(event['headers']['authorization'], KEY, algorithms=['HS256'], verify=False)\n",
            [],
            id="jwt-verify-false",
        ),
        pytest.param(
            "import jwt\n\ndef handler(event, context):\n"
            "    return jwt.decode(SELF_ISSUED, KEY, algorithms=['HS256'])\n",
            [],
            id="jwt-not-from-the-request",
        ),
        pytest.param(
            "import hmac, hashlib\n\ndef handler(event, context):\n"
            "    ok = hmac.compare_digest(hmac.new(K, event['body'].encode(), hashlib.sha256).hexdigest(),\n"
            "                             event['headers']['x-signature'])\n"
            "    if ok is False:\n        return {'statusCode': 401}\n    return {'statusCode': 200}\n",
            [
                (
                    4,
                    "hmac",
                    "hmac.compare_digest() checks the `x-signature` header against an HMAC of the request",
                    "high",
                )
            ],
            id="hmac-result-tested-later",
        ),
        pytest.param(
            "import hmac\n\ndef handler(event, context):\n"
            "    if not hmac.compare_digest(event['headers']['x-token'], STATIC_TOKEN):\n        return 401\n",
            [],
            id="static-token-is-not-an-hmac",
        ),
        pytest.param(
            "import hmac, hashlib\n\ndef handler(event, context):\n"
            "    mac = hmac.new(K, event['body'].encode(), hashlib.sha256).hexdigest()\n"
            "    if hmac.compare_digest(mac, event['headers']['x-signature']):\n"
            "        return {'statusCode': 200}\n    return {'statusCode': 401}\n",
            [
                (
                    5,
                    "hmac",
                    "hmac.compare_digest() checks the `x-signature` header against an HMAC of the request",
                    "high",
                )
            ],
            id="hmac-passing-branch-returns-early",
        ),
        pytest.param(
            "import hmac, hashlib\n\ndef handler(event, context):\n"
            "    mac = hmac.new(K, event['body'].encode(), hashlib.sha256).hexdigest()\n"
            "    if hmac.compare_digest(mac, event['headers']['x-signature']):\n"
            "        audit()\n    return {'statusCode': 200}\n",
            [],
            id="hmac-passing-branch-only-audits",
        ),
        pytest.param(
            "import hmac, hashlib\n\ndef handler(event, context):\n"
            "    sig = event['headers'].get('x-signature')\n"
            "    if sig:\n"
            "        if not hmac.compare_digest(hmac.new(K, event['body'], hashlib.sha256).hexdigest(), sig):\n"
            "            return {'statusCode': 401}\n    return {'statusCode': 200}\n",
            [],
            id="hmac-checked-only-when-signed",
        ),
        pytest.param(
            "import jwt\n\ndef handler(event, context):\n"
            "    if 'authorization' not in event['headers']:\n        return {'statusCode': 401}\n"
            "    else:\n        claims = jwt.decode(event['headers']['authorization'], K, algorithms=['HS256'])\n",
            [(7, "jwt", "jwt.decode() verifies the request's token with a key", "high")],
            id="jwt-in-the-else-of-a-rejection",
        ),
    ],
)
def test_python_extractor_decisions(tmp_path: Path, source: str, expected: list[tuple[int, str, str, str]]) -> None:
    assert _py_checks(tmp_path, source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "const jwt = require('jsonwebtoken');\n"
            "exports.handler = (event, ctx, cb) => {\n"
            "  jwt.verify(event.headers.authorization, KEY, {}, (err, claims) => {\n"
            "    if (err) { return cb(null, { statusCode: 401 }); }\n"
            "    cb(null, { statusCode: 200 });\n  });\n};\n",
            [(3, "jwt", "jwt.verify() verifies the request's token with a key", "high")],
            id="verify-callback-that-returns",
        ),
        pytest.param(
            "const jwt = require('jsonwebtoken');\n"
            "exports.handler = (event, ctx, cb) => {\n"
            "  jwt.verify(event.headers.authorization, KEY, {}, (err, claims) => { cb(null, { statusCode: 200 }); });\n"
            "};\n",
            [],
            id="verify-callback-that-ignores-the-error",
        ),
        pytest.param(
            "const jwt = require('jsonwebtoken');\n"
            "exports.handler = async (event) => {\n"
            "  return jwt.verify(event.headers.authorization, KEY, { algorithms: ['none'] });\n};\n",
            [],
            id="verify-accepting-none",
        ),
        pytest.param(
            "const crypto = require('crypto');\n"
            "exports.handler = async (event) => {\n"
            "  const mac = crypto.createHmac('sha256', KEY).update(event.body).digest('hex');\n"
            "  const ok = crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(event.headers['x-signature']));\n"
            "  if (ok === false) throw new Error('bad signature');\n  return { statusCode: 200 };\n};\n",
            [
                (
                    4,
                    "hmac",
                    "crypto.timingSafeEqual() checks the `x-signature` header against an HMAC of the request",
                    "high",
                )
            ],
            id="timing-safe-result-tested-later",
        ),
    ],
)
def test_javascript_extractor_decisions(tmp_path: Path, source: str, expected: list[tuple[int, str, str, str]]) -> None:
    assert _js_checks(tmp_path, source) == expected


def test_an_express_app_whose_every_route_runs_an_auth_middleware_is_one_level_lower() -> None:
    f = _findings(FIXTURES / "AUTH001" / "bad" / "express-all-auth", "AUTH001")["api"]
    assert (f.severity, f.location.path, f.location.line) == (Severity.MEDIUM, "serverless.yml", 12)
    assert f.message == (
        "function api: public route httpApi ANY * invokes the function with no authorizer; both routes it serves "
        f"require authentication in code (passport.authenticate){_TAIL}"
    )
    assert [(str(t.loc), t.note) for t in f.trace] == [
        ("src/app.js:7", "route GET /accounts requires passport.authenticate"),
        ("src/app.js:9", "route POST /accounts/:id/close requires passport.authenticate"),
    ]


def test_a_chalice_route_with_its_own_trigger_names_only_that_route() -> None:
    f = _findings(FIXTURES / "_shared" / "chalice-inventory", "AUTH001")["inventory-dev"]
    assert (f.severity, f.location.path, f.location.line) == (Severity.HIGH, "app.py", 26)
    assert f.message == (
        "function inventory-dev: public route api GET /items/search invokes the function with no authorizer; anyone "
        "can call it; its route's code declares no authentication either: GET /items/search (app.py:26)"
    )
