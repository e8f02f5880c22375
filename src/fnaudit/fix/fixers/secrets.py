"""SECRET001 / SECRET002: a secret written in the repository becomes a reference to a secret store.

The value written in the file is replaced, on its own line, by a reference in the dialect of the file:

- serverless.yml: `${ssm:/<service>/${sls:stage}/<NAME>}` (one parameter per stage; the Framework v3 decrypts a
  SecureString by itself);
- SAM / CloudFormation: `'{{resolve:secretsmanager:<app>/<NAME>}}'`. Not `{{resolve:ssm-secure:…}}`: CloudFormation
  resolves `ssm-secure` only in the resource properties its documentation lists, and `AWS::Lambda::Function`
  `Environment` is not one of them ("Secure strings can only be used for resource properties that support the
  ssm-secure dynamic reference pattern", https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/
  dynamic-references-ssm-secure-strings.html);
- Terraform: a `data "aws_ssm_parameter"` block after the function's resource, and `data.aws_ssm_parameter.<n>.value`.

Each reference is resolved when the app is deployed, by the identity that deploys it (the Framework's or
CloudFormation's credentials, Terraform's provider), so the function's role needs no new permission; the note says
so, and names the role where a later move to reading the secret at runtime would add the grant (the IAM fixer owns
statements: nothing is edited here).

A secret in code (SECRET002) assigned as one simple literal on one line (`API_KEY = "…"` in Python, `const apiKey =
"…";` in JavaScript / TypeScript) becomes an environment lookup (`os.environ["API_KEY"]`, `process.env.API_KEY`), and
the function gets the environment variable with the reference above. Anything else is a `NoFix` saying why.

The value itself never appears in fnaudit's output. Each fix prints the command that stores it (`Fix.commands`): a
small Python program, the same text every time (`_READ`), reads the value from the file at run time, by path, line
and columns (from the working copy while the fix is not written yet, else from `git show HEAD:`), checks the line
still is what the fixer saw (the text before the value, and no reference yet), unquotes it as the file's syntax
says, writes it to a private temporary file and runs the `aws` command with `file://` of it, so the value is never
on a command line, in a shell variable or in a pipe the CLI might read twice; quotes, `$`, backslashes and newlines
of the value survive. The fixer checks, before it proposes the command, that this unquoting gives back exactly the
value the scan read (the whole value for an environment variable, its redacted preview and length for code).
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from fnaudit.findings import Finding
from fnaudit.fix.context import FixContext
from fnaudit.fix.model import Edit, Fix, NoFix
from fnaudit.fix.registry import fixer
from fnaudit.fix.text import (
    Format,
    brace_block_end,
    find_key,
    format_of,
    indent_of,
    is_blank_or_comment,
    yaml_block_end,
    yaml_child_indent,
)
from fnaudit.model.app import App, Dialect, Function
from fnaudit.model.loc import Origin
from fnaudit.redact import redact

# The program of every store command: argv is path, line, start column, end column, style, the text before the
# value, the reference the fix writes, `--`, then the aws command whose last option takes `file://<the value>`.
_READ = (
    "import os,sys,ast,json,shutil,tempfile,subprocess as s;"
    "p,n,a,b,st,k,m=sys.argv[1:8];n,a,b=int(n)-1,int(a),int(b);"
    'L=lambda t:(t.splitlines()+[""]*(n+1))[n];'
    "ok=lambda l:len(l)>=b and l[:a].endswith(k) and m not in l;"
    'l=L(open(p,encoding="utf-8").read());'
    'l=l if ok(l) else L(s.run(["git","-C",os.path.dirname(p) or ".","show","HEAD:./"+os.path.basename(p)],'
    "capture_output=True,text=True).stdout);"
    'ok(l) or sys.exit(f"the secret is no longer at {p}:{n+1} (nor in git HEAD): store it by hand");'
    "r=l[a:b];"
    'v=r if st=="plain" else r[1:-1] if st=="raw" else r[1:-1].replace(chr(39)*2,chr(39)) if st=="single" '
    'else ast.literal_eval(r) if st=="python" '
    'else json.loads(r).replace("$${","${").replace("%%{","%{") if st=="hcl" else json.loads(r);'
    'shutil.which(sys.argv[9]) or sys.exit(sys.argv[9]+" not found");'
    "fd,f=tempfile.mkstemp();os.write(fd,v.encode());os.close(fd);"
    'c=s.run(sys.argv[9:]+["file://"+f]).returncode;os.remove(f);sys.exit(c)'
)


@dataclass(frozen=True, slots=True)
class Scalar:
    """A value as written on its line: columns `start` … `end - 1` (quotes included) and how it is quoted."""

    start: int
    end: int
    style: str  # plain | single (YAML '') | double (JSON / YAML "") | hcl ("" with $${) | python | raw ('' in JS)


def decode(raw: str, style: str) -> str | None:
    """The value `raw` (as written) stands for, exactly as `_READ` computes it; None when it cannot say."""
    try:
        if style == "plain":
            return raw
        if style == "raw":
            return raw[1:-1]
        if style == "single":
            return raw[1:-1].replace("''", "'")
        if style == "python":
            value = ast.literal_eval(raw)  # a literal only: nothing is evaluated
            return value if isinstance(value, str) else None
        value = json.loads(raw)
        if not isinstance(value, str):
            return None
        return value.replace("$${", "${").replace("%%{", "%{") if style == "hcl" else value
    except (ValueError, SyntaxError):
        return None


def find_value(line: str, key: str, fmt: Format) -> tuple[int, Scalar] | None:
    """(column where the key starts, the value) of `key: value` / `"key": value` / `key = value` on `line`;
    None when the key is not there exactly once or its value is not one scalar on this line."""
    quoted = r'(?:"' + re.escape(key) + r'"|\'' + re.escape(key) + r"'|" + re.escape(key) + ")"
    sep = r"\s*=\s*" if fmt is Format.HCL else r"\s*:[ \t]+" if fmt is Format.YAML else r"\s*:\s*"
    found = list(re.finditer(r"(?:(?<=^)|(?<=[\s{,]))" + quoted + sep, line))
    if len(found) != 1:
        return None
    key_start, at = found[0].start(), found[0].end()
    flow = fmt is Format.YAML and any(ch in "{[" for ch in line[:key_start])
    scalar = _scalar(line, at, fmt, flow)
    return None if scalar is None else (key_start, scalar)


def _scalar(line: str, at: int, fmt: Format, flow: bool) -> Scalar | None:
    if at >= len(line):
        return None
    first = line[at]
    if first == '"':
        end = _closing_double(line, at)
        style = "hcl" if fmt is Format.HCL else "double"
        return None if end is None else Scalar(at, end, style)
    if first == "'" and fmt is Format.YAML:
        i = at + 1
        while i < len(line):
            if line[i] == "'":
                if line[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                return Scalar(at, i + 1, "single")
            i += 1
        return None
    if fmt is not Format.YAML or first in "&*!|>{[#'\"%@`":
        return None  # an anchor, alias, tag, block scalar or collection: not one literal written here
    stop = re.compile(r"\s#|,|[}\]]" if flow else r"\s#")
    m = stop.search(line, at)
    end = m.start() if m else len(line)
    while end > at and line[end - 1] in " \t":
        end -= 1
    return Scalar(at, end, "plain") if end > at else None


def _closing_double(line: str, at: int) -> int | None:
    i = at + 1
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        if line[i] == '"':
            return i + 1
        i += 1
    return None


@dataclass(frozen=True, slots=True)
class Store:
    """Where a secret goes: the reference the IaC holds and the command that stores the value."""

    reference: str  # as the IaC writes it (quoted by `_quoted` for YAML / JSON)
    aws: tuple[str, ...]  # the aws command, its last option taking `file://<value>`
    where: str  # "SSM parameter /orders/dev/DB_PASSWORD" for the summary
    note: str
    data_block: tuple[str, ...] = ()  # Terraform: the data source to add (without indentation)
    data_name: str = ""


def _app_label(app: App, ctx: FixContext) -> str:
    """A name for the app's secrets: the stack of samconfig.toml, else the app's folder, else the scan root's."""
    folder = ctx.sources.root / app.root
    config = ctx.sources.text(f"{app.root}/samconfig.toml" if app.root else "samconfig.toml")
    if config:
        try:
            stack = tomllib.loads(config).get("default", {}).get("deploy", {}).get("parameters", {}).get("stack_name")
        except tomllib.TOMLDecodeError:
            stack = None
        if isinstance(stack, str) and re.fullmatch(r"[A-Za-z0-9/_+=.@-]+", stack):
            return stack
    name = (Path(app.root).name if app.root else folder.resolve().name) or "app"
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name)


