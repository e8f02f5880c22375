#!/usr/bin/env python3
"""Generated framework apps with ground truth, for bench/frameworks.py (issue 13, "Tests and measurement").

    python bench/gen_frameworks.py --apps N --seed S --out DIR

writes N apps of each framework (Flask behind serverless-wsgi, FastAPI behind Mangum in SAM, Chalice,
Express behind serverless-http, a Powertools REST resolver in SAM, Django behind serverless-wsgi) under
DIR/<framework>-<i>/, and beside
each app DIR/<framework>-<i>.truth.json: one record per planted line (file, line range, category,
family, vulnerable, and how it was written). The apps are not written with the rules: each route is
drawn, from a seeded random generator, out of a catalogue of idioms per category (SQL, command, eval,
path, SSRF injection in several syntactic shapes; XSS; open redirect; provider keys and signing keys),
each with safe twins (parameterised query, argument vector, int() cast, constant allowlist, escaping,
basename, fixed host). The files carry no `expect:` comments. Same (N, seed): same bytes.

Shapes of an injection route: `direct` (the sink in the view), `dict` / `list` (the value goes through a
container first), `helper` (the sink in a function of another module the view calls), `helper2` (two modules
away, through `.strip()` / `.trim()`), `helper-dict` (the container is what the helper gets), `method` (a method
of a class of another module, instantiated in the view). Constructions of the string reaching the sink:
f-string / template literal, `.format` / `util.format`, concatenation, `%`, `join`, `os.path.join` /
`path.join`, a `variable` built over one or more statements before the sink, or the bare value.
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import shutil
import string
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

Framework = Literal["flask", "fastapi", "chalice", "express", "powertools", "django"]
FRAMEWORKS: tuple[Framework, ...] = ("flask", "fastapi", "chalice", "express", "powertools", "django")
DEFAULT_SEED = 20261205
# category -> family: the family is what a tool's result is matched on (tools name categories differently)
FAMILY = {
    "sql": "injection",
    "command": "injection",
    "eval": "injection",
    "path": "injection",
    "ssrf": "injection",
    "xss": "xss",
    "redirect": "redirect",
    "provider-key": "secret",
    "signing-key": "secret",
}
ROUTE_KINDS = ("sql", "command", "eval", "path", "ssrf", "xss", "redirect")
# Safe twins: the same route written safely. param: bound query parameters; argv: a constant program and an
# argument vector, no shell; shlex: the value shell-quoted; literal: ast.literal_eval / JSON.parse; basename: the
# file name only; fixed-host: the value in the query string of a constant URL; quoted-local: a local path with the
# value URL-quoted; escape: HTML-escaped; int: an int() / parseInt() cast; allowlist: membership in a constant
# tuple / array checked first; regex: a full match of [a-z0-9]+ checked first; host-check: the parsed URL's host
# checked against constants first.
SAFE_TWINS = {
    "sql": ("param", "int", "allowlist", "regex"),
    "command": ("argv", "shlex", "int", "allowlist", "regex"),
    "eval": ("literal", "int", "allowlist", "regex"),
    "path": ("basename", "int", "allowlist", "regex"),
    "ssrf": ("fixed-host", "int", "allowlist", "host-check"),
    "xss": ("escape", "int", "allowlist", "regex"),
    "redirect": ("quoted-local", "int", "allowlist", "host-check"),
}
NOUNS = ("orders", "users", "items", "reports", "carts", "tickets", "invoices", "files", "hosts", "pages")


@dataclass(frozen=True, slots=True)
class Truth:
    """One planted line: a tool's result of the same family on a line in [line, end] is a hit."""

    file: str
    line: int
    end: int
    category: str
    family: str
    vulnerable: bool
    language: str
    shape: str  # direct / helper / dict / list / module (secrets)
    construct: str  # how the string is built, or the secret's provider
    twin: str  # the safe twin's kind ("" when vulnerable)
    route: str


@dataclass(slots=True)
class Buf:
    """A file being written; lines are appended and the truth records the line numbers they land on."""

    path: str
    lines: list[str] = field(default_factory=list)

    def next_line(self) -> int:
        return len(self.lines) + 1


@dataclass(frozen=True, slots=True)
class Case:
    kind: str
    vulnerable: bool
    shape: str
    construct: str
    twin: str


# ------------------------------------------------------------------------------------------------
# random values
# ------------------------------------------------------------------------------------------------


