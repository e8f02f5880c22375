"""AUTH001-003: who may reach a function. A public route gets the app's one authorizer, a function URL with
`AuthType: NONE` becomes `AWS_IAM`, an invoke permission for `*` gets the caller's `SourceArn`.

Every fix here changes who can call the function, so each says what callers must do afterwards. None is a guess:
when the app has no authorizer or several, or the caller of a permission is not in the app, the finding is a
`NoFix` naming what a person must choose.

Function URLs (AUTH002). The URL's `AuthType` becomes `AWS_IAM`. A URL with `NONE` usually comes with the
resource-based grant that makes it public: an `AWS::Lambda::Permission` (`aws_lambda_permission`) for
`lambda:InvokeFunctionUrl` to Principal `*` with `FunctionUrlAuthType: NONE`. That grant is removed, not
rewritten: turned into `FunctionUrlAuthType: AWS_IAM` with Principal `*` it would let every signed-in AWS
principal of every account call the URL, and left as it is it is a public grant that no longer matches the URL
(a trap for whoever switches the URL back). Callers of the same account need `lambda:InvokeFunctionUrl` in their
own IAM policy, which no resource policy can give; a caller of another account needs a grant naming its account,
which only the owner can write. SAM and the Serverless Framework generate that grant from the URL's auth type,
so there only the URL changes. A grant something else refers to (`DependsOn`, a Terraform reference) is left in
place with a note: removing it would break the template.

Invoke permissions (AUTH003). When the function's only caller that needs a resource-based grant is in the app
(an API Gateway API, an SNS topic, an EventBridge rule, an S3 bucket), `Principal` becomes that service and
`SourceArn` the caller's ARN (the API's `execute-api` ARN, built with `Fn::Sub` / the Terraform API's
`execution_arn`); a bucket's ARN names no account, so S3 also gets `SourceAccount`. In CloudFormation a bucket
needs a literal `BucketName` for that: `!GetAtt Bucket.Arn` would be a circular dependency, since the bucket's
notification waits for the permission. With no such caller, or several, the fix is a `NoFix` saying which
principal to name. The principal becomes the service as well (AWS's documented form for each of these callers),
so the grant says who calls, not only from where.

Routes (AUTH001). A route gets the authorizer the app already uses for routes of the same kind (REST `http`,
HTTP API `httpApi`), written the way the file writes it: in serverless.yml the `authorizer:` block of another
route is copied (re-indented, without the `scopes` one route asks for), or `name:` of the one authorizer declared
under `provider.httpApi.authorizers`; in SAM `Auth: {Authorizer: <name>}` on the event; in CloudFormation and Terraform
`AuthorizationType` / `authorization(_type)` and `AuthorizerId` / `authorizer_id` naming the API's authorizer
resource (SAM: the API's `Auth.Authorizers`, and a `DefaultAuthorizer: AWS_IAM`). No authorizer, or several to
choose from: a `NoFix` naming them. A route in an inline OpenAPI body, an ALB target, or a serverless.ts is left
to a person, with the place to change.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

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
    replace_token,
    yaml_block_end,
    yaml_child_indent,
)
from fnaudit.model.api import IMPLICIT_HTTP, IMPLICIT_REST
from fnaudit.model.app import App, Dialect, Function, InvokePermission, Resource, Trigger, TriggerKind, anyone
from fnaudit.model.loc import Loc

_SIGN_NOTE = (
    "callers must now sign each request with SigV4 and hold `lambda:InvokeFunctionUrl` on this function in their "
    "own IAM policy; a browser needs AWS credentials to sign (a Cognito identity pool), and its signed requests need "
    "`Authorization`, `X-Amz-Date` and `X-Amz-Security-Token` in the URL's CORS `AllowHeaders` (the preflight itself "
    "is answered unsigned); behind CloudFront, an origin access control (OAC) for Lambda signs for the viewers"
)
_CROSS_ACCOUNT_NOTE = "a caller in another AWS account needs a permission naming that account (Principal: <account id>)"


_IAC_DIALECTS = (Dialect.SERVERLESS, Dialect.SAM, Dialect.CLOUDFORMATION, Dialect.TERRAFORM)


def _nofix(finding: Finding, reason: str) -> NoFix:
    return NoFix(finding.rule_id, finding.fingerprint, finding.function, reason)


# --- text helpers -------------------------------------------------------------------------------------------

_KEY_VALUE = re.compile(r'^(\s*(?:-\s+)?(?:"[^"]*"|\'[^\']*\'|[^:=\s]+)\s*)(:|=)\s*(.*)$')


def _value_of(line: str) -> str:
    """The value part of `key: value` / `key = value`, without a trailing comment."""
    m = _KEY_VALUE.match(line)
    if m is None:
        return ""
    value = m.group(3)
    if not value.startswith(("'", '"')):
        value = re.split(r"\s+#|\s+//", value, maxsplit=1)[0]
    return value.strip()


def _comment_of(line: str) -> str:
    """A trailing YAML/HCL comment (with the spaces before it), or ''."""
    m = re.search(r"\s+#.*$", line)
    return m.group(0) if m and line.count('"', 0, m.start()) % 2 == 0 else ""


def _step(lines: list[str]) -> int:
    """The file's indentation step: the smallest increase between a line and the next one that is deeper."""
    steps = [
        indent_of(b) - indent_of(a)
        for a, b in itertools.pairwise(lines)
        if not is_blank_or_comment(a) and not is_blank_or_comment(b) and indent_of(b) > indent_of(a)
    ]
    return min(steps) if steps else 2