def _stage(app: App, fn: Function, ctx: FixContext) -> str:
    """The stage the scan deployed to: from the Framework's `<service>-<stage>-<function>` name (which `--stage`
    decided), else `provider.stage` when written as a plain word, else the Framework's `dev`."""
    name = fn.deployed_name or ""
    head, tail = f"{app.name}-", f"-{fn.name}"
    if name.startswith(head) and name.endswith(tail) and len(name) > len(head) + len(tail):
        return name[len(head) : -len(tail)]
    lines = ctx.sources.lines(app.source) or []
    provider = next((i for i, line in enumerate(lines) if re.match(r"provider:\s*(?:#.*)?$", line)), None)
    if provider is not None:
        at = find_key(lines, provider + 1, yaml_block_end(lines, provider), "stage")
        m = re.match(r"\s*stage:\s*([A-Za-z0-9_-]+)\s*(?:#.*)?$", lines[at]) if at is not None else None
        if m:
            return m.group(1)
    return "dev"


def _store(app: App, fn: Function, env: str, ctx: FixContext) -> Store | str:
    """The store for the secret of `fn`'s variable `env`, in the app's dialect; a reason when there is none."""
    deploy = (
        "the reference is resolved when the app is deployed, with the deploying identity's credentials: it needs "
        "{action} on {what} (and kms:Decrypt when a customer-managed key encrypts it); the function's role{role} "
        "needs nothing for this, and needs {action} on it only if the code later reads the secret at runtime"
    )
    role = _role_where(fn)
    if app.dialect is Dialect.SERVERLESS:
        stage = _stage(app, fn, ctx)
        prefix, leaf = _ssm_convention(app, env)
        name = f"/{prefix}/{stage}/{leaf}"
        return Store(
            f"${{ssm:/{prefix}/${{sls:stage}}/{leaf}}}",
            ("aws", "ssm", "put-parameter", "--type", "SecureString", "--name", name, "--value"),
            f"SSM parameter /{prefix}/<stage>/{leaf}",
            f"store the value for every stage you deploy (the command stores it for {stage}); "
            + deploy.format(action="ssm:GetParameter", what=f"parameter {name}", role=role),
        )
    if app.dialect in (Dialect.SAM, Dialect.CLOUDFORMATION):
        name = f"{_app_label(app, ctx)}/{env}"
        return Store(
            f"{{{{resolve:secretsmanager:{name}}}}}",
            ("aws", "secretsmanager", "create-secret", "--name", name, "--secret-string"),
            f"Secrets Manager secret {name}",
            deploy.format(action="secretsmanager:GetSecretValue", what=f"secret {name}", role=role),
        )
    if app.dialect is Dialect.TERRAFORM:
        base = (fn.deployed_name or fn.name.rsplit(".", 1)[-1]).strip("/")
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", base):
            base = fn.name.rsplit(".", 1)[-1]
        name = f"/{base}/{env}"
        data = re.sub(r"[^a-z0-9_]+", "_", f"{fn.name.rsplit('.', 1)[-1]}_{env}".lower())
        return Store(
            f"data.aws_ssm_parameter.{data}.value",
            ("aws", "ssm", "put-parameter", "--type", "SecureString", "--name", name, "--value"),
            f"SSM parameter {name}",
            "Terraform reads the parameter when it plans (the value is in the state, as it was; keep the state "
            "encrypted); " + deploy.format(action="ssm:GetParameter", what=f"parameter {name}", role=role),
            data_block=(f'data "aws_ssm_parameter" "{data}" {{', f'  name = "{name}"', "}"),
            data_name=data,
        )
    return f"the {app.dialect.value} dialect has no secret reference fnaudit writes yet: move the value by hand"


