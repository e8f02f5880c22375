"""Issue 22: SSRF and open redirects only when the event controls the scheme or the host.

A URL built from a constant that already fixes scheme and host leaves the caller only the path or
the query: not an SSRF, not an open redirect. Every other sink still sees the value.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit.engines.code import urlprefix
from tests.code.helpers import fn, run, write_app
from tests.code.javascript.helpers import node_app

_HOST = urlprefix.HOST_KINDS
_REDIRECT = urlprefix.REDIRECT_ONLY
_NONE = urlprefix.NOTHING


@pytest.mark.parametrize(
    ("prefix", "kinds"),
    [
        ("https://api.example.com/", _HOST),
        ("https://api.example.com/items/", _HOST),
        ("https://api.example.com?q=", _HOST),
        ("https://api.example.com#", _HOST),
        ("http://user@api.example.com:8443/v1/", _HOST),
        ("//api.example.com/", _HOST),
        ("/app/", _REDIRECT),
        ("/login?next=", _REDIRECT),
        ("/a", _REDIRECT),
        # the host is still open: `.evil.com`, `@evil.com`, `80@evil.com`, `evil.com` finish it
        ("https://", _NONE),
        ("https://api.", _NONE),
        ("https://api.example.com", _NONE),
        ("https://api.example.com:", _NONE),
        ("https:///", _NONE),
        ("https://%s/", _NONE),
        ("https://{}/", _NONE),
        ("https://${", _NONE),
        ("https://api.example.com\\", _NONE),
        # a relative target the caller turns into `//evil.com` (or `/\evil.com`, `/\t/evil.com`)
        ("/", _NONE),
        ("//", _NONE),
        ("/\\", _NONE),
        ("/\t", _NONE),
        ("", _NONE),
        (None, _NONE),
        ("api.example.com/", _NONE),
    ],
)
def test_cleared_kinds(prefix: str | None, kinds: frozenset[str]) -> None:
    assert urlprefix.cleared_kinds(prefix) == kinds


@pytest.mark.parametrize(
    ("reference", "base", "kinds"),
    [
        ("/items/", ("https://api.example.com", True), _HOST),
        ("/items/", ("https://api.example.com", False), _NONE),  # `"https://api.example.com" + x`
        ("https://api.example.com/", ("", False), _HOST),
        ("", ("https://api.example.com/", True), _NONE),  # the reference may be `//evil.com`
        ("/", ("https://api.example.com/", True), _NONE),
        ("/items/", ("https://", True), _NONE),
        ("/items/", ("", False), _NONE),
    ],
)
def test_resolved_against(reference: str, base: tuple[str, bool], kinds: frozenset[str]) -> None:
    assert urlprefix.resolved_against(reference, *base) == kinds


def test_format_prefix() -> None:
    assert urlprefix.format_prefix("https://h/%s/%d", "%") == "https://h/"
    assert urlprefix.format_prefix("https://%s/", "%") == "https://"
    assert urlprefix.format_prefix("100%%/{x}", "%") == "100%/{x}"
    assert urlprefix.format_prefix("https://{{h}}/{}", "{") == "https://{h}/"


# -- Python: every shape once, the SSRF, redirect and shell sinks on fixed lines -------------------

_PY = """\
import subprocess
from urllib.parse import urljoin

import requests

BASE = "https://api.example.com/"
HOST_ONLY = "https://api.example.com"
SCHEME = "https://"


def handler(event, context):
    x = event["queryStringParameters"]["x"]
    url = {expr}
    requests.get(url, timeout=5)
    subprocess.run(url, shell=True)
    return {{"statusCode": 302, "headers": {{"Location": url}}}}