def _after_value(lines: list[str], index: int, fmt: Format) -> int:
    """The index of the last line of the value that starts on `lines[index]` (a block, or the line itself)."""
    if fmt is Format.YAML:
        return yaml_block_end(lines, index) - 1
    line = lines[index].split("#", 1)[0] if fmt is Format.HCL else lines[index]
    if line.rstrip().rstrip(",").endswith(("{", "[")):
        return brace_block_end(lines, index)
    return index


def _sibling_edit(
    path: str, lines: list[str], index: int, fmt: Format, entries: Iterable[tuple[str, str]]
) -> Edit | None:
    """Edit that adds `key: value` entries right after the property written on `lines[index]` (and its block),
    at its indentation: YAML `key: value`, JSON `"key": value` (commas kept right), HCL `key = value` (aligned
    with the property's `=` when the key fits)."""
    pairs = list(entries)
    last = _after_value(lines, index, fmt)
    indent = " " * indent_of(lines[index])
    if fmt is Format.YAML:
        return Edit(path, last + 2, last + 2, tuple(f"{indent}{k}: {v}" for k, v in pairs))
    if fmt is Format.JSON:
        new = [f'{indent}"{k}": {v}' for k, v in pairs]
        if lines[last].rstrip().endswith(","):
            return Edit(path, last + 2, last + 2, tuple(f"{n}," for n in new))
        body = [f"{n}," for n in new[:-1]] + new[-1:]
        return Edit(path, last + 1, last + 2, (lines[last].rstrip() + ",", *body))
    if fmt is Format.HCL:
        column = lines[index].find("=")
        width = column - len(indent) - 1  # the key width the line's `=` column leaves (`terraform fmt` aligns)
        out: list[str] = []
        if any(len(k) > width for k, _ in pairs):  # a group of their own, aligned among themselves
            width = max(len(k) for k, _ in pairs)
            out.append("")
        out.extend(f"{indent}{k.ljust(width)} = {v}" for k, v in pairs)
        return Edit(path, last + 2, last + 2, tuple(out))
    return None


def _declares(line: str, logical_id: str, fmt: Format) -> bool:
    """`line` is where the resource `logical_id` is declared (`Id:`, `"Id": {`, `resource "type" "name" {`)."""
    if fmt is Format.HCL:
        kind, _, name = logical_id.partition(".")
        return re.match(rf'^\s*resource\s+"{re.escape(kind)}"\s+"{re.escape(name)}"\s*\{{', line) is not None
    return re.match(rf"""^\s*["']?{re.escape(logical_id)}["']?\s*:""", line) is not None


def _removal(path: str, lines: list[str], index: int, fmt: Format) -> tuple[Edit, ...]:
    """Edits that remove the resource declared on `lines[index]` (with one blank line around it, and the comma
    of the entry before it in JSON when it was the last entry of its object)."""
    end = yaml_block_end(lines, index) if fmt is Format.YAML else brace_block_end(lines, index) + 1
    start = index
    while (
        start > 0
        and lines[start - 1].strip().startswith("#")
        and indent_of(lines[start - 1]) == indent_of(lines[index])
    ):
        start -= 1  # the comment written above the resource goes with it
    if fmt is Format.JSON and not lines[end - 1].rstrip().endswith(","):
        prev = start - 1
        while prev >= 0 and not lines[prev].strip():
            prev -= 1
        if prev >= 0 and lines[prev].rstrip().endswith(","):
            return (Edit(path, prev + 1, end + 1, (lines[prev].rstrip()[:-1],)),)
    if start > 0 and not lines[start - 1].strip() and (end >= len(lines) or not lines[end].strip()):
        start -= 1  # a blank line before and after: keep one
    return (Edit(path, start + 1, end + 1, ()),)


def _referenced(lines: list[str], skip: range, logical_id: str, fmt: Format) -> int | None:
    """The index of a line outside `skip` that refers to `logical_id`, if any."""
    if fmt is Format.HCL:
        pattern = re.compile(rf"(?<![\w.-]){re.escape(logical_id)}(?![\w-])")
    else:
        pattern = re.compile(rf"""(?<![\w:]){re.escape(logical_id)}(?![\w])""")
    for i, line in enumerate(lines):
        if i in skip or is_blank_or_comment(line):
            continue
        if pattern.search(line):
            return i
    return None


