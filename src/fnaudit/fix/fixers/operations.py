"""Availability and monitoring: DOS001 reserved concurrency, DOS004 a failure destination, OBS002 log retention,
OBS001 active tracing.

Each fix inserts a key into a block the user wrote (the function, `provider:`, `Globals.Function`) or adds a
resource next to the function, in the file's own indentation: YAML and HCL at the end of the block, JSON as the
object's first member (no existing line changes). A setting written with the wrong value (`tracing: PassThrough`)
is changed where it is written. When a `provider:` / `Globals` insertion fixes every function of an app, each
function's fix makes exactly the same edit, so the plan folds them into one.

The values, and why:

- Reserved concurrency (DOS001). The account's default regional limit is 1,000 concurrent executions, of which
  Lambda keeps 100 unreserved. The public functions of an app share a budget of 100 (a tenth of the default):
  each gets `100 // <number of public functions>`, clamped to 10–50, so one public function gets 50 and ten or
  more get 10 each. A function reached only through a function URL or an invoke permission for anyone has no
  API in front of it to throttle a flood, so it gets the floor, 10. The value is a starting point: the line
  says `fnaudit: review this limit` (YAML, HCL; JSON has no comments) and the fix's notes say how it was chosen.
- Failure destination (DOS004). An SQS queue: an existing queue of the app when exactly one is obviously a
  dead-letter queue (its name says `dlq`, `dead letter` or `fail`), else a new queue per function (14 days of
  retention, the maximum, so failed events wait for someone to look), added next to the function.
- Log retention (OBS002). 30 days: long enough to investigate an incident noticed within a month, short enough
  that logs holding request data do not accumulate forever; the note says to use the audit policy's value.
- Tracing (OBS001). `Active`. The role needs the X-Ray write permissions (`AWSXRayDaemonWriteAccess`): SAM and
  the Serverless Framework add them to the roles they generate, a role of the user's own needs them added.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from fnaudit.findings import Finding
from fnaudit.fix.context import FixContext
from fnaudit.fix.model import Edit, Fix, NoFix
from fnaudit.fix.registry import fixer
from fnaudit.fix.text import (
    Format,
    YamlTree,
    brace_block_end,
    find_key,
    format_of,
    has_yaml_comment,
    hcl_insert_point,
    hcl_lines,
    indent_of,
    json_insert_point,
    json_lines,
    replace_token,
    yaml_anchor,
    yaml_block_end,
    yaml_child_indent,
    yaml_flow_insert,
    yaml_insert_point,
    yaml_lines,
)
from fnaudit.model.app import App, Dialect, Function, Resource, Trigger
from fnaudit.model.loc import Origin

REVIEW = "fnaudit: review this limit"
LOG_RETENTION_DAYS = 30
DLQ_RETENTION_SECONDS = 1_209_600  # 14 days, SQS's maximum
PUBLIC_BUDGET = 100  # concurrency shared by an app's public functions: a tenth of the account's default 1,000
MIN_CONCURRENCY, MAX_CONCURRENCY = 10, 50

_EDITED = (Dialect.SERVERLESS, Dialect.SAM, Dialect.CLOUDFORMATION, Dialect.TERRAFORM)
_DLQ_NAME = re.compile(r"dlq|dead[\W_]*letter|fail", re.IGNORECASE)
_TF_FUNCTION = re.compile(r'^\s*resource\s+"aws_lambda_function"\s+"([\w-]+)"\s*\{\s*(?:#.*)?$')


# a fixer's body, once the finding's function and app are found
_Maker = Callable[[Finding, FixContext, Function, App], Fix]


class _Refused(Exception):
    """A place that cannot be edited safely; the message is the reason a person reads."""


@dataclass(frozen=True, slots=True)
class _Site:
    """A block of the user's file to insert into: `lines[index]` opens it."""

    path: str
    lines: list[str]
    index: int
    format: Format


# ---- the fixers ------------------------------------------------------------------------------------------------


@fixer("DOS001")
def reserved_concurrency(finding: Finding, ctx: FixContext) -> Fix | NoFix | None:
    return _guarded(finding, ctx, _reserved_concurrency)


@fixer("DOS004")
def failure_destination(finding: Finding, ctx: FixContext) -> Fix | NoFix | None:
    return _guarded(finding, ctx, _failure_destination)