_SLS_SSM = re.compile(r"^\$\{ssm:/([A-Za-z0-9_.-]+)/\$\{sls:stage\}/([A-Za-z0-9_.-]+)\}$")


def _ssm_convention(app: App, env: str) -> tuple[str, str]:
    """(prefix, parameter name) for `env`: the app's own `${ssm:/<prefix>/${sls:stage}/<name>}` convention when
    every such reference it has agrees on the prefix (and on lower-case names), else the service and `env`."""
    found = [
        m.groups()
        for f in app.functions
        for v in f.environment.values()
        if v.ref is not None and (m := _SLS_SSM.match(v.ref.text))
    ]
    prefixes = {p for p, _ in found}
    prefix = prefixes.pop() if len(prefixes) == 1 else app.name
    lower = bool(found) and all(n == n.lower() for _, n in found)
    return prefix, env.lower().replace("_", "-") if lower else env


def _role_where(fn: Function) -> str:
    role = fn.role
    if role is None or role.external or not role.loc.path:
        return ""
    return f" ({role.name or role.id}, {role.loc})"


def _command(ctx: FixContext, path: str, line: int, key_start: int, scalar: Scalar, text: str, marker: str,
             aws: tuple[str, ...]) -> str:  # fmt: skip
    where = str(ctx.sources.root / path)
    args = (where, str(line), str(scalar.start), str(scalar.end), scalar.style, text[key_start : scalar.start])
    return shlex.join(("python3", "-c", _READ, *args, marker, "--", *aws))