def _reference(app: App, ctx: FixContext, path: str, skip: range, logical_id: str, fmt: Format) -> Loc | None:
    """Where something refers to `logical_id` (declared in `path`, on the lines `skip`): in the same file, and for
    Terraform in the module's other files too (a reference may be written in any of them)."""
    paths = [path]
    if fmt is Format.HCL:
        others = {r.loc.path for r in app.resources.values()} | set(app.files_read)
        paths += sorted(p for p in others if p != path and format_of(p) is Format.HCL)
    for other in paths:
        lines = ctx.sources.lines(other)
        if lines is None:
            continue
        found = _referenced(lines, skip if other == path else range(0), logical_id, fmt)
        if found is not None:
            return Loc(other, found + 1)
    return None


def _resource_of(app: App, loc: Loc, kind: str) -> Resource | None:
    return next((r for r in app.resources.values() if r.type == kind and r.loc == loc), None)


# --- AUTH002: function URL with AuthType NONE ---------------------------------------------------------------


@fixer("AUTH002")
def url_iam_auth(finding: Finding, ctx: FixContext) -> Fix | NoFix | None:
    fn, app = ctx.function(finding), ctx.app(finding)
    if fn is None or app is None or fn.url is None:
        return None
    url = fn.url
    path = url.loc.path
    lines = ctx.sources.lines(path)
    if lines is None or not 0 < url.loc.line <= len(lines):
        return _nofix(finding, f"{path} cannot be edited here (generated, outside the folder or not text)")
    if app.dialect not in _IAC_DIALECTS or (app.dialect is Dialect.SERVERLESS and format_of(path) is not Format.YAML):
        return _nofix(
            finding, f"the URL is declared in {path}, which this fix does not edit: set its auth to AWS_IAM there"
        )
    if app.dialect is Dialect.SERVERLESS:
        edit = _sls_url_edit(path, lines, url.loc.line - 1, url.auth_type.loc)
    else:
        edit = _auth_type_edit(path, lines, url.auth_type.loc, "AWS_IAM")
    if edit is None:
        return _nofix(
            finding,
            f"the URL's auth type on {url.auth_type.loc} is not written as `NONE` (a variable, an anchor, a "
            "parameter): set it to AWS_IAM where it is defined",
        )
    edits: list[Edit] = [edit]
    notes = [_SIGN_NOTE, _CROSS_ACCOUNT_NOTE]
    removed: list[str] = []
    for perm in _url_grants(app, fn):
        res = _resource_of(app, perm.loc, "AWS::Lambda::Permission")
        perm_lines = ctx.sources.lines(perm.loc.path)
        fmt = format_of(perm.loc.path)
        if res is None or perm_lines is None or not _declares(perm_lines[perm.loc.line - 1], res.logical_id, fmt):
            continue  # generated from the URL (SAM, the Framework): it follows the new auth type
        index = perm.loc.line - 1
        drop = _removal(perm.loc.path, perm_lines, index, fmt)
        skip = range(drop[0].start - 1, drop[0].end - 1)
        ref = _reference(app, ctx, perm.loc.path, skip, res.logical_id, fmt)
        if ref is not None:
            notes.append(
                f"the public grant {res.logical_id} ({perm.loc}) is still there because {ref} refers to it: "
                "remove that reference and the grant"
            )
            continue
        edits.extend(drop)
        removed.append(res.logical_id)
    summary = f"function URL of {fn.name}: AuthType NONE → AWS_IAM"
    if removed:
        summary += f"; public grant {', '.join(removed)} removed"
    return Fix(finding.rule_id, finding.fingerprint, finding.function, summary, tuple(edits), notes=tuple(notes))


def _url_grants(app: App, fn: Function) -> list[InvokePermission]:
    """The app's grants that make `fn`'s URL public: Principal `*` with `FunctionUrlAuthType: NONE`."""
    return [
        p
        for p in app.permissions
        if p.function == fn.name and anyone(p.principal) and (p.function_url_auth_type or "").upper() == "NONE"
    ]


def _auth_type_edit(path: str, lines: list[str], loc: Loc, new: str) -> Edit | None:
    """`NONE` → `new` on the line of the auth type (CloudFormation, SAM, Terraform), quoting kept."""
    if loc.path != path or not 0 < loc.line <= len(lines):
        return None
    index = loc.line - 1
    if replace_token(lines[index], "NONE", new) is None and format_of(path) is Format.YAML:
        # SAM places the URL at its `FunctionUrlConfig:` line: the `AuthType` is a key of that block
        found = find_key(lines, index + 1, yaml_block_end(lines, index), "AuthType")
        index = found if found is not None else index
    changed = replace_token(lines[index], "NONE", new)
    return None if changed is None else Edit(path, index + 1, index + 2, (changed,))