def _rand(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


_ALNUM = string.ascii_letters + string.digits
_WORDS = ("orders", "cookie", "signer", "session", "shop", "prod", "token", "secret", "api", "auth")


def provider_key(rng: random.Random, provider: str) -> tuple[str, list[tuple[str, str]]]:
    """(constant-name stem, [(name, value)]) of a provider-looking credential; the values are random."""
    if provider == "aws":
        key_id = "AKIA" + _rand(rng, string.ascii_uppercase + "234567", 16)
        secret = _rand(rng, _ALNUM + "/+", 40)
        return "aws", [("AWS_ACCESS_KEY_ID", key_id), ("AWS_SECRET_ACCESS_KEY", secret)]
    if provider == "stripe":
        return "stripe", [("STRIPE_API_KEY", "sk_live_" + _rand(rng, _ALNUM, 24))]
    if provider == "github":
        return "github", [("GITHUB_TOKEN", "ghp_" + _rand(rng, _ALNUM, 36))]
    if provider == "slack":
        value = f"xoxb-{_rand(rng, string.digits, 11)}-{_rand(rng, string.digits, 13)}-{_rand(rng, _ALNUM, 24)}"
        return "slack", [("SLACK_BOT_TOKEN", value)]
    if provider == "sendgrid":
        return "sendgrid", [("SENDGRID_API_KEY", f"SG.{_rand(rng, _ALNUM, 22)}.{_rand(rng, _ALNUM + '-_', 43)}")]
    return "google", [("GOOGLE_API_KEY", "AIza" + _rand(rng, _ALNUM + "-_", 35))]


PROVIDERS = ("aws", "stripe", "github", "slack", "sendgrid", "google")


def signing_key(rng: random.Random) -> tuple[str, str]:
    """(how it was made, value): half are words a person typed, half random strings."""
    if rng.random() < 0.5:
        return "words", f"{rng.choice(_WORDS)}-{rng.choice(_WORDS)}-{rng.choice(_WORDS)}-{rng.randint(10, 9999)}"
    return "random", _rand(rng, _ALNUM, 32)


# ------------------------------------------------------------------------------------------------
# string constructions
# ------------------------------------------------------------------------------------------------

PY_CONSTRUCTS = ("fstring", "format", "concat", "percent", "strjoin", "variable")
JS_CONSTRUCTS = ("template", "concat", "join", "format", "variable")


def py_build(how: str, prefix: str, v: str, suffix: str) -> str:
    if how == "fstring":
        return f'f"{prefix}{{{v}}}{suffix}"'
    if how == "format":
        return f'"{prefix}{{}}{suffix}".format({v})'
    if how == "percent":
        return f'"{prefix}%s{suffix}" % {v}'
    if how == "join":
        return f'os.path.join("{prefix.rstrip("/")}", {v})'
    if how == "strjoin":
        return f'"".join(["{prefix}", {v}, "{suffix}"])'
    if how == "bare":
        return v
    parts = [f'"{prefix}"' if prefix else "", v, f'"{suffix}"' if suffix else ""]
    return " + ".join(p for p in parts if p)


class Builder:
    """Builds the string that reaches a sink. The `variable` construction writes it in a statement of its own
    (`text = ...`, or `text = prefix` then `text += value`) before the sink: those lines start the planted range
    (marked "^"), since some tools report where the string is built and others where it is used."""

    def __init__(self, language: str, how: str, rng: random.Random) -> None:
        self.language, self.how, self.rng = language, how, rng
        self.pre: list[str] = []

    def __call__(self, prefix: str, v: str, suffix: str) -> str:
        build = py_build if self.language == "python" else js_build
        if self.how != "variable":
            return build(self.how, prefix, v, suffix)
        if self.language == "python":
            if self.rng.random() < 0.5:
                self.pre.append(f"^text = {build(self.rng.choice(('fstring', 'concat', 'format')), prefix, v, suffix)}")
            else:
                self.pre += [f'^text = "{prefix}"', f"text += {v}"] + ([f'text += "{suffix}"'] if suffix else [])
        elif self.rng.random() < 0.5:
            self.pre.append(f"^const text = {build(self.rng.choice(('template', 'concat')), prefix, v, suffix)};")
        else:
            self.pre += [f'^let text = "{prefix}";', f"text += {v};"] + ([f'text += "{suffix}";'] if suffix else [])
        return "text"


def js_build(how: str, prefix: str, v: str, suffix: str) -> str:
    if how == "template":
        return f"`{prefix}${{{v}}}{suffix}`"
    if how == "format":
        return f'util.format("{prefix}%s{suffix}", {v})'
    if how == "join":
        return f'["{prefix}", {v}, "{suffix}"].join("")'
    if how == "pathjoin":
        return f'path.join("{prefix.rstrip("/")}", {v})'
    if how == "bare":
        return v
    parts = [f'"{prefix}"' if prefix else "", v, f'"{suffix}"' if suffix else ""]
    return " + ".join(p for p in parts if p)


# ------------------------------------------------------------------------------------------------
# Python snippets: lines of a body that computes `result` (or returns, for xss / redirect);
# the sink line starts with "@". `v` is the expression holding the request value.
# ------------------------------------------------------------------------------------------------

_PY_ALLOW = {
    "sql": ("id", "name", "price"),
    "command": ("example.com", "aws.amazon.com"),
    "eval": ("1", "2", "3"),
    "path": ("daily", "weekly"),
    "ssrf": ("api.example.com", "status.example.com"),
    "xss": ("guest", "member"),
    "redirect": ("/", "/home", "/account"),
}


GUARDED = ("allowlist", "regex", "host-check")


def py_guard(fw: Framework, kind: str, twin: str) -> list[str]:
    """The check a guarded twin makes on the raw value before anything uses it."""
    if twin == "regex":
        test = 'not re.fullmatch(r"[a-z0-9]+", value)'
    elif twin == "host-check":
        hosts = ", ".join(f'"{a}"' for a in _PY_ALLOW["ssrf"]) if kind == "ssrf" else '"www.example.com",'
        test = f"urlparse(value).hostname not in ({hosts})"
    else:
        test = f"value not in ({', '.join(repr(a).replace(chr(39), chr(34)) for a in _PY_ALLOW[kind])})"
    refuse = 'HttpResponseBadRequest("bad input")' if fw == "django" else '{"error": "bad input"}'
    return [f"if {test}:", f"    return {refuse}"]


def py_snippet(fw: Framework, case: Case, v: str, rng: random.Random) -> list[str]:
    k, how, twin = case.kind, case.construct, case.twin
    b = Builder("python", how, rng)
    cast = f"str(int({v}))"
    if k == "sql":
        sqlite = rng.random() < 0.3  # sqlite3's own execute on the connection, `?` placeholders
        if twin == "param":
            query = f'"SELECT id, name FROM items WHERE name = {"?" if sqlite else "%s"}", ({v},)'
        elif twin == "int":
            query = b("SELECT id, name FROM items WHERE id = ", cast, "")
        elif twin == "allowlist":
            query = b("SELECT id, name FROM items ORDER BY ", v, "")
        else:
            query = b("SELECT id, name FROM items WHERE name = '", v, "'")
        if sqlite:
            body = [f'@result = sqlite3.connect("/tmp/app.db").execute({query}).fetchall()']
        else:
            body = [
                "with db.connection().cursor() as cur:",
                f"@    cur.execute({query})",
                "    result = cur.fetchall()",
            ]
    elif k == "command":
        if twin == "argv":
            body = [f'@result = subprocess.run(["nslookup", {v}], capture_output=True, text=True).stdout']
        else:
            arg = {"int": cast, "shlex": f"shlex.quote({v})"}.get(twin, v)
            cmd = b("ping -c " if twin == "int" else "nslookup ", arg, " 127.0.0.1" if twin == "int" else "")
            form = rng.choice(("run", "popen", "check_output", "system", "Popen", "run-args"))
            if form == "run":
                body = [f"@result = subprocess.run({cmd}, shell=True, capture_output=True, text=True).stdout"]
            elif form == "run-args":
                body = [f"@result = subprocess.run(args={cmd}, shell=True, capture_output=True).stdout"]
            elif form == "Popen":
                body = [f"@result = subprocess.Popen({cmd}, shell=True, stdout=subprocess.PIPE).communicate()[0]"]
            elif form == "popen":
                body = [f"@result = os.popen({cmd}).read()"]
            elif form == "check_output":
                body = [f"@result = subprocess.check_output({cmd}, shell=True, text=True)"]
            else:
                body = [f"@result = os.system({cmd})"]
    elif k == "eval":
        if twin == "literal":
            body = [f"@result = ast.literal_eval({v})"]
        else:
            arg = cast if twin == "int" else v
            if rng.random() < 0.7:
                body = [f"@result = eval({b('1 + ', arg, '')})"]
            else:
                body = [f"@result = exec({b('total = 1 + ', arg, '')}, {{}})"]
    elif k == "path":
        if twin == "basename":
            body = [f'@result = open(os.path.join("/tmp/reports", os.path.basename({v}))).read()']
        else:
            arg = cast if twin == "int" else v
            target = b("/tmp/reports/", arg, "" if how == "join" else ".txt")
            if rng.random() < 0.5:
                body = [f"@result = open({target}).read()"]
            else:
                body = [f"@result = pathlib.Path({target}).read_text()"]
    elif k == "ssrf":
        if twin == "fixed-host":
            body = [f'@result = requests.get("https://api.example.com/search", params={{"q": {v}}}, timeout=5).text']
        else:
            url = b("https://api.example.com/items/", cast, "") if twin == "int" else b("https://", v, "/status")
            form = rng.choice(("requests", "requests-kw", "urllib", "httpx"))
            if form == "requests":
                body = [f"@result = requests.get({url}, timeout=5).text"]
            elif form == "requests-kw":
                body = [f'@result = requests.request("GET", url={url}, timeout=5).text']
            elif form == "httpx":
                body = [f"@result = httpx.get({url}, timeout=5).text"]
            else:
                body = [f"@result = urllib.request.urlopen({url}, timeout=5).read()"]
    elif k == "xss":
        arg = {"escape": f"html.escape({v})", "int": cast}.get(twin, v)
        page = b("<p>Hello ", arg, "</p>")
        body = [f"@return {py_html(fw, page)}"]
    else:  # redirect
        if twin == "quoted-local":
            target = b("/search?q=", f"quote({v})", "")
        elif twin == "int":
            target = b("/items/", cast, "")
        elif twin in ("allowlist", "host-check") or how == "bare":
            target = v
        else:
            target = b("https://", v, "/welcome")
        body = [f"@return {py_redirect(fw, target)}"]
    return [*b.pre, *body]


def py_html(fw: Framework, page: str) -> str:
    if fw == "flask":
        return page
    if fw == "django":
        return f"HttpResponse({page})"
    if fw == "fastapi":
        return f"HTMLResponse({page})"
    if fw == "chalice":
        return f'Response(body={page}, status_code=200, headers={{"Content-Type": "text/html"}})'
    return f'Response(status_code=200, content_type="text/html", body={page})'


def py_redirect(fw: Framework, target: str) -> str:
    if fw == "flask":
        return f"redirect({target})"
    if fw == "django":
        return f"HttpResponseRedirect({target})"
    if fw == "fastapi":
        return f"RedirectResponse({target})"
    if fw == "chalice":
        return f'Response(body="", status_code=302, headers={{"Location": {target}}})'
    return f'Response(status_code=302, body="", headers={{"Location": {target}}})'


# ------------------------------------------------------------------------------------------------
# JavaScript snippets (Express), same conventions
# ------------------------------------------------------------------------------------------------


def js_guard(kind: str, twin: str) -> list[str]:
    if twin == "regex":
        test = "!/^[a-z0-9]+$/.test(value)"
    elif twin == "host-check" and kind == "ssrf":
        test = f"![{', '.join(chr(34) + a + chr(34) for a in _PY_ALLOW['ssrf'])}].includes(new URL(value).hostname)"
    elif twin == "host-check":
        test = 'new URL(value).hostname !== "www.example.com"'
    else:
        test = f"![{', '.join(chr(34) + a + chr(34) for a in _PY_ALLOW[kind])}].includes(value)"
    return [f"if ({test}) {{", '  return res.status(400).json({ error: "bad input" });', "}"]


def js_snippet(case: Case, v: str, rng: random.Random) -> list[str]:
    k, how, twin = case.kind, case.construct, case.twin
    b = Builder("node", how, rng)
    cast = f"String(parseInt({v}, 10))"
    if k == "sql":
        pg = rng.random() < 0.4  # node-postgres: `$1` placeholders, rows on the result
        if twin == "param":
            q = f'"SELECT id, name FROM items WHERE name = {"$1" if pg else "?"}", [{v}]'
        elif twin == "int":
            q = b("SELECT id, name FROM items WHERE id = ", cast, "")
        elif twin == "allowlist":
            q = b("SELECT id, name FROM items ORDER BY ", v, "")
        else:
            q = b("SELECT id, name FROM items WHERE name = '", v, "'")
        if pg:
            body = [f"@const {{ rows: result }} = await db.pg.query({q});"]
        else:
            body = [f"@const [result] = await db.pool.query({q});"]
    elif k == "command":
        if twin == "argv":
            body = [f'@const result = execFileSync("/usr/bin/nslookup", [{v}]).toString();']
        else:
            arg = cast if twin == "int" else v
            cmd = b("ping -c " if twin == "int" else "nslookup ", arg, " 127.0.0.1" if twin == "int" else "")
            form = rng.choice(("execSync", "execAsync", "require", "spawn-shell"))
            if form == "execSync":
                body = [f"@const result = execSync({cmd}).toString();"]
            elif form == "require":
                body = [f'@const result = require("child_process").execSync({cmd}).toString();']
            elif form == "spawn-shell":
                body = [f"@const result = spawnSync({cmd}, {{ shell: true }}).stdout.toString();"]
            else:
                body = [f"@const result = await execAsync({cmd});"]
    elif k == "eval":
        if twin == "literal":
            body = [f"@const result = JSON.parse({v});"]
        else:
            arg = cast if twin == "int" else v
            form = rng.choice(("eval", "Function", "vm"))
            if form == "eval":
                body = [f"@const result = eval({b('1 + ', arg, '')});"]
            elif form == "vm":
                body = [f"@const result = vm.runInNewContext({b('1 + ', arg, '')});"]
            else:
                body = [f"@const result = new Function({b('return 1 + ', arg, '')})();"]
    elif k == "path":
        if twin == "basename":
            body = [f'@const result = fs.readFileSync(path.join("/tmp/reports", path.basename({v})), "utf8");']
        else:
            arg = cast if twin == "int" else v
            target = b("/tmp/reports/", arg, "" if how == "pathjoin" else ".txt")
            if rng.random() < 0.6:
                body = [f'@const result = fs.readFileSync({target}, "utf8");']
            else:
                body = [f'@const result = await fs.promises.readFile({target}, "utf8");']
    elif k == "ssrf":
        if twin == "fixed-host":
            body = [
                f'@const result = (await axios.get("https://api.example.com/search", {{ params: {{ q: {v} }} }})).data;'
            ]
        else:
            url = b("https://api.example.com/items/", cast, "") if twin == "int" else b("https://", v, "/status")
            form = rng.choice(("axios", "axios-config", "fetch"))
            if form == "axios":
                body = [f"@const result = (await axios.get({url})).data;"]
            elif form == "axios-config":
                body = [f'@const result = (await axios({{ method: "get", url: {url} }})).data;']
            else:
                body = [f"@const result = await (await fetch({url})).text();"]
    elif k == "xss":
        arg = {"escape": f"escapeHtml({v})", "int": cast}.get(twin, v)
        body = [f"@return res.send({b('<p>Hello ', arg, '</p>')});"]
    else:
        if twin == "quoted-local":
            target = b("/search?q=", f"encodeURIComponent({v})", "")
        elif twin == "int":
            target = b("/items/", cast, "")
        elif twin in ("allowlist", "host-check") or how == "bare":
            target = v
        else:
            target = b("https://", v, "/welcome")
        body = [f"@return res.redirect({target});"]
    return [*b.pre, *body]


# ------------------------------------------------------------------------------------------------
# drawing cases
# ------------------------------------------------------------------------------------------------


def draw_case(rng: random.Random, language: str) -> Case:
    kind = rng.choice(ROUTE_KINDS)
    vulnerable = rng.random() < 0.5
    twins = [t for t in SAFE_TWINS[kind] if language == "python" or t != "shlex"]  # no shell quoting in Node's core
    twin = "" if vulnerable else rng.choice(twins)
    # xss and redirect are decided where the response is made: the view; no helper shape
    shapes: tuple[str, ...] = ("direct", "dict", "list")
    if kind not in ("xss", "redirect"):
        shapes += ("helper", "helper2", "helper-dict", "method")
    shape = rng.choice(shapes)
    constructs = PY_CONSTRUCTS if language == "python" else JS_CONSTRUCTS
    extra: tuple[str, ...] = ()
    if kind in ("eval", "ssrf", "redirect") and vulnerable:
        extra = ("bare",)
    if (kind == "redirect" and twin == "allowlist") or twin == "host-check":
        return Case(kind, vulnerable, shape, "bare", twin)  # the checked value is the target itself
    if kind == "path" and twin != "basename":
        extra = ("join",) if language == "python" else ("pathjoin",)
    if twin in ("param", "argv", "literal", "basename", "fixed-host"):
        return Case(kind, vulnerable, shape, "none", twin)
    return Case(kind, vulnerable, shape, rng.choice((*constructs, *extra)), twin)


# ------------------------------------------------------------------------------------------------
# apps
# ------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class App:
    framework: Framework
    root: Path
    files: dict[str, Buf] = field(default_factory=dict)
    truth: list[Truth] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)  # files written as they are

    def buf(self, path: str, header: list[str] | None = None) -> Buf:
        if path not in self.files:
            self.files[path] = Buf(path, list(header or []))
        return self.files[path]

    def emit(self, buf: Buf, lines: list[str], case: Case, route: str, indent: str) -> None:
        """Append lines; the one starting with "@" is the case's planted line (the sink), and a line starting
        with "^" before it, if any, the first line of the planted range (where its string is built)."""
        language = "node" if buf.path.endswith(".js") else "python"
        first = 0
        for text in lines:
            if text.startswith("^"):
                first = buf.next_line()
                text = text[1:]
            elif text.startswith("@"):
                n = buf.next_line()
                self.truth.append(
                    Truth(
                        buf.path,
                        first or n,
                        n,
                        case.kind,
                        FAMILY[case.kind],
                        case.vulnerable,
                        language,
                        case.shape,
                        case.construct,
                        case.twin,
                        route,
                    )
                )
                text = text[1:]
            buf.lines.append(indent + text if text else "")

    def write(self) -> None:
        write_files(self.root, {path: b.lines for path, b in self.files.items()}, self.extra)