"""
_SSRF, _CMD, _REDIR = ("ssrf", 14), ("command", 15), ("redirect", 16)


def _py_flows(tmp_path: Path, expr: str) -> list[tuple[str, int]]:
    fns = "h:\n  handler: app.handler\n  events:\n    - httpApi: GET /x\n"
    facts = fn(run(write_app(tmp_path, fns, {"app.py": _PY.format(expr=expr)})), "h").code_facts
    assert facts is not None
    return sorted((f.sink.kind, f.sink.loc.line) for f in facts.flows)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # fixed scheme and host: only the shell sink is left
        ('"https://api.example.com/items/" + x', [_CMD]),
        ('f"https://api.example.com/items/{x}"', [_CMD]),
        ('"https://api.example.com/items/%s" % x', [_CMD]),
        ('"https://api.example.com/items/{}".format(x)', [_CMD]),
        ('"https://api.example.com/items/{item}".format(item=x)', [_CMD]),
        ('"https://api.example.com/search?q=" + x', [_CMD]),
        ('"https://api.example.com?q=" + x', [_CMD]),
        ('"//api.example.com/" + x', [_CMD]),
        ('"/".join(["https://api.example.com", x])', [_CMD]),
        ("BASE + x", [_CMD]),
        ('f"{BASE}items/{x}"', [_CMD]),
        ('HOST_ONLY + "/items/" + x', [_CMD]),
        ('urljoin(BASE, "/items/" + x)', [_CMD]),
        # a same-site path: the redirect is safe, a request is not (there is no host at all)
        ('"/app/" + x', [_CMD, _SSRF]),
        # the host is still the caller's
        ("x", [_CMD, _REDIR, _SSRF]),
        ('"https://" + x', [_CMD, _REDIR, _SSRF]),
        ('"https://api." + x', [_CMD, _REDIR, _SSRF]),
        ("HOST_ONLY + x", [_CMD, _REDIR, _SSRF]),
        ("SCHEME + x", [_CMD, _REDIR, _SSRF]),
        ('"https://%s/items" % x', [_CMD, _REDIR, _SSRF]),
        ('"https://{}/items".format(x)', [_CMD, _REDIR, _SSRF]),
        ('f"https://{x}/items"', [_CMD, _REDIR, _SSRF]),
        ('"/" + x', [_CMD, _REDIR, _SSRF]),
        ('x + "https://api.example.com/"', [_CMD, _REDIR, _SSRF]),
        ("urljoin(BASE, x)", [_CMD, _REDIR, _SSRF]),  # `x` = `https://evil.com/` replaces the base
    ],
)
def test_python_fixed_host(tmp_path: Path, expr: str, expected: list[tuple[str, int]]) -> None:
    assert _py_flows(tmp_path, expr) == expected


def test_python_rebound_constant_is_not_trusted(tmp_path: Path) -> None:
    """A module constant the function rebinds is not the constant any more."""
    code = _PY.format(expr="x").replace("    url = x\n", '    BASE = x\n    url = BASE + "/items"\n')
    fns = "h:\n  handler: app.handler\n  events:\n    - httpApi: GET /x\n"
    facts = fn(run(write_app(tmp_path, fns, {"app.py": code})), "h").code_facts
    assert facts is not None
    assert sorted((f.sink.kind, f.sink.loc.line) for f in facts.flows) == [
        ("command", 16),
        ("redirect", 17),
        ("ssrf", 15),
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # one plain binding of a constant: it is the constant
        ('    base = "https://api.example.com/"\n    url = base + x\n', [("command", 16)]),
        # two bindings: the second may be the one that ran
        (
            '    base = "https://api.example.com/"\n    if x:\n        base = "https://api."\n    url = base + x\n',
            [("command", 18), ("redirect", 19), ("ssrf", 17)],
        ),
    ],
)
def test_python_local_constant(tmp_path: Path, body: str, expected: list[tuple[str, int]]) -> None:
    code = _PY.format(expr="x").replace("    url = x\n", body)
    fns = "h:\n  handler: app.handler\n  events:\n    - httpApi: GET /x\n"
    facts = fn(run(write_app(tmp_path, fns, {"app.py": code})), "h").code_facts
    assert facts is not None
    assert sorted((f.sink.kind, f.sink.loc.line) for f in facts.flows) == expected


# -- JavaScript ------------------------------------------------------------------------------------

_JS = """\
const { execSync } = require("child_process");

const BASE = "https://api.example.com/";
const HOST_ONLY = "https://api.example.com";
let MUTABLE = "https://api.example.com/";

exports.handler = async (event) => {
  const x = event.queryStringParameters.x;
  const url = EXPR;
  await fetch(url);
  execSync(url);
  return { statusCode: 302, headers: { Location: url } };
};
"""
_JSSRF, _JCMD, _JREDIR = ("ssrf", 10), ("command", 11), ("redirect", 12)


def _js_flows(tmp_path: Path, expr: str) -> list[tuple[str, int]]:
    facts = fn(run(node_app(tmp_path, {"app.js": _JS.replace("EXPR", expr)})), "h").code_facts
    assert facts is not None
    return sorted((f.sink.kind, f.sink.loc.line) for f in facts.flows)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('"https://api.example.com/items/" + x', [_JCMD]),
        ("`https://api.example.com/items/${x}`", [_JCMD]),
        ("`https://api.example.com?q=${x}`", [_JCMD]),
        ('"//api.example.com/" + x', [_JCMD]),
        ("BASE + x", [_JCMD]),
        ("`${BASE}items/${x}`", [_JCMD]),
        ('HOST_ONLY + "/items/" + x', [_JCMD]),
        ('"https://api.example.com/".concat(x)', [_JCMD]),
        ('new URL("/items/" + x, "https://api.example.com").href', [_JCMD]),
        ("new URL(`/items/${x}`, BASE).toString()", [_JCMD]),
        ('"/app/" + x', [_JCMD, _JSSRF]),
        ("x", [_JCMD, _JREDIR, _JSSRF]),
        ('"https://" + x', [_JCMD, _JREDIR, _JSSRF]),
        ("`https://api.${x}`", [_JCMD, _JREDIR, _JSSRF]),
        ("`https://${x}/items`", [_JCMD, _JREDIR, _JSSRF]),
        ("HOST_ONLY + x", [_JCMD, _JREDIR, _JSSRF]),
        ("MUTABLE + x", [_JCMD, _JREDIR, _JSSRF]),  # a `let`: someone may reassign it
        ('"/" + x', [_JCMD, _JREDIR, _JSSRF]),
        ("new URL(x, BASE).href", [_JCMD, _JREDIR, _JSSRF]),  # `x` = `//evil.com` replaces the host
        ('new URL("/" + x, BASE).href', [_JCMD, _JREDIR, _JSSRF]),
    ],
)
def test_javascript_fixed_host(tmp_path: Path, expr: str, expected: list[tuple[str, int]]) -> None:
    assert _js_flows(tmp_path, expr) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('  const base = "https://api.example.com/";\n  const url = base + x;\n', [("command", 12)]),
        (
            '  let base = "https://api.example.com/";\n  if (x) base = "https://api.";\n  const url = base + x;\n',
            [("command", 13), ("redirect", 14), ("ssrf", 12)],
        ),
    ],
)
def test_javascript_local_constant(tmp_path: Path, body: str, expected: list[tuple[str, int]]) -> None:
    code = _JS.replace("  const url = EXPR;\n", body)
    facts = fn(run(node_app(tmp_path, {"app.js": code})), "h").code_facts
    assert facts is not None
    assert sorted((f.sink.kind, f.sink.loc.line) for f in facts.flows) == expected