def _quoted(reference: str, fmt: Format, scalar: Scalar, flow: bool) -> str:
    """The reference written where the value was, quoted as the file needs (and as the value was, if it was)."""
    if fmt is Format.HCL and reference.startswith("data."):
        return reference
    if fmt in (Format.JSON, Format.HCL) or scalar.style == "double":
        return json.dumps(reference)
    if scalar.style == "single" or reference.startswith("{") or (flow and "{" in reference):
        return "'" + reference.replace("'", "''") + "'"
    return reference


def _nofix(finding: Finding, reason: str) -> NoFix:
    return NoFix(finding.rule_id, finding.fingerprint, finding.function, reason)


@fixer("SECRET001")
def environment_secret(finding: Finding, ctx: FixContext) -> Fix | NoFix | None:
    """A plaintext secret in a function's environment becomes a reference to a secret store."""
    fn, app = ctx.function(finding), ctx.app(finding)
    if fn is None or app is None:
        return None
    env = finding.evidence.split("=", 1)[0]
    value = fn.environment.get(env)
    if value is None or not isinstance(value.value, str):
        return None
    store = _store(app, fn, env, ctx)
    if isinstance(store, str):
        return _nofix(finding, store)
    loc = value.loc
    lines = ctx.sources.lines(loc.path)
    if lines is None or not 0 < loc.line <= len(lines):
        return _nofix(finding, f"{loc.path} cannot be edited here (generated, outside the folder, or not text)")
    fmt = format_of(loc.path)
    if fmt is Format.TEXT:
        return _nofix(finding, f"{loc.path} is not YAML, JSON or HCL (a serverless.ts?): move {env} there by hand")
    text = lines[loc.line - 1]
    found = find_value(text, env, fmt)
    if found is None or decode(text[found[1].start : found[1].end], found[1].style) != value.value:
        return _nofix(
            finding,
            f"the value of {env} is not written as one literal on {loc} (a variable, an anchor, a block scalar or "
            "an escape fnaudit cannot read back): move it to a secret store by hand",
        )
    key_start, scalar = found
    if app.dialect is Dialect.SAM and value.origin is Origin.INHERITED:
        # CloudFormation resolves a dynamic reference after the SAM transform copies Globals into each function,
        # but cfn-lint rejects one written in Globals (E1051): the fix must not break the user's linter.
        return _nofix(
            finding,
            f"{env} is set in Globals, where cfn-lint rejects a dynamic reference (E1051): set it on each function "
            "as `'{{resolve:secretsmanager:…}}'` by hand",
        )
    flow = fmt is Format.YAML and any(ch in "{[" for ch in text[:key_start])
    new = text[: scalar.start] + _quoted(store.reference, fmt, scalar, flow) + text[scalar.end :]
    edits = [Edit(loc.path, loc.line, loc.line + 1, (new,))]
    if store.data_block:
        block = _data_block(ctx, fn, store)
        if isinstance(block, str):
            return _nofix(finding, block)
        edits.append(block)
    command = _command(ctx, loc.path, loc.line, key_start, scalar, text, store.reference, store.aws)
    where = " (set once for every function that inherits it)" if value.origin is Origin.INHERITED else ""
    return Fix(
        finding.rule_id,
        finding.fingerprint,
        finding.function,
        f"environment variable {env} → {store.where}{where}",
        tuple(edits),
        notes=(
            "run the command below before deploying (it reads the current value from the file, or from git HEAD "
            "once the fix is written, and never prints it); then rotate the value: it stays in the repository "
            "history",
            store.note,
        ),
        commands=(command,),
        masked=(value.value,),
    )