def _sls_url_edit(path: str, lines: list[str], index: int, auth_loc: Loc) -> Edit | None:
    """serverless.yml: `url: true` → `url: {authorizer: aws_iam}`; `authorizer: none` → `aws_iam`; a `url`
    mapping without an authorizer gets one (flow or block, as written)."""
    if auth_loc.line and auth_loc.line - 1 != index and auth_loc.path == path:
        line = lines[auth_loc.line - 1]
        written = _value_of(line).strip("'\"")
        if written.lower() != "none":
            return None
        changed = replace_token(line, written, "aws_iam")
        return None if changed is None else Edit(path, auth_loc.line, auth_loc.line + 1, (changed,))
    line = lines[index]
    value = _value_of(line)
    if value == "true":
        changed = replace_token(line, "true", "{authorizer: aws_iam}")
        return None if changed is None else Edit(path, index + 1, index + 2, (changed,))
    if value.startswith("{") and value.endswith("}"):
        inner = value[1:-1].strip()
        if re.search(r"\bauthorizer\s*:", inner):
            m = re.search(r"\bauthorizer\s*:\s*['\"]?none['\"]?", line, re.IGNORECASE)
            if m is None:
                return None
            fixed = line[: m.start()] + "authorizer: aws_iam" + line[m.end() :]
            return Edit(path, index + 1, index + 2, (fixed,))
        new_value = "{authorizer: aws_iam" + (", " + inner if inner else "") + "}"
        return Edit(path, index + 1, index + 2, (line.replace(value, new_value, 1),))
    if value == "":
        child = yaml_child_indent(lines, index)
        return Edit(path, index + 2, index + 2, (" " * child + "authorizer: aws_iam",))
    return None


# --- AUTH003: invoke permission for `*` ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Caller:
    principal: str  # the service principal
    source: str  # the caller's logical id / Terraform address
    kind: TriggerKind

    @property
    def describe(self) -> str:
        return f"{self.principal} ({self.kind.value} {self.source})"


@fixer("AUTH003")
def narrow_permission(finding: Finding, ctx: FixContext) -> Fix | NoFix | None:
    app = ctx.app(finding)
    if app is None:
        return None
    perm = next(
        (p for p in app.permissions if (p.principal_loc or p.loc) == finding.location and anyone(p.principal)),
        None,
    )
    if perm is None:
        return None
    fn = app.function(perm.function) if perm.function else None
    callers = sorted(set(_callers(app, fn)), key=lambda c: (c.principal, c.source)) if fn else []
    if len(callers) != 1:
        if not callers:
            who = (
                "no trigger of the function in this app needs it" if fn else "the function it grants is not in this app"
            )
            return _nofix(
                finding,
                f"the caller is unknown ({who}): name the principal that calls it (a service such as "
                "`s3.amazonaws.com` with `SourceArn` and `SourceAccount`, or an account id), or remove the "
                "permission if nothing needs it",
            )
        return _nofix(
            finding,
            "several callers of this app could use it ("
            + ", ".join(c.describe for c in callers)
            + "): give each its own permission with Principal and SourceArn",
        )
    caller = callers[0]
    res = _resource_of(app, perm.loc, "AWS::Lambda::Permission")
    path = (perm.principal_loc or perm.loc).path
    lines = ctx.sources.lines(path)
    fmt = format_of(path)
    if res is None or lines is None or perm.principal_loc is None or not 0 < perm.principal_loc.line <= len(lines):
        return _nofix(finding, f"the permission on {perm.loc} cannot be edited here: narrow it by hand")
    index = perm.principal_loc.line - 1
    principal_line = replace_token(lines[index], "*", caller.principal)
    if principal_line is None or perm.principal.strip() != "*":
        return _nofix(
            finding,
            f"the Principal on {perm.principal_loc} is not written as `*` on its line: set it to "
            f"{caller.principal} with the SourceArn of {caller.source}",
        )
    source = _source(app, caller, fmt, lines)
    if isinstance(source, str):
        return _nofix(finding, source)
    entries, extra = source
    edits = _replace_and_add(path, lines, index, principal_line, fmt, entries)
    if edits is None:
        return _nofix(finding, f"{path} is not a format this fix edits")
    return Fix(
        finding.rule_id,
        finding.fingerprint,
        finding.function,
        f"invoke permission {res.logical_id}: Principal * → {caller.principal}, SourceArn of {caller.source}",
        edits,
        notes=(
            f"only {caller.kind.value} {caller.source} of this app can use the permission now; any other caller "
            "(another account, a service outside the app) needs a permission of its own",
            *extra,
        ),
    )


def _callers(app: App, fn: Function) -> Iterable[_Caller]:
    """The callers of `fn` in the app that need a resource-based grant to invoke it."""
    for t in fn.triggers:
        if t.kind in (TriggerKind.API_REST, TriggerKind.API_HTTP):
            api = t.api or _implicit_api(app, t)
            if api and any(a.id == api and not a.external for a in app.apis):
                yield _Caller("apigateway.amazonaws.com", api, t.kind)
        elif t.kind is TriggerKind.SNS and _is(app, t.source, "AWS::SNS::Topic"):
            yield _Caller("sns.amazonaws.com", str(t.source), t.kind)
        elif t.kind in (TriggerKind.EVENTBRIDGE, TriggerKind.SCHEDULE) and _is(app, t.source, "AWS::Events::Rule"):
            yield _Caller("events.amazonaws.com", str(t.source), t.kind)
        elif t.kind is TriggerKind.S3 and _is(app, t.source, "AWS::S3::Bucket"):
            yield _Caller("s3.amazonaws.com", str(t.source), t.kind)