@fixer("OBS002")
def log_retention(finding: Finding, ctx: FixContext) -> Fix | NoFix | None:
    return _guarded(finding, ctx, _log_retention)


@fixer("OBS001")
def active_tracing(finding: Finding, ctx: FixContext) -> Fix | NoFix | None:
    return _guarded(finding, ctx, _tracing)


def _guarded(finding: Finding, ctx: FixContext, make: _Maker) -> Fix | NoFix | None:
    fn, app = ctx.function(finding), ctx.app(finding)
    if fn is None or app is None:
        return None
    if app.dialect not in _EDITED:
        return NoFix(
            finding.rule_id,
            finding.fingerprint,
            finding.function,
            f"fnaudit fix does not edit {app.dialect.value} apps: change {fn.name} in its source by hand",
        )
    try:
        return make(finding, ctx, fn, app)
    except _Refused as why:
        return NoFix(finding.rule_id, finding.fingerprint, finding.function, str(why))


# ---- DOS001 ----------------------------------------------------------------------------------------------------


def concurrency_for(triggers: Sequence[Trigger], public_functions: int) -> tuple[int, str]:
    """The reserved concurrency proposed for a public function with `triggers`, and how it was chosen (see the
    module docstring)."""
    routed = any(t.public and not t.is_authenticated and t.kind.is_http and t.path is not None for t in triggers)
    if not routed:
        return MIN_CONCURRENCY, (
            f"{MIN_CONCURRENCY}: nothing throttles a function URL or an open invoke permission before the "
            "function, so it gets the floor; raise it to the peak you measured"
        )
    share = max(MIN_CONCURRENCY, min(MAX_CONCURRENCY, PUBLIC_BUDGET // max(public_functions, 1)))
    return share, (
        f"{share}: the app's {public_functions} public function(s) share {PUBLIC_BUDGET} of the account's default "
        f"1,000 concurrent executions ({MIN_CONCURRENCY}–{MAX_CONCURRENCY} each); set it to the route's measured "
        "peak"
    )


def _reserved_concurrency(finding: Finding, ctx: FixContext, fn: Function, app: App) -> Fix:
    public = {f.function_id for f in ctx.findings("DOS001") if any(g.id == f.function_id for g in app.functions)}
    public |= {g.id for g in app.functions if any(t.public for t in g.triggers)}
    value, why = concurrency_for(fn.triggers, len(public))
    site = _function_site(fn, app, ctx)
    key = {
        Dialect.SERVERLESS: "reservedConcurrency",
        Dialect.TERRAFORM: "reserved_concurrent_executions",
    }.get(app.dialect, "ReservedConcurrentExecutions")
    edit = _unreserved(site, key, value) if app.dialect is Dialect.TERRAFORM else None
    edit = edit or _insert_scalar(site, key, str(value), value, comment=REVIEW)
    notes = (
        f"reserved concurrency {why}",
        "reserving takes concurrency from the account's unreserved pool, which must keep 100: an account whose "
        "limit is still the new-account 10 cannot deploy it until the quota is raised",
    )
    return Fix(
        finding.rule_id,
        finding.fingerprint,
        finding.function,
        f"reserved concurrency {value} on {fn.name}",
        (edit,),
        notes=notes,
    )


def _unreserved(site: _Site, key: str, value: int) -> Edit | None:
    """Terraform's `reserved_concurrent_executions = -1` (its way to say "unreserved"): the value is changed
    where it is written."""
    close = brace_block_end(site.lines, site.index)
    found = find_key(site.lines, site.index + 1, close, key)
    if found is None:
        return None
    changed = replace_token(site.lines[found], "-1", str(value))
    if changed is None:
        raise _Refused(f"{site.path}:{found + 1} sets `{key}` from an expression: set it there")
    return Edit(site.path, found + 1, found + 2, (changed if "#" in changed else f"{changed} # {REVIEW}",))


# ---- DOS004 ----------------------------------------------------------------------------------------------------


def _failure_destination(finding: Finding, ctx: FixContext, fn: Function, app: App) -> Fix:
    site = _function_site(fn, app, ctx)
    existing = existing_dlq(app)
    queue = existing or _new_id(app, fn, "DLQ", ctx)
    tf = app.dialect is Dialect.TERRAFORM
    arn = f"aws_sqs_queue.{queue}.arn" if tf else f"!GetAtt {queue}.Arn"
    edits: list[Edit] = []
    if app.dialect is Dialect.SERVERLESS:
        edits.append(_insert_tree(site, {"destinations": {"onFailure": {"type": "sqs", "arn": arn}}}))
    elif app.dialect is Dialect.SAM:
        tree: YamlTree = {"DeadLetterQueue": {"Type": "SQS", "TargetArn": arn}}
        json_tree = {"DeadLetterQueue": {"Type": "SQS", "TargetArn": {"Fn::GetAtt": [queue, "Arn"]}}}
        edits.append(_insert_tree(site, tree, json_tree))
    elif tf:
        edits.append(_insert_hcl(site, ["dead_letter_config {", f"  target_arn = {arn}", "}"]))
    else:
        tree = {"DeadLetterConfig": {"TargetArn": arn}}
        edits.append(_insert_tree(site, tree, {"DeadLetterConfig": {"TargetArn": {"Fn::GetAtt": [queue, "Arn"]}}}))
    if existing is None:
        if tf:
            body = [
                "",
                f'resource "aws_sqs_queue" "{queue}" {{',
                f"  message_retention_seconds = {DLQ_RETENTION_SECONDS}",
                "}",
            ]
            edits.append(_after_resource(fn, app, ctx, body))
        else:
            props = {"MessageRetentionPeriod": DLQ_RETENTION_SECONDS}
            edits.append(_add_resource(fn, app, ctx, queue, "AWS::SQS::Queue", props))
    where = f"the app's queue {queue}" if existing else f"a new SQS queue {queue} (14 days of retention)"
    notes = (
        f"failed events go to {where}: alarm on its `ApproximateNumberOfMessagesVisible`",
        _send_note(app, fn, queue),
    )
    return Fix(
        finding.rule_id,
        finding.fingerprint,
        finding.function,
        f"failed events of {fn.name} → {queue}",
        tuple(edits),
        notes=notes,
    )


def existing_dlq(app: App) -> str | None:
    """The app's queue that is obviously a dead-letter queue, when exactly one is (by its id or its name)."""
    found = [
        r.logical_id
        for r in app.resources.values()
        if r.type == "AWS::SQS::Queue"
        and (_DLQ_NAME.search(r.logical_id) or _DLQ_NAME.search(str(r.properties.get("QueueName", ""))))
    ]
    if len(found) != 1:
        return None
    ident = found[0]
    if "." in ident:  # Terraform's lowered address `aws_sqs_queue.name`: the label is what a reference names
        if not ident.startswith("aws_sqs_queue.") or ident.count(".") != 1:
            return None
        ident = ident.split(".", 1)[1]
    return ident


def _send_note(app: App, fn: Function, queue: str) -> str:
    if app.dialect is Dialect.SERVERLESS:
        return (
            f"the Framework gives the role it generates `sqs:SendMessage` on {queue}; a custom `role` needs that "
            "statement added (the IAM fix owns statements)"
        )
    if app.dialect is Dialect.SAM:
        return (
            f"SAM adds `sqs:SendMessage` on {queue} to the role it creates for {fn.name}; a `Role` of your own "
            "needs that statement added (the IAM fix owns statements)"
        )
    role = fn.role.name if fn.role is not None else "the function's role"
    return f"{role} must be allowed `sqs:SendMessage` on {queue}: add that statement (the IAM fix owns statements)"


# ---- OBS002 ----------------------------------------------------------------------------------------------------


def _log_retention(finding: Finding, ctx: FixContext, fn: Function, app: App) -> Fix:
    why = (
        f"{LOG_RETENTION_DAYS} days keeps a month of logs to investigate an incident; set the retention your "
        "audit policy requires (90, 365) if it asks for more"
    )
    if app.dialect is Dialect.SERVERLESS:
        edit = _insert_scalar(_provider_site(app, ctx), "logRetentionInDays", str(LOG_RETENTION_DAYS), None)
        return Fix(
            finding.rule_id,
            finding.fingerprint,
            finding.function,
            f"log retention {LOG_RETENTION_DAYS} days (provider: every function)",
            (edit,),
            notes=(why,),
        )
    exists = (
        f"if {fn.name} has run, Lambda already created its log group and the deployment fails on it: delete it "
        "or import it first"
    )
    group_of_fn = own_log_group(fn, app)
    if group_of_fn is not None:
        edit = _retention_on(group_of_fn, app, ctx)
        return Fix(
            finding.rule_id,
            finding.fingerprint,
            finding.function,
            f"log group {group_of_fn.logical_id} of {fn.name}: {LOG_RETENTION_DAYS} days of retention",
            (edit,),
            notes=(why,),
        )
    if app.dialect is Dialect.TERRAFORM:
        label = _tf_label(fn, app, ctx)
        if any(r.startswith(f"aws_cloudwatch_log_group.{label}") for r in app.resources):
            raise _Refused(f"aws_cloudwatch_log_group.{label} exists and is not {fn.name}'s: set its retention_in_days")
        body = [
            "",
            f'resource "aws_cloudwatch_log_group" "{label}" {{',
            f'  name              = "/aws/lambda/${{aws_lambda_function.{label}.function_name}}"',
            f"  retention_in_days = {LOG_RETENTION_DAYS}",
            "}",
        ]
        edit = _after_resource(fn, app, ctx, body)
        exists += f" (`terraform import aws_cloudwatch_log_group.{label} /aws/lambda/{fn.deployed_name or '<name>'}`)"
    else:
        group = _new_id(app, fn, "LogGroup", ctx)
        name = {"Fn::Sub": f"/aws/lambda/${{{fn.name}}}"}
        props: dict[str, object] = {"LogGroupName": name, "RetentionInDays": LOG_RETENTION_DAYS}
        edit = _add_resource(fn, app, ctx, group, "AWS::Logs::LogGroup", props)
    return Fix(
        finding.rule_id,
        finding.fingerprint,
        finding.function,
        f"log group of {fn.name} with {LOG_RETENTION_DAYS} days of retention",
        (edit,),
        notes=(why, exists),
    )


def own_log_group(fn: Function, app: App) -> Resource | None:
    """The log group the template declares for `fn` without a retention: the one its `LoggingConfig` names, or
    the one named `/aws/lambda/<its name>` (literally, or built from a reference to the function)."""
    own = app.resources.get(fn.name)
    logging = own.properties.get("LoggingConfig") if own is not None else None
    named = logging.get("LogGroup") if isinstance(logging, Mapping) else None
    found = []
    for r in app.resources.values():
        if r.type != "AWS::Logs::LogGroup" or "RetentionInDays" in r.properties:
            continue
        name = r.properties.get("LogGroupName")
        if named is not None:
            if named == {"Ref": r.logical_id} or (isinstance(named, str) and named == name):
                found.append(r)
        elif _refers_to(name, fn.name) or (
            isinstance(name, str) and name in {f"/aws/lambda/{n}" for n in (fn.name, fn.deployed_name) if n}
        ):
            found.append(r)
    return found[0] if len(found) == 1 else None


def _refers_to(value: object, logical_id: str) -> bool:
    if isinstance(value, Mapping):
        if value.get("Ref") == logical_id:
            return True
        sub = value.get("Fn::Sub")
        if isinstance(sub, str) and f"${{{logical_id}}}" in sub:
            return True
        return any(_refers_to(v, logical_id) for v in value.values())
    if isinstance(value, list):
        return any(_refers_to(v, logical_id) for v in value)
    return False


def _retention_on(group: Resource, app: App, ctx: FixContext) -> Edit:
    lines = _lines(ctx, group.loc.path)
    index = group.loc.line - 1
    if not 0 <= index < len(lines):
        raise _Refused(f"the log group {group.logical_id} is declared at {group.loc}, which cannot be edited")
    if app.dialect is Dialect.TERRAFORM:
        if format_of(group.loc.path) is not Format.HCL or "aws_cloudwatch_log_group" not in lines[index]:
            raise _Refused(f"{group.logical_id} is not written as a resource in {group.loc.path}: set its retention")
        site = _Site(group.loc.path, lines, index, Format.HCL)
        return _insert_hcl(site, [f"retention_in_days = {LOG_RETENTION_DAYS}"])
    if not _declares(lines[index], group.logical_id):
        raise _Refused(f"the log group {group.logical_id} is not written as a key at {group.loc}: set its retention")
    site = _properties_site(group.loc.path, lines, index, group.logical_id)
    return _insert_scalar(site, "RetentionInDays", str(LOG_RETENTION_DAYS), LOG_RETENTION_DAYS)


# ---- OBS001 ----------------------------------------------------------------------------------------------------


def _tracing(finding: Finding, ctx: FixContext, fn: Function, app: App) -> Fix:
    t = fn.tracing
    inherited = t.origin is Origin.INHERITED
    if t.origin in (Origin.SET, Origin.INHERITED) and t.value is not None:
        edit = _replace_mode(t.loc.path, t.loc.line, str(t.value), ctx)
        where = " (set once for every function that inherits it)" if inherited else ""
    elif app.dialect is Dialect.SERVERLESS:
        edit, where = _serverless_tracing(app, ctx), " (provider: every function)"
    elif app.dialect is Dialect.SAM and (globals_site := _sam_globals_function(app, ctx)) is not None:
        edit, where = _insert_scalar(globals_site, "Tracing", "Active", "Active"), " (Globals: every function)"
    elif app.dialect is Dialect.SAM:
        edit, where = _insert_scalar(_function_site(fn, app, ctx), "Tracing", "Active", "Active"), ""
    elif app.dialect is Dialect.TERRAFORM:
        edit, where = _insert_hcl(_function_site(fn, app, ctx), ["tracing_config {", '  mode = "Active"', "}"]), ""
    else:
        site = _function_site(fn, app, ctx)
        edit, where = (
            _insert_tree(site, {"TracingConfig": {"Mode": "Active"}}, {"TracingConfig": {"Mode": "Active"}}),
            "",
        )
    if app.dialect in (Dialect.SERVERLESS, Dialect.SAM):
        who = "the Framework" if app.dialect is Dialect.SERVERLESS else "SAM"
        role = f"{who} adds the X-Ray write permissions to the role it generates; a role of your own needs"
    else:
        role = f"{fn.role.name if fn.role is not None else 'the role'} needs"
    notes = (
        f"{role} the managed policy `AWSXRayDaemonWriteAccess` (the IAM fix owns the role)",
        "X-Ray bills recorded traces beyond the free tier: keep the default sampling",
    )
    return Fix(
        finding.rule_id, finding.fingerprint, finding.function, f"active X-Ray tracing{where}", (edit,), notes=notes
    )


def _replace_mode(path: str, line: int, old: str, ctx: FixContext) -> Edit:
    lines = _lines(ctx, path)
    if not 0 < line <= len(lines):
        raise _Refused(f"{path}:{line} cannot be edited here")
    # the loaders read `lambda: false` as PassThrough: the word on the line is what changes, in its own terms
    for written, wanted in ((old, "Active"), ("PassThrough", "Active"), ("false", "true"), ("False", "true")):
        changed = replace_token(lines[line - 1], written, wanted)
        if changed is not None:
            break
    else:
        raise _Refused(
            f"the tracing mode is not written as `{old}` on {path}:{line}: it comes from a variable or "
            "an anchor; change it there"
        )
    return Edit(path, line, line + 1, (changed,))


def _serverless_tracing(app: App, ctx: FixContext) -> Edit:
    site = _provider_site(app, ctx)
    end = yaml_block_end(site.lines, site.index)
    found = find_key(site.lines, site.index + 1, end, "tracing", yaml_child_indent(site.lines, site.index))
    if found is None:
        return _insert_tree(site, {"tracing": {"lambda": "true"}})
    return _insert_scalar(_Site(site.path, site.lines, found, site.format), "lambda", "true", None)


def _sam_globals_function(app: App, ctx: FixContext) -> _Site | None:
    lines = _lines(ctx, app.source)
    top = find_key(lines, 0, len(lines), "Globals", 0)
    if top is None:
        return None
    found = find_key(lines, top + 1, yaml_block_end(lines, top), "Function", yaml_child_indent(lines, top))
    return None if found is None else _Site(app.source, lines, found, format_of(app.source))


# ---- where things go -------------------------------------------------------------------------------------------


def _lines(ctx: FixContext, path: str) -> list[str]:
    lines = ctx.sources.lines(path)
    if lines is None:
        raise _Refused(f"{path} cannot be edited here (outside the scanned folder, a link, or not text)")
    return lines


def _function_site(fn: Function, app: App, ctx: FixContext) -> _Site:
    """The block a function's settings go in: the serverless function, the resource's `Properties`, the
    Terraform `resource` block."""
    path = fn.loc.path
    fmt = format_of(path)
    lines = _lines(ctx, path)
    index = fn.loc.line - 1
    if not 0 <= index < len(lines):
        raise _Refused(f"{fn.name} is declared at {fn.loc}, which is not in {path}")
    if app.dialect is not Dialect.TERRAFORM and not _declares(lines[index], fn.name):
        raise _Refused(
            f"{fn.name} is not written as a key at {fn.loc} (built by a variable or an include): "
            "change it where it is written"
        )
    if app.dialect is Dialect.TERRAFORM:
        if fmt is not Format.HCL or not _TF_FUNCTION.match(lines[index]):
            raise _Refused(
                f"{fn.name} is not an `aws_lambda_function` written in {path} (a module, or JSON): "
                "set it on the module or resource by hand"
            )
        return _Site(path, lines, index, fmt)
    if fmt is Format.YAML and app.dialect is Dialect.SERVERLESS:
        return _Site(path, lines, index, fmt)
    if app.dialect is Dialect.SERVERLESS:
        raise _Refused(f"{path} is not YAML: change {fn.name} there by hand")
    return _properties_site(path, lines, index, fn.name)


def _properties_site(path: str, lines: list[str], index: int, name: str) -> _Site:
    """The `Properties` block of the resource declared at `lines[index]` (YAML or JSON)."""
    fmt = format_of(path)
    if fmt is Format.YAML:
        end = yaml_block_end(lines, index)
        found = find_key(lines, index + 1, end, "Properties", yaml_child_indent(lines, index))
    elif fmt is Format.JSON:
        member = json_insert_point(lines, index)
        end = brace_block_end(lines, index)
        found = None if member is None else find_key(lines, index + 1, end, "Properties", member[1])
    else:
        raise _Refused(f"{path} is neither YAML nor JSON: change {name} there by hand")
    if found is None:
        raise _Refused(f"{name} at {path}:{index + 1} has no `Properties` block written out to add to")
    return _Site(path, lines, found, fmt)


def _declares(line: str, name: str) -> bool:
    """`line` is `name:` (YAML, quoted or not) or `"name": {` (JSON)."""
    return re.match(r"""^\s*(?:"%s"|'%s'|%s)\s*:""" % ((re.escape(name),) * 3), line) is not None


def _provider_site(app: App, ctx: FixContext) -> _Site:
    if format_of(app.source) is not Format.YAML:
        raise _Refused(f"{app.source} is not YAML: set it under `provider` by hand")
    lines = _lines(ctx, app.source)
    found = find_key(lines, 0, len(lines), "provider", 0)
    if found is None:
        raise _Refused(f"{app.source} has no `provider:` block written out")
    return _Site(app.source, lines, found, Format.YAML)


def _insert_scalar(site: _Site, key: str, text: str, json_value: object, comment: str | None = None) -> Edit:
    """`key: text` (YAML), `"key": json_value` (JSON), `key = text` (HCL) as the block's new last (JSON: first)
    entry; a flow mapping on one line gets it as its last member."""
    if site.format is Format.HCL:
        return _insert_hcl(site, [f"{key} = {text}" + (f" # {comment}" if comment else "")])
    if site.format is Format.YAML and yaml_insert_point(site.lines, site.index) is None:
        line = site.lines[site.index]
        changed = yaml_flow_insert(line, f"{key}: {text}")
        if changed is None:
            raise _Refused(f"{site.path}:{site.index + 1} is not a block or a one-line flow mapping to add to")
        if comment and not has_yaml_comment(line):
            changed += f"  # {comment}"
        _anchor_check(site)
        return Edit(site.path, site.index + 1, site.index + 2, (changed,))
    return _insert_tree(site, {key: text}, {key: json_value}, {key: comment} if comment else None)


def _insert_tree(
    site: _Site, tree: YamlTree, json_tree: Mapping[str, object] | None = None, comments: dict[str, str] | None = None
) -> Edit:
    if site.format is Format.JSON:
        point = json_insert_point(site.lines, site.index)
        if point is None or json_tree is None:
            raise _Refused(f"{site.path}:{site.index + 1}: the object is empty or written on one line")
        at, indent = point
        end = brace_block_end(site.lines, site.index)
        for key in json_tree:
            if find_key(site.lines, at, end, key, indent) is not None:
                raise _Refused(f"{site.path}:{site.index + 1} already has `{key}`: complete it by hand")
        step = max(indent - indent_of(site.lines[site.index]), 1)
        new = tuple(ln for k, v in json_tree.items() for ln in json_lines(k, v, indent, step))
        return Edit(site.path, at + 1, at + 1, new)
    _anchor_check(site)
    point = yaml_insert_point(site.lines, site.index)
    if point is None:
        raise _Refused(f"{site.path}:{site.index + 1} is written on one line (flow style): add the keys by hand")
    at, indent = point
    if len(tree) == 1:
        # the key is there already (`destinations:` with only `onSuccess`, `TracingConfig:` without `Mode`): the
        # rest of the tree goes inside it rather than a second key of the same name
        ((key, value),) = tree.items()
        found = find_key(site.lines, site.index + 1, at, key, indent)
        if found is not None:
            if not isinstance(value, dict):
                raise _Refused(f"{site.path}:{found + 1} already sets `{key}`: change it by hand")
            inner = _Site(site.path, site.lines, found, site.format)
            if yaml_insert_point(site.lines, found) is None and len(value) == 1:
                ((k, v),) = value.items()
                if isinstance(v, str):
                    return _insert_scalar(inner, k, v, None)
            return _insert_tree(inner, value)
    step = indent - indent_of(site.lines[site.index]) or 2
    return Edit(site.path, at + 1, at + 1, yaml_lines(tree, indent, step, comments))


def _anchor_check(site: _Site) -> None:
    anchor = yaml_anchor(site.lines[site.index])
    if anchor is not None:
        raise _Refused(
            f"{site.path}:{site.index + 1} defines the anchor &{anchor}: a key added there changes "
            "every alias of it too; add it where it is used"
        )


def _insert_hcl(site: _Site, body: list[str]) -> Edit:
    point = hcl_insert_point(site.lines, site.index)
    if point is None:
        raise _Refused(f"{site.path}:{site.index + 1}: the block is written on one line")
    close, indent = point
    key = re.match(r"[\w-]+", body[0])
    found = find_key(site.lines, site.index + 1, close, key.group(0), indent) if key else None
    if found is None and key and body[0].rstrip().endswith("{"):  # a nested block: `tracing_config {`
        block = re.compile(rf"^\s*{re.escape(key.group(0))}\s*\{{")
        found = next((i for i in range(site.index + 1, close) if block.match(site.lines[i])), None)
    if found is not None:
        raise _Refused(f"{site.path}:{found + 1} already has `{key.group(0) if key else body[0]}`: change it there")
    return Edit(site.path, close + 1, close + 1, hcl_lines(close, site.lines, body, indent))


def _new_id(app: App, fn: Function, suffix: str, ctx: FixContext) -> str:
    """A logical id for a resource of `fn` (`ThumbnailDLQ`), refused when the template already uses it."""
    if app.dialect is Dialect.TERRAFORM:
        label = f"{_tf_label(fn, app, ctx)}_{suffix.lower()}"
        if f"aws_sqs_queue.{label}" in app.resources:
            raise _Refused(f"aws_sqs_queue.{label} exists but does not look like a dead-letter queue: wire it by hand")
        return label
    base = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", fn.name))
    ident = base + suffix
    if ident in app.resources:
        raise _Refused(
            f"the template already has a resource {ident}: fnaudit does not guess whether it is "
            f"{fn.name}'s; wire it up by hand"
        )
    return ident


def _tf_label(fn: Function, app: App, ctx: FixContext) -> str:
    site = _function_site(fn, app, ctx)
    m = _TF_FUNCTION.match(site.lines[site.index])
    assert m is not None  # _function_site checked it
    return m.group(1)


def _add_resource(fn: Function, app: App, ctx: FixContext, ident: str, rtype: str, props: Mapping[str, object]) -> Edit:
    """A new resource just before `fn`'s (above the comments that introduce it; serverless: at the end of
    `resources.Resources`). Before, not after: the end of the function's block is where its own new keys go,
    and two insertions at one line would nest whichever comes second in the plan inside the other."""
    if app.dialect is Dialect.SERVERLESS:
        return _serverless_resource(app, ctx, ident, rtype, props)
    lines = _lines(ctx, fn.loc.path)
    index = fn.loc.line - 1
    indent = indent_of(lines[index])
    if format_of(fn.loc.path) is Format.JSON:  # a member that ends with a comma changes no existing line
        inner = json_insert_point(lines, index)
        step = (inner[1] - indent) if inner else 2
        new = json_lines(ident, {"Type": rtype, "Properties": props}, indent, step)
        return Edit(fn.loc.path, index + 1, index + 1, new)
    step = yaml_child_indent(lines, index) - indent
    tree: YamlTree = {ident: {"Type": rtype, "Properties": {k: _yaml_text(v) for k, v in props.items()}}}
    top = _leading_comments(lines, index)
    end = yaml_block_end(lines, index)
    separated = (top > 0 and not lines[top - 1].strip()) or (end < len(lines) and not lines[end].strip())
    blank = ("",) if separated else ()  # the file's own separation of resources
    return Edit(fn.loc.path, top + 1, top + 1, (*yaml_lines(tree, indent, step), *blank))


def _leading_comments(lines: list[str], index: int) -> int:
    """The first line of the comments directly above `lines[index]`, at its indentation (they introduce it)."""
    top = index
    while top > 0 and lines[top - 1].strip().startswith("#") and indent_of(lines[top - 1]) == indent_of(lines[index]):
        top -= 1
    return top


def _serverless_resource(app: App, ctx: FixContext, ident: str, rtype: str, props: Mapping[str, object]) -> Edit:
    site = _provider_site(app, ctx)  # checks the file is YAML
    lines = site.lines
    step = yaml_child_indent(lines, site.index)
    body: YamlTree = {ident: {"Type": rtype, "Properties": {k: _yaml_text(v) for k, v in props.items()}}}
    top = find_key(lines, 0, len(lines), "resources", 0)
    if top is None:
        new = yaml_lines({"resources": {"Resources": body}}, 0, step)
        keys = [i for i, ln in enumerate(lines) if ln[:1].strip() and not ln.startswith("#")]
        functions = find_key(lines, 0, len(lines), "functions", 0)
        at = _leading_comments(lines, functions) if functions is not None else 0
        if functions is not None and keys and keys[-1] == functions and at > 0 and not lines[at - 1].strip():
            # `functions:` ends the file and its last function gets new keys at the end: go above it, after the
            # blank line that ends the block before (where that block's own new keys go)
            return Edit(app.source, at + 1, at + 1, (*new, ""))
        blank = ("",) if lines and lines[-1].strip() else ()
        return Edit(app.source, len(lines) + 1, len(lines) + 1, (*blank, *new))
    inner = find_key(lines, top + 1, yaml_block_end(lines, top), "Resources", yaml_child_indent(lines, top))
    if inner is None or yaml_insert_point(lines, inner) is None:
        raise _Refused(
            f"`resources` in {app.source} has no `Resources:` block written out (a file include or a "
            f"list): add the queue {ident} there by hand"
        )
    return _insert_tree(_Site(app.source, lines, inner, Format.YAML), body)


def _after_resource(fn: Function, app: App, ctx: FixContext, body: list[str]) -> Edit:
    """Terraform: a new block after the function's `resource` block."""
    site = _function_site(fn, app, ctx)
    point = hcl_insert_point(site.lines, site.index)
    if point is None:
        raise _Refused(f"{site.path}:{site.index + 1}: the block is written on one line")
    return Edit(site.path, point[0] + 2, point[0] + 2, tuple(body))


def _yaml_text(value: object) -> str:
    if isinstance(value, dict) and set(value) == {"Fn::Sub"}:
        return f"!Sub {value['Fn::Sub']}"
    return str(value)