def _data_block(ctx: FixContext, fn: Function, store: Store) -> Edit | str:
    """The Terraform data source, after the file's last `aws_ssm_parameter` data source when it keeps some, else
    after the function's resource block; indented as the file indents."""
    path = fn.loc.path
    lines = ctx.sources.lines(path)
    if not path.endswith(".tf") or lines is None or not 0 < fn.loc.line <= len(lines):
        return f"{fn.name} is not declared in a .tf file fnaudit can edit: add the data source by hand"
    if "{" not in lines[fn.loc.line - 1]:
        return f"the resource of {fn.name} is not where the scan read it: add the data source by hand"
    declared = re.compile(rf'\s*data\s+"aws_ssm_parameter"\s+"{re.escape(store.data_name)}"')
    folder = (ctx.sources.root / path).parent
    for other in sorted(folder.glob("*.tf")):
        text = ctx.sources.text(other.relative_to(ctx.sources.root).as_posix()) or ""
        if any(declared.match(line) for line in text.splitlines()):
            return f'the module already declares data "aws_ssm_parameter" "{store.data_name}": reuse it by hand'
    kept = [i for i, line in enumerate(lines) if re.match(r'data\s+"aws_ssm_parameter"\s+"[^"]+"\s*\{', line)]
    anchor = kept[-1] if kept else fn.loc.line - 1
    close = brace_block_end(lines, anchor)
    step = next((indent_of(line) for line in lines[anchor + 1 : close] if not is_blank_or_comment(line)), 2)
    step -= indent_of(lines[anchor])
    base = " " * indent_of(lines[anchor])
    body = [base + (" " * max(step, 1) + line[2:] if line.startswith("  ") else line) for line in store.data_block]
    if close + 1 < len(lines) and not lines[close + 1].strip():  # after the blank line that follows the block
        return Edit(path, close + 3, close + 3, (*body, ""))
    return Edit(path, close + 2, close + 2, ("", *body))


# ---- SECRET002: a literal in code becomes an environment lookup ----

# `NAME = "…"`, `name: str = "…"`, `app.secret_key = "…"`; `const name = "…";` (a TypeScript `: string` annotation
# is left alone: `process.env.X` is `string | undefined`, and what to do without it is the author's call)
_PY_ASSIGN = re.compile(r"^(?P<indent>\s*)(?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*(?::\s*str\s*)?=\s*")
_JS_ASSIGN = re.compile(r"^(?P<indent>\s*)(?:export\s+)?(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*=\s*")