def _implicit_api(app: App, t: Trigger) -> str | None:
    if app.dialect is not Dialect.SERVERLESS:
        return None
    return IMPLICIT_REST if t.kind is TriggerKind.API_REST else IMPLICIT_HTTP


def _is(app: App, logical_id: str | None, kind: str) -> bool:
    return logical_id is not None and logical_id in app.resources and app.resources[logical_id].type == kind


def _source(app: App, caller: _Caller, fmt: Format, lines: list[str]) -> tuple[list[tuple[str, str]], list[str]] | str:
    """The `SourceArn` (and for S3 `SourceAccount`) entries naming the caller as the file writes references, and
    what the reviewer must add by hand; or why they cannot be written."""
    src = caller.source
    api = caller.kind in (TriggerKind.API_REST, TriggerKind.API_HTTP)
    if fmt is Format.HCL:
        if api:
            return [("source_arn", f'"${{{src}.execution_arn}}/*"')], []
        entries = [("source_arn", f"{src}.arn")]
        if caller.kind is not TriggerKind.S3:
            return entries, []
        # a bucket ARN names no account: SourceAccount keeps a bucket of the same name elsewhere out
        identity = next((m.group(1) for ln in lines if (m := _CALLER_IDENTITY.match(ln))), None)
        if identity is None:
            return entries, [
                "add `source_account = data.aws_caller_identity.current.account_id` (with that data source): a "
                "bucket ARN names no account"
            ]
        return [*entries, ("source_account", f"data.aws_caller_identity.{identity}.account_id")], []
    if api:
        if app.dialect is Dialect.SERVERLESS:  # `${…}` is the Framework's variable syntax: no Fn::Sub there
            arn = (
                '!Join ["", ["arn:aws:execute-api:", !Ref AWS::Region, ":", !Ref AWS::AccountId, ":", '
                f'!Ref {src}, "/*"]]'
            )
            return [("SourceArn", arn)], []
        sub = f"arn:aws:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{src}}}/*"
        return [("SourceArn", json.dumps({"Fn::Sub": sub}) if fmt is Format.JSON else f"!Sub {sub}")], []
    if caller.kind is TriggerKind.SNS:
        return [("SourceArn", json.dumps({"Ref": src}) if fmt is Format.JSON else f"!Ref {src}")], []
    if caller.kind is TriggerKind.S3:
        name = app.resources[src].properties.get("BucketName")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", name):
            return (
                f"bucket {src} has no literal BucketName: `!GetAtt {src}.Arn` in the permission would make a "
                "circular dependency (the bucket's notification waits for the permission); give the bucket a name "
                f"and set Principal: s3.amazonaws.com, SourceArn: arn:aws:s3:::<name>, SourceAccount: the account"
            )
        account = json.dumps({"Ref": "AWS::AccountId"}) if fmt is Format.JSON else "!Ref AWS::AccountId"
        arn = f"arn:aws:s3:::{name}"
        return [("SourceArn", json.dumps(arn) if fmt is Format.JSON else arn), ("SourceAccount", account)], []
    return [("SourceArn", json.dumps({"Fn::GetAtt": [src, "Arn"]}) if fmt is Format.JSON else f"!GetAtt {src}.Arn")], []


_CALLER_IDENTITY = re.compile(r'^\s*data\s+"aws_caller_identity"\s+"([\w-]+)"')


def _replace_and_add(
    path: str, lines: list[str], index: int, changed: str, fmt: Format, entries: Iterable[tuple[str, str]]
) -> tuple[Edit, ...] | None:
    """`lines[index]` becomes `changed` and `entries` follow it (one edit when JSON must add a comma to it)."""
    after = [*lines[:index], changed, *lines[index + 1 :]]
    added = _sibling_edit(path, after, index, fmt, entries)
    if added is None:
        return None
    if added.start == index + 1:  # the changed line itself is rewritten by the insertion (JSON's comma)
        return (Edit(path, index + 1, added.end, added.lines),)
    return (Edit(path, index + 1, index + 2, (changed,)), added)


# --- AUTH001: public route without an authorizer ------------------------------------------------------------

_ROUTES = (TriggerKind.API_REST, TriggerKind.API_HTTP)