def write_files(root: Path, files: dict[str, list[str]], extra: dict[str, str]) -> None:
    """An app's assembled files (`files`: their lines) and those written as they are (`extra`), under `root`."""
    for path, lines in files.items():
        dest = root / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        text = "\n".join(lines) + "\n"
        if path.endswith(".py"):
            # a generator bug must not pass for an engine miss: every Python file parses (3.11 grammar, as bandit's)
            ast.parse(text, filename=str(dest), feature_version=(3, 11))
        dest.write_text(text, encoding="utf-8")
    for path, text in extra.items():
        dest = root / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")


def write_truth(out: Path, root: Path, kind: str, seed: int, truth: list[Truth]) -> None:
    """`<app>.truth.json` beside the app: what was planted where, for the precision benchmark."""
    doc = {"app": root.name, "framework": kind, "seed": seed, "truth": [asdict(t) for t in truth]}
    (out / f"{root.name}.truth.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


_PY_IMPORTS = [
    "import ast",
    "import html",
    "import json",
    "import os",
    "import pathlib",
    "import re",
    "import shlex",
    "import subprocess",
    "import urllib.request",
    "import sqlite3",
    "from urllib.parse import quote, urlparse",
    "",
    "import httpx",
    "import requests",
]


def _py_layout(fw: Framework) -> tuple[str, str]:
    """(package folder the code lives in, import prefix of its modules)."""
    return {
        "flask": ("svc", "svc"),
        "django": ("svc", "svc"),
        "fastapi": ("src/svc", "svc"),
        "chalice": ("chalicelib", "chalicelib"),
        "powertools": ("src/svc", "svc"),
    }[fw]


def py_route(app: App, rng: random.Random, n: int, routes: Buf, helpers: Buf, backend: Buf) -> None:
    fw = app.framework
    case = draw_case(rng, "python")
    noun = rng.choice(NOUNS)
    path = f"/{noun}/r{n}"
    param = rng.choice(("q", "name", "target", "host", "report", "expr", "id"))
    source = rng.choice(("query", "query", "path", "body", "header", "other"))
    post = source == "body"
    sig = ""
    asynchronous = False
    if fw == "flask":
        src = {
            "query": f'request.args.get("{param}", "")',
            "body": f'(request.get_json(silent=True) or {{}}).get("{param}", "")',
            "header": f'request.headers.get("X-{param.title()}", "")',
            "other": f'request.{rng.choice(("values", "cookies", "form"))}.get("{param}", "")',
            "path": "",
        }[source]
        if source == "path":
            path += "/<value>"
            sig = "value"
        deco = f'@bp.route("{path}", methods=["{"POST" if post else "GET"}"])'
    elif fw == "fastapi":
        source = "query" if source == "other" else source
        if source == "path":
            path += "/{value}"
        model = f"Body{n}"
        sig = {
            "query": "value: str",
            "path": "value: str",
            "header": 'x_value: str = Header("")',
            "body": f"body: {model}",
        }[source]
        src = {"header": "x_value", "body": f"body.{param}"}.get(source, "")
        if source == "body":  # a Pydantic model is the JSON body
            routes.lines.extend(["", "", f"class {model}(BaseModel):", f"    {param}: str"])
        deco = f'@router.{"post" if post else "get"}("{path}")'
        asynchronous = rng.random() < 0.5
    elif fw == "chalice":
        source = "query" if source == "other" else source
        src = {
            "query": f'(app.current_request.query_params or {{}}).get("{param}", "")',
            "body": f'(app.current_request.json_body or {{}}).get("{param}", "")',
            "header": f'app.current_request.headers.get("x-{param}", "")',
            "path": "",
        }[source]
        if source == "path":
            path += "/{value}"
            sig = "value"
        deco = f'@app.route("{path}", methods=["{"POST" if post else "GET"}"])'
    elif fw == "django":  # a function view, routed by svc/urls.py
        src = {
            "query": f'request.GET.get("{param}", "")',
            "body": f'json.loads(request.body or b"{{}}").get("{param}", "")',
            "header": f'request.headers.get("X-{param.title()}", "")',
            "other": f'request.{rng.choice(("POST", "COOKIES"))}.get("{param}", "")',
            "path": "",
        }[source]
        route = f"{path.lstrip('/')}/"
        if source == "path":
            path += "/<str:value>"
            route = f"{path.lstrip('/')}/"
        sig = "request, value" if source == "path" else "request"
        app.buf("svc/urls.py").lines.insert(-1, f'    path("{route}", views.{case.kind}_{n}),')
        deco = ""
    else:  # powertools
        source = "query" if source == "other" else source
        src = {
            "query": f'router.current_event.get_query_string_value(name="{param}", default_value="")',
            "body": f'(router.current_event.json_body or {{}}).get("{param}", "")',
            "header": f'router.current_event.get_header_value(name="x-{param}", default_value="")',
            "path": "",
        }[source]
        if source == "path":
            path += "/<value>"
            sig = "value: str"
        deco = f'@router.{"post" if post else "get"}("{path}")'
    name = f"{case.kind}_{n}"
    lines = ["", "", *([deco] if deco else []), f"{'async ' if asynchronous else ''}def {name}({sig}):"]
    if src:
        lines.append(f"    value = {src}")
    routes.lines.extend(lines)
    # an allowlist is checked on the raw value first, as validation usually comes: then the value goes on
    guard = py_guard(fw, case.kind, case.twin) if case.twin in GUARDED else []
    if case.shape not in ("helper", "helper2", "method"):
        routes.lines.extend("    " + g for g in guard)
    v = "value"
    if case.shape in ("dict", "helper-dict"):
        routes.lines.append('    args = {"v": value}')
        v = "args['v']"
    elif case.shape == "list":
        routes.lines.append("    parts = [value]")
        v = "parts[0]"
    body = py_snippet(fw, case, v, rng)
    if case.shape == "helper":
        helpers.lines.extend(["", "", f"def {name}(value):"])
        app.emit(helpers, [*guard, *body, "return result"], case, path, "    ")
        routes.lines.append(f"    result = helpers.{name}(value)")
    elif case.shape == "helper-dict":  # the container itself crosses into the helper
        helpers.lines.extend(["", "", f"def {name}(args):"])
        app.emit(helpers, [*body, "return result"], case, path, "    ")
        routes.lines.append(f"    result = helpers.{name}(args)")
    elif case.shape == "method":  # a method of a class in another module, the instance made in the view
        cls = f"Service{n}"
        helpers.lines.extend(
            ["", "", f"class {cls}:", "    def __init__(self, region):", "        self.region = region", ""]
        )
        helpers.lines.append("    def run(self, value):")
        app.emit(helpers, [*guard, *body, "return result"], case, path, "        ")
        routes.lines.append(f'    result = helpers.{cls}("eu-west-1").run(value)')
    elif case.shape == "helper2":  # two calls and two modules away, through a str method
        helpers.lines.extend(["", "", f"def {name}(value):", f"    return backend.{name}(value.strip())"])
        backend.lines.extend(["", "", f"def {name}(value):"])
        app.emit(backend, [*guard, *body, "return result"], case, path, "    ")
        routes.lines.append(f"    result = helpers.{name}(value)")
    else:
        app.emit(routes, body, case, path, "    ")
    if case.kind not in ("xss", "redirect"):
        done = 'JsonResponse({"result": str(result)})' if fw == "django" else '{"result": str(result)}'
        routes.lines.append(f"    return {done}")


def js_route(app: App, rng: random.Random, n: int, routes: Buf, helpers: Buf, backend: Buf) -> None:
    case = draw_case(rng, "node")
    noun = rng.choice(NOUNS)
    path = f"/{noun}/r{n}"
    param = rng.choice(("q", "name", "target", "host", "report", "expr", "id"))
    source = rng.choice(("query", "bracket", "path", "body", "header", "destructure"))
    src = {
        "query": f"const value = req.query.{param};",
        "path": "const value = req.params.value;",
        "body": f"const value = req.body.{param};",
        "header": rng.choice((f'const value = req.headers["x-{param}"];', f'const value = req.get("x-{param}");')),
        "bracket": f'const value = req.query["{param}"];',
        "destructure": f"const {{ {param}: value }} = req.{rng.choice(('query', 'body'))};",
    }[source]
    if source == "path":
        path += "/:value"
    verb = "post" if source == "body" or "req.body" in src else "get"
    name = f"{case.kind}{n}"
    routes.lines.extend(["", f'router.{verb}("{path}", async (req, res) => {{', f"  {src}"])
    guard = js_guard(case.kind, case.twin) if case.twin in GUARDED else []
    if case.shape not in ("helper", "helper2", "method"):
        routes.lines.extend("  " + g for g in guard)
    v = "value"
    if case.shape in ("dict", "helper-dict"):
        routes.lines.append("  const args = { v: value };")
        v = "args.v"
    elif case.shape == "list":
        routes.lines.append("  const parts = [value];")
        v = "parts[0]"
    body = js_snippet(case, v, rng)
    if case.shape == "helper":
        helpers.lines.extend(["", f"exports.{name} = async (value, res) => {{"])
        app.emit(helpers, [*guard, *body, "return result;"], case, path, "  ")
        helpers.lines.append("};")
        routes.lines.append(f"  const result = await helpers.{name}(value, res);")
    elif case.shape == "helper-dict":
        helpers.lines.extend(["", f"exports.{name} = async (args, res) => {{"])
        app.emit(helpers, [*body, "return result;"], case, path, "  ")
        helpers.lines.append("};")
        routes.lines.append(f"  const result = await helpers.{name}(args, res);")
    elif case.shape == "method":
        cls = f"Service{n}"
        helpers.lines.extend(["", f"class {cls} {{", "  constructor(region) {", "    this.region = region;", "  }", ""])
        helpers.lines.append("  async run(value, res) {")
        app.emit(helpers, [*guard, *body, "return result;"], case, path, "    ")
        helpers.lines.extend(["  }", "}", f"exports.{cls} = {cls};"])
        routes.lines.append(f'  const result = await new helpers.{cls}("eu-west-1").run(value, res);')
    elif case.shape == "helper2":
        helpers.lines.extend(["", f"exports.{name} = async (value, res) => backend.{name}(value.trim(), res);"])
        backend.lines.extend(["", f"exports.{name} = async (value, res) => {{"])
        app.emit(backend, [*guard, *body, "return result;"], case, path, "  ")
        backend.lines.append("};")
        routes.lines.append(f"  const result = await helpers.{name}(value, res);")
    else:
        app.emit(routes, body, case, path, "  ")
    if case.kind not in ("xss", "redirect"):
        routes.lines.append("  return res.json({ result: String(result) });")
    routes.lines.append("});")


def secrets(app: App, rng: random.Random, buf: Buf, language: str, count: int) -> None:
    """Module-level credentials, each a provider key or a signing key, planted or a safe twin."""
    for _ in range(count):
        signing = rng.random() < 0.35
        vulnerable = rng.random() < 0.5
        if signing:
            how, value = signing_key(rng)
            pairs = [(rng.choice(("SECRET_KEY", "JWT_SECRET", "SESSION_SECRET")), value)]
            kind, provider = "signing-key", f"signing-{how}"
        else:
            provider, pairs = provider_key(rng, rng.choice(PROVIDERS))
            kind = "provider-key"
        twin = "" if vulnerable else rng.choice(("env", "placeholder", "ssm-name", "build-sha"))
        lines = []
        for i, (name, value) in enumerate(pairs):
            if vulnerable:
                rhs = f'"{value}"'
            elif twin == "env":
                rhs = f'os.environ.get("{name}", "")' if language == "python" else f"process.env.{name}"
            elif twin == "placeholder":
                rhs = f'"<your-{name.lower().replace("_", "-")}>"'
            elif twin == "ssm-name":
                rhs = f'"/{app.framework}/prod/{name.lower().replace("_", "-")}"'
            else:
                # a commit id: high entropy, but an identifier, not a credential
                rhs = '"' + _rand(rng, "0123456789abcdef", 40) + '"'
                name = f"BUILD_SHA_{len(app.truth)}_{i}"
            lines.append((name, rhs))
        # a constant per value, or one nested dict literal on one line (`PROVIDERS = {"stripe": {"stripe_api_key": …}}`)
        style = rng.choice(("constant", "constant", "dict"))
        if style == "dict" and language == "python":
            inner = ", ".join(f'"{name.lower()}": {rhs}' for name, rhs in lines)
            text = [f'PROVIDER_{buf.next_line()} = {{"{"auth" if signing else provider}": {{{inner}}}}}']
        elif style == "dict":
            inner = ", ".join(f"{name.lower()}: {rhs}" for name, rhs in lines)
            text = [f"exports.provider{buf.next_line()} = {{ {'auth' if signing else provider}: {{ {inner} }} }};"]
        elif language == "python":
            text = [f"{name} = {rhs}" for name, rhs in lines]
        else:
            text = [f"exports.{name} = {rhs};" for name, rhs in lines]
        first = buf.next_line()
        buf.lines.extend(text)
        end = first + len(text) - 1
        app.truth.append(Truth(buf.path, first, end, kind, "secret", vulnerable, language, style, provider, twin, ""))


def iac_secret(app: App, rng: random.Random, path: str, template: str, line: Callable[[str, str], str]) -> str:
    """A provider key in the function's environment, written in the IaC at the template's `{env}` line, or its
    safe twin (a secret-store reference, or a parameter name where the format has no references)."""
    provider, pairs = provider_key(rng, rng.choice(PROVIDERS))
    vulnerable = rng.random() < 0.5
    stem = app.root.name
    if vulnerable:
        twin, values = "", pairs
    elif path.endswith(".json"):
        twin = "ssm-name"
        values = [(f"{name}_PARAMETER", f"/{stem}/{name.lower()}") for name, _ in pairs]
    elif path == "serverless.yml":
        twin, values = "ssm-ref", [(name, f"${{ssm:/{stem}/{name.lower()}}}") for name, _ in pairs]
    else:
        twin, values = "ssm-ref", [(name, f"'{{{{resolve:ssm:/{stem}/{name.lower()}}}}}'") for name, _ in pairs]
    rows = template.split("\n")
    at = next(i for i, row in enumerate(rows) if "{env}" in row)
    indent = rows[at][: len(rows[at]) - len(rows[at].lstrip())]
    first = at + 1
    app.truth.append(
        Truth(
            path, first, first + len(values) - 1, "provider-key", "secret", vulnerable, "iac", "iac", provider, twin, ""
        )
    )
    sep = ",\n" if path.endswith(".json") else "\n"
    return sep.join((indent if i else "") + line(name, value) for i, (name, value) in enumerate(values))


def signing_in_app(app: App, rng: random.Random, buf: Buf) -> None:
    """Flask: the app's own signing key (`app.secret_key` / `app.config["SECRET_KEY"]`) or its safe twin."""
    vulnerable = rng.random() < 0.5
    how, value = signing_key(rng)
    target = rng.choice(("app.secret_key", 'app.config["SECRET_KEY"]'))
    rhs = f'"{value}"' if vulnerable else 'os.environ["SECRET_KEY"]'
    n = buf.next_line()
    buf.lines.append(f"{target} = {rhs}")
    twin = "" if vulnerable else "env"
    app.truth.append(
        Truth(buf.path, n, n, "signing-key", "secret", vulnerable, "python", "app", f"signing-{how}", twin, "")
    )


def django_secret_key(app: App, rng: random.Random, buf: Buf) -> None:
    """Django: `SECRET_KEY` in the settings module, as `startproject` writes it, or read from the environment."""
    vulnerable = rng.random() < 0.5
    value = "django-insecure-" + _rand(rng, string.ascii_lowercase + string.digits + "!@#%^&*(-_=+)", 50)
    n = buf.next_line()
    buf.lines.append(f'SECRET_KEY = "{value}"' if vulnerable else 'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]')
    twin = "" if vulnerable else "env"
    app.truth.append(
        Truth(buf.path, n, n, "signing-key", "secret", vulnerable, "python", "app", "django-startproject", twin, "")
    )


def build_python(app: App, rng: random.Random, routes_count: int) -> None:
    fw = app.framework
    pkg, mod = _py_layout(fw)
    service = f"{fw}-{app.root.name.rsplit('-', 1)[-1]}"
    framework_imports = {
        "flask": ["from flask import Blueprint, jsonify, redirect, request"],
        "fastapi": [
            "from fastapi import APIRouter, Header",
            "from pydantic import BaseModel",
            "from fastapi.responses import HTMLResponse, RedirectResponse",
        ],
        "chalice": [],
        "django": [
            "from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse",
        ],
        "powertools": [
            "from aws_lambda_powertools.event_handler import Response",
            "from aws_lambda_powertools.event_handler.api_gateway import Router",
        ],
    }[fw]
    header = [
        '"""Routes of the service."""',
        "",
        *_PY_IMPORTS,
        *framework_imports,
        "",
        f"from {mod} import db, helpers, settings",
    ]
    if fw == "chalice":
        routes = app.buf(
            "app.py",
            [
                '"""The service: a Chalice app."""',
                "",
                *_PY_IMPORTS,
                "from chalice import Chalice, Response",
                "",
                f"from {mod} import db, helpers, settings",
                "",
                f'app = Chalice(app_name="{service}")',
            ],
        )
    elif fw == "django":
        routes = app.buf(f"{pkg}/views.py", [*header])
        app.buf(
            "svc/urls.py",
            ["from django.urls import path", "", "from svc import views", "", "urlpatterns = [", "]"],
        )
    else:
        router = {
            "flask": 'bp = Blueprint("api", __name__)',
            "fastapi": "router = APIRouter()",
            "powertools": "router = Router()",
        }[fw]
        routes = app.buf(f"{pkg}/routes.py", [*header, "", router])
    helpers = app.buf(
        f"{pkg}/helpers.py", ['"""Helpers the routes call."""', "", *_PY_IMPORTS, "", f"from {mod} import backend, db"]
    )
    backend = app.buf(
        f"{pkg}/backend.py", ['"""What the helpers call."""', "", *_PY_IMPORTS, "", f"from {mod} import db"]
    )
    app.buf(f"{pkg}/__init__.py", [])
    app.buf(
        f"{pkg}/db.py",
        [
            '"""Database connection."""',
            "",
            "import os",
            "",
            "import pymysql",
            "",
            "",
            "def connection():",
            '    password = os.environ.get("DB_PASSWORD", "")',
            '    return pymysql.connect(host=os.environ["DB_HOST"], user="app", password=password)',
        ],
    )
    settings = app.buf(f"{pkg}/settings.py", ['"""Settings."""', "", "import os", ""])
    secrets(app, rng, settings, "python", rng.randint(2, 4))
    for n in range(1, routes_count + 1):
        py_route(app, rng, n, routes, helpers, backend)

    if fw == "flask":
        main = app.buf(
            "app.py",
            [
                '"""The Flask app, served by serverless-wsgi."""',
                "",
                "import os",
                "",
                "from flask import Flask",
                "",
                "from svc.routes import bp",
                "",
                "app = Flask(__name__)",
            ],
        )
        signing_in_app(app, rng, main)
        main.lines.append('app.register_blueprint(bp, url_prefix="/api")')
        env = iac_secret(app, rng, "serverless.yml", FLASK_SLS, lambda name, value: f"{name}: {value}")
        app.extra["serverless.yml"] = FLASK_SLS.format(service=service, env=env, wsgi="app.app")
        app.extra["requirements.txt"] = "flask==3.0.3\npymysql==1.1.1\nrequests==2.32.3\n"
    elif fw == "fastapi":
        app.buf(
            "src/svc/app.py",
            [
                '"""The FastAPI app."""',
                "",
                "from fastapi import FastAPI",
                "",
                "from svc.routes import router",
                "",
                "app = FastAPI()",
                'app.include_router(router, prefix="/api")',
            ],
        )
        app.buf(
            "src/main.py",
            [
                '"""Lambda entry point: the app behind Mangum."""',
                "",
                "from mangum import Mangum",
                "",
                "from svc.app import app",
                "",
                'handler = Mangum(app, lifespan="off")',
            ],
        )
        env = iac_secret(app, rng, "template.yaml", SAM, lambda name, value: f"{name}: {value}")
        app.extra["template.yaml"] = SAM.format(
            description="FastAPI behind Mangum", handler="main.handler", event="HttpApi", env=env
        )
        app.extra["src/requirements.txt"] = "fastapi==0.115.0\nmangum==0.17.0\npymysql==1.1.1\nrequests==2.32.3\n"
    elif fw == "django":
        project = app.buf(
            "project/settings.py",
            [
                '"""Settings of the Django project."""',
                "",
                "import os",
                "",
                "DEBUG = False",
                'ALLOWED_HOSTS = ["*"]',
                'ROOT_URLCONF = "project.urls"',
                'INSTALLED_APPS = ["django.contrib.contenttypes", "svc"]',
            ],
        )
        django_secret_key(app, rng, project)
        app.buf("project/__init__.py", [])
        app.buf(
            "project/urls.py",
            ["from django.urls import include, path", "", 'urlpatterns = [path("api/", include("svc.urls"))]'],
        )
        app.buf(
            "project/wsgi.py",
            [
                '"""WSGI entry point, run by serverless-wsgi."""',
                "",
                "import os",
                "",
                "from django.core.wsgi import get_wsgi_application",
                "",
                'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")',
                "",
                "application = get_wsgi_application()",
            ],
        )
        env = iac_secret(app, rng, "serverless.yml", FLASK_SLS, lambda name, value: f"{name}: {value}")
        app.extra["serverless.yml"] = FLASK_SLS.format(service=service, env=env, wsgi="project.wsgi.application")
        app.extra["requirements.txt"] = "django==5.1.3\npymysql==1.1.1\nrequests==2.32.3\n"
    elif fw == "chalice":
        env = iac_secret(app, rng, ".chalice/config.json", CHALICE_CONFIG, lambda name, value: f'"{name}": "{value}"')
        app.extra[".chalice/config.json"] = CHALICE_CONFIG.format(service=service, env=env)
        app.extra["requirements.txt"] = "pymysql==1.1.1\nrequests==2.32.3\n"
    else:
        app.buf(
            "src/app.py",
            [
                '"""Entry point: a Powertools REST resolver."""',
                "",
                "from aws_lambda_powertools.event_handler import APIGatewayRestResolver",
                "",
                "from svc import routes",
                "",
                "app = APIGatewayRestResolver()",
                'app.include_router(routes.router, prefix="/api")',
                "",
                "",
                "def lambda_handler(event, context):",
                "    return app.resolve(event, context)",
            ],
        )
        env = iac_secret(app, rng, "template.yaml", SAM, lambda name, value: f"{name}: {value}")
        app.extra["template.yaml"] = SAM.format(
            description="Powertools REST resolver", handler="app.lambda_handler", event="Api", env=env
        )
        app.extra["src/requirements.txt"] = "aws-lambda-powertools==2.43.1\npymysql==1.1.1\nrequests==2.32.3\n"


def build_express(app: App, rng: random.Random, routes_count: int) -> None:
    service = f"express-{app.root.name.rsplit('-', 1)[-1]}"
    js_imports = [
        '"use strict";',
        'const fs = require("fs");',
        'const path = require("path");',
        'const util = require("util");',
        'const vm = require("vm");',
        'const { exec, execSync, execFileSync, spawnSync } = require("child_process");',
        'const axios = require("axios");',
        'const escapeHtml = require("escape-html");',
        'const db = require("./db");',
        "",
        "const execAsync = util.promisify(exec);",
    ]
    routes = app.buf(
        "src/routes/api.js",
        [
            *[line.replace('"./db"', '"../lib/db"') for line in js_imports],
            'const express = require("express");',
            'const helpers = require("../lib/helpers");',
            "",
            "const router = express.Router();",
        ],
    )
    helpers = app.buf("src/lib/helpers.js", [*js_imports, 'const backend = require("./backend");'])
    backend = app.buf("src/lib/backend.js", list(js_imports))
    app.buf(
        "src/lib/db.js",
        [
            'const mysql = require("mysql2/promise");',
            'const { Pool } = require("pg");',
            "",
            "exports.pg = new Pool();",
            "const password = process.env.DB_PASSWORD;",
            'exports.pool = mysql.createPool({ host: process.env.DB_HOST, user: "app", password });',
        ],
    )
    config = app.buf("src/config.js", ['"use strict";', ""])
    secrets(app, rng, config, "node", rng.randint(2, 4))
    config.lines.append('exports.ISSUER = "https://auth.example.com";')
    for n in range(1, routes_count + 1):
        js_route(app, rng, n, routes, helpers, backend)
    routes.lines.extend(["", "module.exports = router;"])
    app.buf(
        "src/app.js",
        [
            'const express = require("express");',
            'const api = require("./routes/api");',
            'const config = require("./config");',
            "",
            "const app = express();",
            "app.use(express.json());",
            'app.use("/api", api);',
            'app.set("jwt issuer", config.ISSUER);',
            "",
            "module.exports = app;",
        ],
    )
    app.buf(
        "src/handler.js",
        [
            'const serverless = require("serverless-http");',
            'const app = require("./app");',
            "",
            "module.exports.handler = serverless(app);",
        ],
    )
    deps = {
        "pg": "^8.13.0",
        "axios": "^1.7.7",
        "escape-html": "^1.0.3",
        "express": "^4.19.2",
        "mysql2": "^3.11.0",
        "serverless-http": "^3.2.0",
    }
    app.extra["package.json"] = json.dumps({"name": service, "private": True, "dependencies": deps}, indent=2) + "\n"
    env = iac_secret(app, rng, "serverless.yml", EXPRESS_SLS, lambda name, value: f"{name}: {value}")
    app.extra["serverless.yml"] = EXPRESS_SLS.format(service=service, env=env)


FLASK_SLS = """service: {service}

provider:
  name: aws
  runtime: python3.12
  environment:
    LOG_LEVEL: info
    {env}

plugins:
  - serverless-wsgi

custom:
  wsgi:
    app: {wsgi}

functions:
  api:
    handler: wsgi_handler.handler
    events:
      - http:
          path: /
          method: ANY
      - http:
          path: /{{proxy+}}
          method: ANY
"""

EXPRESS_SLS = """service: {service}

provider:
  name: aws
  runtime: nodejs22.x
  environment:
    LOG_LEVEL: info
    {env}

functions:
  api:
    handler: src/handler.handler
    events:
      - httpApi: "*"
"""

SAM = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: {description}

Globals:
  Function:
    Runtime: python3.12
    Timeout: 20
    Environment:
      Variables:
        LOG_LEVEL: info
        {env}

Resources:
  ApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: {handler}
      Events:
        Proxy:
          Type: {event}
          Properties:
            Path: /{{proxy+}}
            Method: ANY
"""

CHALICE_CONFIG = """{{
  "version": "2.0",
  "app_name": "{service}",
  "environment_variables": {{
    "LOG_LEVEL": "info",
    {env}
  }},
  "stages": {{
    "dev": {{
      "api_gateway_stage": "api",
      "lambda_timeout": 20
    }}
  }}
}}
"""

BUILDERS: dict[Framework, Callable[[App, random.Random, int], None]] = {
    "flask": build_python,
    "fastapi": build_python,
    "chalice": build_python,
    "powertools": build_python,
    "django": build_python,
    "express": build_express,
}


def generate(out: Path, apps: int, seed: int = DEFAULT_SEED, routes: tuple[int, int] = (8, 12)) -> list[Path]:
    """Write `apps` apps of each framework under `out` (emptied first); returns the app folders."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written = []
    for fw in FRAMEWORKS:
        for i in range(1, apps + 1):
            # one generator per app, seeded from (seed, framework, index): an app does not change when N does
            rng = random.Random(f"{seed}:{fw}:{i}")
            app = App(fw, out / f"{fw}-{i}")
            BUILDERS[fw](app, rng, rng.randint(*routes))
            app.write()
            write_truth(out, app.root, fw, seed, app.truth)
            written.append(app.root)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", type=int, default=5, help="apps per framework")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "gen-frameworks")
    args = parser.parse_args()
    for root in generate(args.out, args.apps, args.seed):
        print(root)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