@fixer("SECRET002")
def code_secret(finding: Finding, ctx: FixContext) -> Fix | NoFix | None:
    """A secret literal assigned on one line of a function's code becomes an environment lookup."""
    app, fns = _functions_of(finding, ctx)
    if app is None:
        return None
    if not fns:
        return _nofix(finding, "no function ships the file: remove the secret from it by hand")
    fn = fns[0]
    loc = finding.location
    lines = ctx.sources.lines(loc.path)
    if lines is None or not 0 < loc.line <= len(lines):
        return _nofix(finding, f"{loc.path} cannot be edited here (inside a package, outside the folder)")
    text = lines[loc.line - 1]
    python = loc.path.endswith(".py")
    javascript = loc.path.endswith((".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"))
    m = (_PY_ASSIGN if python else _JS_ASSIGN).match(text) if python or javascript else None
    literal = _code_literal(text, m.end(), python) if m else None
    preview = finding.evidence.split("=", 1)[1] if "=" in finding.evidence else finding.evidence
    if (
        m is None
        or literal is None
        or redact(decode(text[literal.start : literal.end], literal.style) or "") != preview
    ):
        return _nofix(
            finding,
            f"the secret on {loc} is not one literal assigned to a name on one line (an argument, a default, a "
            "concatenation or a multi-line value): move it to a secret store and read it from the environment by hand",
        )
    name = m.group("name")
    env = _env_name(name.rsplit(".", 1)[-1])
    store = _store(app, fn, env, ctx)
    if isinstance(store, str):
        return _nofix(finding, store)
    taken = [f.name for f in fns if env in f.environment]
    if taken:
        return _nofix(
            finding, f"function {taken[0]} already has an environment variable {env}: choose the name by hand"
        )
    lookup = f'os.environ["{env}"]' if python else f"process.env.{env}"
    edits = [Edit(loc.path, loc.line, loc.line + 1, (text[: literal.start] + lookup + text[literal.end :],))]
    if python and not _imports_os(lines):
        at, inserted = _import_line(lines, loc.line)
        edits.append(Edit(loc.path, at, at, inserted))
    for added in _add_environment(ctx, app, fns, env, store):
        if isinstance(added, str):
            return _nofix(finding, added)
        edits.extend(added)
    command = _command(ctx, loc.path, loc.line, m.start("name"), literal, text, lookup, store.aws)
    return Fix(
        finding.rule_id,
        finding.fingerprint,
        finding.function,
        f"{name} read from the environment variable {env} → {store.where}",
        tuple(edits),
        notes=(
            (
                f"the code now raises KeyError when {env} is not set"
                if python
                else f"`{name}` is undefined when {env} is not set"
            )
            + " (run the tests with it set); run the command below "
            "before deploying (it reads the current value from the file, or from git HEAD once the fix is written, "
            "and never prints it); then rotate the value: it stays in the repository history",
            store.note,
            *(
                (
                    "the variable is set in `provider.environment`, for every function: each one ships the file; "
                    "set it only on the functions that read it if you package them one by one",
                )
                if _whole_service(app, fns)
                else ()
            ),
        ),
        commands=(command,),
        masked=tuple(v for v in (decode(text[literal.start : literal.end], literal.style),) if v),
    )


def _env_name(name: str) -> str:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^A-Za-z0-9_]", "_", snake).upper()


def _code_literal(line: str, at: int, python: bool) -> Scalar | None:
    """The string literal at `at` when it is the whole value of the assignment (then `;` / a comment)."""
    if at >= len(line) or line[at] not in "'\"":
        return None
    quote = line[at]
    if line.startswith(quote * 3, at):
        return None
    end = _closing_double(line, at) if quote == '"' else _closing_single(line, at)
    if end is None:
        return None
    rest = line[end:].strip()
    if rest and not rest.startswith(("#",) if python else (";", "//")):
        return None
    raw = line[at:end]
    if python:
        return Scalar(at, end, "python")
    if "\\" in raw:
        return None  # JavaScript escapes are not JSON's: left to a person
    return Scalar(at, end, "double" if quote == '"' else "raw")


def _closing_single(line: str, at: int) -> int | None:
    i = at + 1
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        if line[i] == "'":
            return i + 1
        i += 1
    return None


def _imports_os(lines: list[str]) -> bool:
    return any(re.match(r"import\s+(?:[\w.]+\s*,\s*)*os\s*(?:,|$|#)", line) for line in lines)