@fixer("AUTH001")
def route_authorizer(finding: Finding, ctx: FixContext) -> Fix | NoFix | None:
    from fnaudit.rules.auth.http_no_authorizer import route_loc  # the rule's own placement of the finding

    fn, app = ctx.function(finding), ctx.app(finding)
    if fn is None or app is None:
        return None
    trigger = next((t for t in fn.triggers if route_loc(t) == finding.location and t.describe in finding.message), None)
    if trigger is None:
        return None
    if trigger.kind not in _ROUTES:
        return _nofix(
            finding,
            "an ALB target is authenticated at the listener rule (an `authenticate-oidc` or `authenticate-cognito` "
            "action before the forward): add one there",
        )
    lines = ctx.sources.lines(finding.location.path)
    if lines is None:
        return _nofix(finding, f"{finding.location.path} cannot be edited here: add an authorizer by hand")
    made: tuple[str, tuple[Edit, ...]] | str
    if app.dialect is Dialect.SERVERLESS and format_of(finding.location.path) is not Format.YAML:
        return _nofix(finding, f"{finding.location.path} is not YAML, which this fix edits: add the authorizer there")
    if app.dialect is Dialect.SERVERLESS:
        made = _sls_route(app, trigger, finding.location.path, lines)
    elif app.dialect is Dialect.SAM:
        made = _sam_route(trigger, finding.location.path, lines, ctx)
    elif app.dialect in (Dialect.CLOUDFORMATION, Dialect.TERRAFORM):
        made = _resource_route(app, trigger, finding.location.path, lines)
    else:
        return _nofix(finding, f"routes of a {app.dialect.value} app get their authorizer in code: add one there")
    if isinstance(made, str):
        return _nofix(finding, made)
    name, edits = made
    notes = [
        f"callers of {trigger.describe} must now present what authorizer {name} checks (a token, a signed "
        "request); check that the authorizer accepts this route's callers (scopes, audiences, identity source)"
    ]
    if app.dialect is Dialect.SERVERLESS and any(re.match(r"^\s*scopes\s*:", ln) for ln in lines):
        notes.append("the scopes other routes ask for were not copied: add under `authorizer:` those this route needs")
    return Fix(
        finding.rule_id,
        finding.fingerprint,
        finding.function,
        f"route {trigger.describe} of {fn.name}: authorizer {name}",
        edits,
        notes=tuple(notes),
    )


def _several(kind: TriggerKind, names: list[str]) -> str:
    what = "REST (`http`)" if kind is TriggerKind.API_REST else "HTTP API (`httpApi`)"
    if not names:
        return (
            f"the app has no authorizer for {what} routes to reuse: declare one (Cognito, JWT, Lambda or AWS_IAM) "
            "and attach it, or suppress the finding if the route is public by design"
        )
    return (
        f"the app has several authorizers for {what} routes ({', '.join(sorted(names))}): "
        "choose the one this route needs and attach it"
    )


# serverless.yml ---------------------------------------------------------------------------------------------


def _sls_route(app: App, trigger: Trigger, path: str, lines: list[str]) -> tuple[str, tuple[Edit, ...]] | str:
    forms: dict[str, list[str]] = {}
    for other in (t for f in app.functions for t in f.triggers):
        auth = other.authorizer
        if other.kind is not trigger.kind or not auth.kind.authenticates or auth.loc.path != path:
            continue
        if not 0 < auth.loc.line <= len(lines) or not re.match(r"^\s*authorizer\s*:", lines[auth.loc.line - 1]):
            continue
        if "${" in "".join(lines[auth.loc.line - 1 : yaml_block_end(lines, auth.loc.line - 1)]):
            continue  # a variable: not a form to copy
        forms.setdefault(auth.name or _value_of(lines[auth.loc.line - 1]), _block(lines, auth.loc.line - 1))
    declared = _sls_declared(lines) if trigger.kind is TriggerKind.API_HTTP else []
    names = sorted(set(forms) | set(declared))
    if len(names) != 1:
        return _several(trigger.kind, names)
    name = names[0]
    form = forms.get(name) or ["authorizer:", f"{' ' * _step(lines)}name: {name}"]
    decided = trigger.decided_at
    if decided is not None and decided.line and decided.path == path:
        index = decided.line - 1
        if not re.match(r"^\s*authorizer\s*:", lines[index]):
            return f"the route's authorization on {decided} is not an `authorizer:` this fix can edit"
        if "${" in lines[index]:
            return (
                f"the route's authorizer on {decided} comes from a variable that resolves to none: "
                f"set it to {name} where the variable is defined"
            )
        end = yaml_block_end(lines, index)
        return name, (Edit(path, index + 1, end + 1, _indented(form, indent_of(lines[index]))),)
    index = trigger.loc.line - 1
    if not 0 <= index < len(lines):
        return f"the route's line {trigger.loc} is not in the file"
    line = lines[index]
    m = re.match(r"^(\s*)-(\s+)(https?Api|http)\s*:\s*(.*?)\s*(#.*)?$", line)
    if m is None:
        return f"the event on {trigger.loc} is not written as `- {_event_key(trigger)}:`: add the authorizer by hand"
    dash, gap, key, value, comment = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)
    child = len(dash) + 1 + len(gap) + _event_offset(lines)
    if not value:  # a block: the authorizer goes last in it
        end = yaml_block_end(lines, index)
        kids = [ln for ln in lines[index + 1 : end] if not is_blank_or_comment(ln)]
        child = indent_of(kids[0]) if kids else child
        return name, (Edit(path, end + 1, end + 1, _indented(form, child)),)
    if value.startswith(("{", "$")):
        return f"the event on {trigger.loc} is written in flow style or as a variable: add `authorizer:` by hand"
    method, _, route = value.strip("'\"").partition(" ")
    if not route:
        return f"the event on {trigger.loc} is not `METHOD /path`: add the authorizer by hand"
    head = f"{dash}-{gap}{key}:" + (f" {comment}" if comment else "")
    body = (f"{' ' * child}method: {method}", f"{' ' * child}path: {route}", *_indented(form, child))
    return name, (Edit(path, index + 1, index + 2, (head, *body)),)