def _import_line(lines: list[str], before: int) -> tuple[int, tuple[str, ...]]:
    """Where `import os` goes and what is inserted there: in sorted place among the first block of top-level
    imports when that block is the standard library's, else as a block of its own before it (isort's order);
    without imports, just before the line that uses it."""
    first = next(
        (
            i
            for i, line in enumerate(lines[: before - 1])
            if re.match(r"(?:import|from)\s", line) and "__future__" not in line
        ),
        None,
    )
    if first is None:
        return before, ("import os",)
    module = re.match(r"(?:import|from)\s+([\w]+)", lines[first])
    if module is None or module.group(1) not in sys.stdlib_module_names:
        return first + 1, ("import os", "")
    i = first
    while i < len(lines) and re.match(r"(?:import|from)\s", lines[i]):
        m = re.match(r"import\s+([\w.]+)", lines[i])
        if m and m.group(1) > "os":
            return i + 1, ("import os",)
        i += 1
    return i + 1, ("import os",)


def _functions_of(finding: Finding, ctx: FixContext) -> tuple[App | None, list[Function]]:
    """The app and the functions shipping the file of a code finding (one, or all those sharing the file)."""
    ids = finding.function_ids or ((finding.function_id,) if finding.function_id else ())
    for app in ctx.result.apps:
        fns = [f for f in app.functions if f.id in ids]
        if fns:
            return app, fns
    return ctx.app(finding), []


def _add_environment(ctx: FixContext, app: App, fns: list[Function], env: str, store: Store) -> list[list[Edit] | str]:
    """The edits that give each of `fns` the variable `env` (a serverless app's every function: `provider`)."""
    if _whole_service(app, fns):
        lines = ctx.sources.lines(app.source)
        provider = next((i for i, line in enumerate(lines or []) if re.match(r"provider:\s*(?:#.*)?$", line)), None)
        if lines is not None and provider is not None:
            return [_yaml_environment(lines, app.source, provider, ("environment",), env, store, Format.YAML)]
    return [_add_one(ctx, app, fn, env, store, first=i == 0) for i, fn in enumerate(fns)]


def _whole_service(app: App, fns: list[Function]) -> bool:
    """Every function of a serverless service ships the file (the Framework packages the service as one)."""
    return app.dialect is Dialect.SERVERLESS and len(fns) > 1 and len(fns) == len(app.functions)


def _add_one(ctx: FixContext, app: App, fn: Function, env: str, store: Store, *, first: bool) -> list[Edit] | str:
    """The edits that give `fn` the variable `env` holding the store's reference, in the function's block."""
    path = fn.loc.path
    lines = ctx.sources.lines(path)
    if lines is None or not 0 < fn.loc.line <= len(lines):
        return f"{path} cannot be edited here: add {env} to the function's environment by hand"
    fmt = format_of(path)
    if fmt is Format.YAML and app.dialect is Dialect.SERVERLESS:
        return _yaml_environment(lines, path, fn.loc.line - 1, ("environment",), env, store, fmt)
    if fmt is Format.YAML and app.dialect in (Dialect.SAM, Dialect.CLOUDFORMATION):
        return _yaml_environment(lines, path, fn.loc.line - 1, ("Properties", "Environment", "Variables"), env, store,
                                 fmt)  # fmt: skip
    if fmt is Format.JSON and app.dialect in (Dialect.SAM, Dialect.CLOUDFORMATION):
        return _json_environment(lines, path, fn.loc.line - 1, env, store)
    if fmt is Format.HCL and app.dialect is Dialect.TERRAFORM:
        return _hcl_environment(lines, path, fn, env, store, ctx, data=first)
    return f"adding {env} to a function in {path} is left to a person (a serverless.ts / .json: edit it by hand)"


def _json_environment(lines: list[str], path: str, index: int, env: str, store: Store) -> list[Edit] | str:
    """`"env": "reference"` as the first member of the function's `Environment.Variables` (created as the first
    property when missing): a first member needs no comma on any other line."""
    entry = f"{json.dumps(env)}: {json.dumps(store.reference)}"
    close = brace_block_end(lines, index)
    properties = find_key(lines, index + 1, close, "Properties")
    if properties is None or not lines[properties].rstrip().endswith("{"):
        return f"the Properties of the function on {path}:{index + 1} are not an object opened on their line"
    end = brace_block_end(lines, properties)
    pad = _json_member_indent(lines, properties, end)
    environment = find_key(lines, properties + 1, end, "Environment", len(pad))
    if environment is None:
        member = f'{pad}"Environment": {{"Variables": {{{entry}}}}},'
        return [Edit(path, properties + 2, properties + 2, (member,))]
    variables = find_key(lines, environment + 1, brace_block_end(lines, environment), "Variables")
    if variables is None or not lines[variables].rstrip().endswith("{"):
        return f"Environment on {path}:{environment + 1} is not written one member a line: add {env} by hand"
    inner = _json_member_indent(lines, variables, brace_block_end(lines, variables))
    return [Edit(path, variables + 2, variables + 2, (f"{inner}{entry},",))]