def _event_offset(lines: list[str]) -> int:
    """How far the file indents an event's keys past its name (`- http:` then `path:`), else its usual step."""
    for i, line in enumerate(lines[:-1]):
        m = re.match(r"^(\s*-\s+)(?:https?Api|http)\s*:\s*(#.*)?$", line)
        if m and not is_blank_or_comment(lines[i + 1]) and indent_of(lines[i + 1]) > len(m.group(1)):
            return indent_of(lines[i + 1]) - len(m.group(1))
    return _step(lines)


def _event_key(trigger: Trigger) -> str:
    return "http" if trigger.kind is TriggerKind.API_REST else "httpApi"


def _block(lines: list[str], index: int) -> list[str]:
    """The `authorizer:` block at `lines[index]`, dedented to column 0, without comments."""
    base = indent_of(lines[index])
    out = []
    skip_below: int | None = None  # `scopes` are what one route asks for, not the authorizer: not copied
    for line in lines[index : yaml_block_end(lines, index)]:
        if is_blank_or_comment(line):
            continue
        if skip_below is not None and indent_of(line) > skip_below:
            continue
        skip_below = indent_of(line) if re.match(r"^\s*scopes\s*:", line) else None
        if skip_below is not None:
            continue
        text = line[: -len(_comment_of(line))] if _comment_of(line) else line
        out.append(text[base:].rstrip())
    return out


def _indented(form: list[str], indent: int) -> tuple[str, ...]:
    return tuple(" " * indent + ln for ln in form)


def _sls_declared(lines: list[str]) -> list[str]:
    """The names under `provider.httpApi.authorizers`, read from the text."""
    provider = find_key(lines, 0, len(lines), "provider", 0)
    if provider is None:
        return []
    end = yaml_block_end(lines, provider)
    http = find_key(lines, provider + 1, end, "httpApi", yaml_child_indent(lines, provider))
    if http is None:
        return []
    auths = find_key(lines, http + 1, yaml_block_end(lines, http), "authorizers", yaml_child_indent(lines, http))
    if auths is None:
        return []
    indent = yaml_child_indent(lines, auths)
    names = []
    for line in lines[auths + 1 : yaml_block_end(lines, auths)]:
        if not is_blank_or_comment(line) and indent_of(line) == indent and ":" in line:
            names.append(line.strip().split(":", 1)[0].strip("'\""))
    return names


# SAM ----------------------------------------------------------------------------------------------------------


def _sam_route(trigger: Trigger, path: str, lines: list[str], ctx: FixContext) -> tuple[str, tuple[Edit, ...]] | str:
    from fnaudit.loaders.documents import parse_document

    try:
        doc = parse_document("\n".join(lines), path)
    except Exception as exc:  # noqa: BLE001 -- the scan read it; a failure here must not guess
        return f"{path} could not be read again ({type(exc).__name__}): add the authorizer by hand"
    implicit = {"ServerlessRestApi": "Api", "ServerlessHttpApi": "HttpApi"}
    api = trigger.api or ""
    if api in implicit:
        auth = _get(doc, "Globals", implicit[api], "Auth")
    else:
        auth = _get(doc, "Resources", api, "Properties", "Auth")
    declared = _get(auth, "Authorizers")
    names = sorted(str(k) for k in declared) if isinstance(declared, dict) else []
    default = _get(auth, "DefaultAuthorizer")
    if default == "AWS_IAM":  # needs no declaration: the API's default is one of its authorizers
        names = sorted({*names, "AWS_IAM"})
    if len(names) != 1:
        return _several(trigger.kind, names)
    name = names[0]
    decided = trigger.decided_at
    if decided is not None and decided.path == path and decided.line != trigger.loc.line:
        index = decided.line - 1
        if not re.search(r"\bAuthorizer\b", lines[index]):
            return f"the route's authorization is decided on {decided} (an OpenAPI operation): add {name} there"
        changed = replace_token(lines[index], "NONE", name)
        if changed is None:
            return f"the route's `Authorizer` on {decided} is not written as NONE: set it to {name}"
        return name, (Edit(path, index + 1, index + 2, (changed,)),)
    index = trigger.loc.line - 1  # the event's name
    end = yaml_block_end(lines, index)
    props = find_key(lines, index + 1, end, "Properties")
    if props is None:
        return f"the event on {trigger.loc} has no `Properties:` this fix can extend"
    if find_key(lines, props + 1, yaml_block_end(lines, props), "Auth") is not None:
        return f"the event on {trigger.loc} has an `Auth` block already: add `Authorizer: {name}` to it"
    value = _value_of(lines[props])
    if value.startswith("{") and value.endswith("}"):
        line = lines[props]
        at = line.rfind("}")
        return name, (Edit(path, props + 1, props + 2, (f"{line[:at]}, Auth: {{Authorizer: {name}}}{line[at:]}",)),)
    if value:
        return f"the event's Properties on {trigger.loc} are not a mapping this fix can extend"
    child = yaml_child_indent(lines, props)
    p_end = yaml_block_end(lines, props)
    step = _step(lines)
    return name, (
        Edit(path, p_end + 1, p_end + 1, (f"{' ' * child}Auth:", f"{' ' * (child + step)}Authorizer: {name}")),
    )


def _get(data: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


# CloudFormation and Terraform -----------------------------------------------------------------------------------

_REST_TYPES = {"TOKEN": "CUSTOM", "REQUEST": "CUSTOM", "COGNITO_USER_POOLS": "COGNITO_USER_POOLS"}
_HTTP_TYPES = {"JWT": "JWT", "REQUEST": "CUSTOM"}


def _resource_route(app: App, trigger: Trigger, path: str, lines: list[str]) -> tuple[str, tuple[Edit, ...]] | str:
    rest = trigger.kind is TriggerKind.API_REST
    kind = "AWS::ApiGateway::Method" if rest else "AWS::ApiGatewayV2::Route"
    route = _resource_of(app, trigger.loc, kind)
    if route is None:
        return (
            f"the route {trigger.describe} is defined in an OpenAPI body or generated: add `security` with the "
            "API's authorizer to its operation"
        )
    api_key = "RestApiId" if rest else "ApiId"
    auth_type = "AWS::ApiGateway::Authorizer" if rest else "AWS::ApiGatewayV2::Authorizer"
    candidates = [
        r
        for r in app.resources.values()
        if r.type == auth_type and _ref(r.properties.get(api_key)) == _ref(route.properties.get(api_key))
    ]
    if len(candidates) != 1:
        return _several(trigger.kind, [r.logical_id for r in candidates])
    authorizer = candidates[0]
    written = str(authorizer.properties.get("Type" if rest else "AuthorizerType", "")).upper()
    new_type = (_REST_TYPES if rest else _HTTP_TYPES).get(written)
    if new_type is None:
        return f"the type of authorizer {authorizer.logical_id} is not written plainly: attach it by hand"
    fmt = format_of(path)
    hcl = fmt is Format.HCL
    type_key = ("authorization" if rest else "authorization_type") if hcl else "AuthorizationType"
    id_key = "authorizer_id" if hcl else "AuthorizerId"
    if hcl:
        id_value = f"{authorizer.logical_id}.id"
    elif fmt is Format.JSON:
        id_value = json.dumps({"Ref": authorizer.logical_id})
    else:
        id_value = f"!Ref {authorizer.logical_id}"
    start = trigger.loc.line - 1
    end = yaml_block_end(lines, start) if fmt is Format.YAML else brace_block_end(lines, start) + 1
    if find_key(lines, start, end, id_key) is not None:
        return f"the route on {trigger.loc} names an authorizer already: check its `{type_key}`"
    at = find_key(lines, start, end, type_key)
    if at is not None:
        changed = replace_token(lines[at], "NONE", new_type)
        if changed is None:
            return f"the `{type_key}` on line {at + 1} is not written as NONE: set it to {new_type} by hand"
        edits = _replace_and_add(path, lines, at, changed, fmt, [(id_key, id_value)])
    else:
        anchor = find_key(
            lines,
            start,
            end,
            ("http_method" if rest else "route_key") if hcl else ("HttpMethod" if rest else "RouteKey"),
        )
        if anchor is None:
            return f"the route on {trigger.loc} has no `{'HttpMethod' if rest else 'RouteKey'}` to place it after"
        if hcl:  # after the block's last attribute: `terraform fmt` aligns a group, so they go in one of their own
            anchor = max(i for i in range(anchor, end - 1) if "=" in lines[i] and not is_blank_or_comment(lines[i]))
        quoted = json.dumps(new_type) if fmt is not Format.YAML else new_type
        added = _sibling_edit(path, lines, anchor, fmt, [(type_key, quoted), (id_key, id_value)])
        edits = None if added is None else (added,)
    if edits is None:
        return f"{path} is not a format this fix edits"
    return authorizer.logical_id, edits


def _ref(value: object) -> str:
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    return json.dumps(value, sort_keys=True, default=str)