def _json_member_indent(lines: list[str], opening: int, closing: int) -> str:
    """The indentation of the members of the object opened on `lines[opening]`: its first member's."""
    for line in lines[opening + 1 : closing]:
        if line.strip():
            return " " * indent_of(line)
    return " " * (indent_of(lines[opening]) + 2)


def _yaml_environment(lines: list[str], path: str, index: int, keys: tuple[str, ...], env: str, store: Store,
                      fmt: Format) -> list[Edit] | str:  # fmt: skip
    """Walk (or create) `keys` under the block at `lines[index]` and add `env: reference` as their last child."""
    head = lines[index]
    if not head.split("#", 1)[0].rstrip().endswith(":"):
        return f"the function block on {path}:{index + 1} is written in flow style: add {env} by hand"
    entry = f"{env}: {_quoted(store.reference, fmt, Scalar(0, 0, 'plain'), False)}"
    step = yaml_child_indent(lines, index) - indent_of(head)
    for depth, key in enumerate(keys):
        end = yaml_block_end(lines, index)
        child = yaml_child_indent(lines, index)
        at = find_key(lines, index + 1, end, key, child)
        if at is None:
            pad = " " * child
            new = [pad + key + ":"]
            for k, more in enumerate(keys[depth + 1 :], start=1):
                new.append(pad + " " * (step * k) + more + ":")
            new.append(pad + " " * (step * (len(keys) - depth)) + entry)
            # the block's last line is rewritten as it is, with the new keys after it: two fixes creating the same
            # key then overlap (the plan makes the first, and says so of the second) instead of writing it twice
            return [Edit(path, end, end + 1, (lines[end - 1], *new))]
        if not lines[at].split("#", 1)[0].rstrip().endswith(":"):
            return f"{key} on {path}:{at + 1} is written in flow style or as a reference: add {env} by hand"
        index = at
    end = yaml_block_end(lines, index)
    pad = " " * yaml_child_indent(lines, index)
    return [Edit(path, end + 1, end + 1, (pad + entry,))]


def _hcl_environment(lines: list[str], path: str, fn: Function, env: str, store: Store,
                     ctx: FixContext, *, data: bool) -> list[Edit] | str:  # fmt: skip
    start = fn.loc.line - 1
    close = brace_block_end(lines, start)
    step = next((indent_of(line) for line in lines[start + 1 : close] if not is_blank_or_comment(line)), 2)
    step -= indent_of(lines[start])
    base = " " * indent_of(lines[start])
    entry = f"{env} = {store.reference}"
    edits: list[Edit] = []
    block = next((i for i in range(start + 1, close) if re.match(r"\s*environment\s*\{", lines[i])), None)
    if block is None:
        pad = base + " " * step
        new = (f"{pad}environment {{", f"{pad}{' ' * step}variables = {{", f"{pad}{' ' * step * 2}{entry}",
               f"{pad}{' ' * step}}}", f"{pad}}}")  # fmt: skip
        edits.append(Edit(path, close + 1, close + 2, (*new, lines[close])))  # one fix creates the block
    else:
        variables = find_key(lines, block + 1, brace_block_end(lines, block), "variables")
        if variables is None or not lines[variables].rstrip().endswith("{"):
            return f"the environment of {fn.name} on {path}:{block + 1} is not a literal map: add {env} by hand"
        inner = brace_block_end(lines, variables)
        pad = " " * (indent_of(lines[variables]) + step)
        edits.append(Edit(path, inner + 1, inner + 1, (pad + entry,)))
    if data:  # one data source, after the first function, for every function given the variable
        block_edit = _data_block(ctx, fn, store)
        if isinstance(block_edit, str):
            return block_edit
        edits.append(block_edit)
    return edits
