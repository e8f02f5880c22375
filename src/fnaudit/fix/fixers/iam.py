"""Least privilege: an over-broad IAM statement becomes the statements the function's code needs.

The needs are `fnaudit permissions`' (`engines.iam.least.least_privilege`, one per function of the role); this
module only decides which of them the reported statement must keep granting and writes those in its place:

- each needed (action, resource) is already granted by a statement that stays (one no IAM finding is fixed on,
  an AWS managed policy such as AWSLambdaBasicExecutionRole) → nothing to write for it; else it goes to the
  reported statement that grants it today with the fewest actions (the one that names it), the first on a tie.
  So two over-broad statements never both write the same need, and a statement that grants nothing the code
  needs is removed;
- in CloudFormation and Terraform the role is the user's own: the function's logging (and traces when tracing is
  Active) count as needs, so the rewrite does not take them away; serverless and SAM add them to the role.

A finding is not fixed (NoFix, with why) when what the code needs is unknown: its code was not analysed, an SDK
call maps to no IAM action, or a needed action's resource is not named in the code; and when the statement is
not one this module can rewrite safely (an AWS managed policy, a SAM policy template, a YAML alias).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from fnaudit.engines.iam import catalogue, used
from fnaudit.engines.iam.arns import covers
from fnaudit.engines.iam.least import least_privilege
from fnaudit.engines.iam.used import Need
from fnaudit.findings import Finding
from fnaudit.fix.context import FixContext
from fnaudit.fix.fixers import iam_render as render
from fnaudit.fix.fixers import iam_sam, iam_split
from fnaudit.fix.model import Edit, Fix, NoFix
from fnaudit.fix.registry import fixer
from fnaudit.fix.text import Format, format_of, indent_of, is_blank_or_comment, yaml_block_end
from fnaudit.model.app import App, Dialect, Effect, Function, Role, Statement
from fnaudit.model.permissions import Grant
from fnaudit.rules.iam._policy import cause, managed_name

# The rules that report a statement as over-broad; one finding per statement (fnaudit.rules.iam.merge).
STATEMENT_RULES = ("IAM001", "IAM002", "IAM003", "IAM005", "IAM006", "IAM007", "IAM008", "IAM010")
_LOGS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
_TRACES = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
# AWSLambdaVPCAccessExecutionRole: what Lambda does with the role to attach a function to its VPC
_VPC = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)


@fixer(*STATEMENT_RULES)
def least_privilege_statement(finding: Finding, ctx: FixContext) -> Fix | NoFix | None:
    app = ctx.app(finding)
    if app is None or finding.cause is None:
        return None
    users = _users(finding, app)
    role = users[0].role if users else None
    if role is None:
        return None

    def nofix(reason: str) -> NoFix:
        return NoFix(finding.rule_id, finding.fingerprint, finding.function, reason)

    unit = [st for st in role.all_statements() if st.effect is Effect.ALLOW and cause(role, st) == finding.cause]
    if not unit:
        return None  # not a statement of the role (an escalation across statements): nothing to replace
    policy = managed_name(unit[0])
    if policy is not None:
        return nofix(
            f"the grant comes from the AWS managed policy {policy}: detach it and grant what "
            f"`fnaudit permissions {users[0].name}` prints"
        )
    if len(unit) > 1:
        return nofix(
            f"{unit[0].loc} is a policy template of several statements: replace it with what "
            f"`fnaudit permissions {users[0].name}` prints"
        )
    st = unit[0]
    others = sorted(
        {
            fn.role.id
            for fn in app.functions
            if fn.role is not None and fn.role.id != role.id and any(o.loc == st.loc for o in fn.role.all_statements())
        }
    )
    if others:
        # one policy attached to several roles (an AWS::IAM::Policy with Roles, a customer managed policy): its
        # rewrite would have to serve every role's functions; the per-role fix would take their permissions away
        return nofix(f"the statement's policy is also attached to {', '.join(others)}: give each role its own policy")
    needs = _needs(users, app)
    if isinstance(needs, str):
        return nofix(needs)
    mine = _assigned(st, role, users, needs, _fixed_causes(ctx, role))
    unnamed = _unnamed(mine, users, app)
    if unnamed:
        return nofix(
            f"{unnamed}: name the resource (an environment variable set from the app's resource), then run again"
        )
    statements = [(acts, res) for acts, res in used.group_statements(mine)]
    return _rewrite(finding, ctx, app, st, statements, users)


def _unnamed(needs: list[Need], users: list[Function], app: App) -> str:
    """Why some needs cannot be scoped: the actions the code calls on a resource it does not name, and where
    (the SDK calls, as the IAM engine maps them); "" when every needed resource is known."""
    cat = catalogue.load()
    runtime = {*_LOGS, *_TRACES, *_VPC}  # granted on `*` by AWS's own policies too: not the code's to name
    actions = sorted(
        {n.action for n in needs if n.resource == "*" and cat.scopable(n.action) and n.action not in runtime}
    )
    if not actions:
        return ""
    where = sorted(
        {
            f"{fn.name} at {n.call.loc}"
            for fn in users
            for n in used.needs(fn, app, cat)
            if n.action in actions and n.resource == "*" and n.call is not None
        }
    )
    at = f" ({', '.join(where)})" if where else ""
    return f"the code calls {', '.join(actions)} on a resource fnaudit cannot resolve{at}"


def _users(finding: Finding, app: App) -> list[Function]:
    ids = finding.function_ids or ((finding.function_id,) if finding.function_id else ())
    return [fn for fn in app.functions if fn.id in ids]


def _needs(users: list[Function], app: App) -> list[Need] | str:
    """Every (action, resource) the role's functions need, or why that is unknown."""
    out: list[Need] = []
    for fn in users:
        if fn.code_facts is None:
            why = fn.code.note or f"its {fn.code.language} code could not be analysed"
            return f"the code of {fn.name} was not analysed ({why}), so what it needs is unknown"
        lp = least_privilege(fn, app)
        if lp.unknown:
            calls = ", ".join(f"{c.service}.{c.operation} at {c.loc}" for c in lp.unknown)
            return f"the code of {fn.name} makes AWS calls fnaudit cannot map to IAM actions ({calls})"
        for st in lp.statements:
            out.extend(Need(a, arn, ref, None) for a in st.actions for arn, ref in st.resources)
        if app.dialect in (Dialect.CLOUDFORMATION, Dialect.TERRAFORM):
            # the user's own role: the rewrite must keep what the Lambda runtime writes with it
            out.extend(Need(a, lp.log_group, None, None) for a in _LOGS)
            if fn.tracing.value == "Active":
                out.extend(Need(a, "*", None, None) for a in _TRACES)
            declared = app.resources.get(fn.id.rsplit("#", 1)[-1])
            if declared is not None and declared.properties.get("VpcConfig"):
                out.extend(Need(a, "*", None, None) for a in _VPC)
    return out


def _fixed_causes(ctx: FixContext, role: Role) -> set[str]:
    """The role's statements an IAM finding is reported on: each is rewritten by its own fix."""
    prefix = f"statement:{role.id}|"
    return {
        f.cause
        for rule in STATEMENT_RULES
        for f in ctx.findings(rule)
        if f.cause is not None and f.cause.startswith(prefix)
    }


def _assigned(st: Statement, role: Role, users: list[Function], needs: list[Need], fixed: set[str]) -> list[Need]:
    """The needs `st` must keep granting: those no kept statement grants and whose grantor among the reported
    statements is `st`: the one that grants the fewest actions (it names the need: `s3:GetObject` on `*` rather
    than `*` on `*`), the first in the role's order on a tie."""
    perms = users[0].permissions
    if perms is None:
        return []
    reported = [s for s in role.all_statements() if s.effect is Effect.ALLOW and cause(role, s) in fixed]
    reported_keys = {(s.loc, s.source) for s in reported}
    kept = [g for g in perms.grants if (g.loc, g.source) not in reported_keys]
    grants = {(s.loc, s.source): perms.of_statement(s.loc, s.source) for s in reported}
    breadth = {key: sum(len(g.actions) for g in gs) for key, gs in grants.items()}
    mine: list[Need] = []
    seen: set[tuple[str, str]] = set()
    for need in needs:
        if (need.action, need.resource) in seen:
            continue
        seen.add((need.action, need.resource))
        if _grants(kept, need):
            continue
        grantors = [n for n, s in enumerate(reported) if _grants(grants[(s.loc, s.source)], need)]
        if not grantors:
            continue
        best = min(grantors, key=lambda n: (breadth[(reported[n].loc, reported[n].source)], n))
        if (reported[best].loc, reported[best].source) == (st.loc, st.source):
            mine.append(need)
    return mine


def _grants(grants: Iterable[Grant], need: Need) -> bool:
    return any(
        need.action in g.actions
        and covers(g.resource, need.resource)
        and not any(covers(e, need.resource) for e in g.except_resources)
        for g in grants
    )


def _rewrite(
    finding: Finding,
    ctx: FixContext,
    app: App,
    st: Statement,
    statements: list[render.Needed],
    users: list[Function],
) -> Fix | NoFix:
    def nofix(reason: str) -> NoFix:
        return NoFix(finding.rule_id, finding.fingerprint, finding.function, reason)

    path = st.loc.path
    lines = ctx.sources.lines(path)
    if lines is None or not 0 < st.loc.line <= len(lines):
        return nofix(f"{path} cannot be edited here")
    fmt = format_of(path)
    index = st.loc.line - 1
    block: render.Block | str
    if fmt is Format.YAML:
        block = render.yaml_block(lines, index)
    elif fmt is Format.JSON:
        block = render.json_block(lines, index)
    elif fmt is Format.HCL:
        block = render.hcl_block(lines, index)
    else:
        block = f"{path} is not YAML, JSON or Terraform"
    if isinstance(block, str):
        return nofix(f"{block} ({st.loc})")
    edits: list[Edit] = []
    label = _label(st)
    if block.kind == "yaml" and not {"effect", "action", "resource"} & set(block.keys):
        # a SAM policy template (`- SQSPollerPolicy: {QueueName: …}`): an entry of `Policies:`, not a statement
        label = f"the policy template {_template_name(st)}"
        if statements:
            return nofix(f"{label} grants more than the code needs: replace it with {_what(statements)} ({st.loc})")
    if not statements:
        if _only_item(lines, block):
            return nofix(
                f"the code needs nothing this statement grants, and it is the only one of its policy: "
                f"remove the policy ({st.loc})"
            )
        start, end = block.start, block.end
        while block.kind.startswith("yaml") and start > 0 and lines[start - 1].startswith(block.indent + "#"):
            start -= 1  # the comment that introduces the statement goes with it
        if block.kind == "json" and not block.comma:
            prev = _previous(lines, block.start)  # the statement before it loses its trailing comma
            if prev is not None and lines[prev].rstrip().endswith(","):
                edits.append(Edit(path, prev + 1, prev + 2, (lines[prev].rstrip().removesuffix(","),)))
        edits.append(Edit(path, start + 1, end + 1, ()))
        summary = f"remove {label}: the code uses none of it"
    elif block.kind == "yaml" and app.dialect is Dialect.SAM and st.source.startswith("Policies["):
        sam = _sam_edits(path, lines, block, statements, app)
        if isinstance(sam, str):
            return nofix(sam)
        edits.extend(sam)
        summary = f"{_label(st)} → {_what(statements)}"
    else:
        if block.kind == "json":
            new = render.json_lines(block, statements, app, block.comma)
        elif block.kind == "hcl":
            new = render.hcl_lines(block, statements, app)
        elif block.kind == "hcl-object":
            new = render.hcl_object_lines(block, statements, app)
        else:
            new = render.yaml_lines(block, statements, app)
        edits.append(Edit(path, block.start + 1, block.end + 1, tuple(new)))
        summary = f"{_label(st)} → {_what(statements)}"
    notes = [f"the statements are what the code of {', '.join(f.name for f in users)} calls (`fnaudit permissions`)"]
    if block.condition:
        notes.append("the statement's Condition is kept on each new statement: check it still fits")
    if len(users) > 1:
        notes.append(f"the role is shared by {len(users)} functions: each holds what all of them need")
    return Fix(finding.rule_id, finding.fingerprint, finding.function, summary, tuple(edits), notes=tuple(notes))


def _sam_edits(
    path: str, lines: list[str], block: render.Block, statements: list[render.Needed], app: App
) -> list[Edit] | str:
    """A SAM function's `Policies:` statement: the needs a policy template fits exactly become template
    entries of `Policies:` (after the statement's document, or in its place when nothing else is left in it);
    the others are written as statements where the over-broad one was."""
    templates = [(n, iam_sam.template_for(acts, res, app)) for n, (acts, res) in enumerate(statements)]
    fitting = [t for _, t in templates if t is not None]
    plain = [statements[n] for n, t in templates if t is None]
    if not fitting:
        return [Edit(path, block.start + 1, block.end + 1, tuple(render.yaml_lines(block, statements, app)))]
    item = _policy_item(lines, block)
    if item is None:
        return "the statement's `Policies:` entry was not found above it"
    item_end = yaml_block_end(lines, item)
    dash = re.match(r"^(\s*-\s+)", lines[item])
    assert dash is not None  # _policy_item only returns `- ` lines
    head = dash.group(1)
    param = " " * (len(head) + 2)
    entries = [ln for name, key, value in fitting for ln in (f"{head}{name}:", f"{param}{key}: {value}")]
    alone = _only_item(lines, block)
    if not plain and alone:
        return [Edit(path, item + 1, item_end + 1, tuple(entries))]
    edits = [Edit(path, block.start + 1, block.end + 1, tuple(render.yaml_lines(block, plain, app)))]
    if not plain:
        if alone:
            return "nothing would be left in the statement's document"
        edits = [Edit(path, block.start + 1, block.end + 1, ())]
    edits.append(Edit(path, item_end + 1, item_end + 1, tuple(entries)))
    return edits


def _policy_item(lines: list[str], block: render.Block) -> int | None:
    """The `- ` line of the `Policies:` entry (a policy document) that holds the statement's `Statement:` list."""
    width = len(block.indent)
    for j in range(block.start - 1, -1, -1):
        line = lines[j]
        if is_blank_or_comment(line) or indent_of(line) >= width:
            continue
        width = indent_of(line)
        if line.lstrip().startswith("- "):
            return j
    return None


def _template_name(st: Statement) -> str:
    """`Policies[0] SQSPollerPolicy.Statement[0]` → `SQSPollerPolicy`."""
    parts = st.source.split(" ", 1)
    return parts[1].split(".", 1)[0] if len(parts) == 2 else st.source


def _label(st: Statement) -> str:
    written = ", ".join(st.actions) if st.actions else "NotAction " + ", ".join(st.not_actions)
    return f"Allow {written} on {', '.join(st.resources) or 'NotResource'}"


def _what(statements: list[render.Needed]) -> str:
    actions = sorted({a for acts, _ in statements for a in acts})
    return ", ".join(actions) + " on the app's resources"


def _previous(lines: list[str], index: int) -> int | None:
    for j in range(index - 1, -1, -1):
        if not is_blank_or_comment(lines[j]):
            return j
    return None


def _only_item(lines: list[str], block: render.Block) -> bool:
    """Whether the statement is alone in its list (removing it would leave an empty policy)."""
    prev = _previous(lines, block.start)
    after = next((j for j in range(block.end, len(lines)) if not is_blank_or_comment(lines[j])), None)
    if block.kind in ("yaml", "yaml-flow"):
        return not _yaml_sibling(lines, block, range(block.start - 1, -1, -1)) and not _yaml_sibling(
            lines, block, range(block.end, len(lines))
        )
    if block.kind == "json":
        return prev is not None and lines[prev].rstrip().endswith("[") and not block.comma
    # HCL: another `statement {` block in the same document
    opened = prev is not None and lines[prev].rstrip().endswith("{") and "statement" not in lines[prev]
    closed = after is not None and lines[after].strip() == "}"
    return opened and closed


def _yaml_sibling(lines: list[str], block: render.Block, order: range) -> bool:
    """Whether another item of the statement's list comes first in `order` (deeper lines are its items' keys)."""
    width = len(block.indent)
    for j in order:
        line = lines[j]
        if is_blank_or_comment(line) or indent_of(line) > width:
            continue
        return line.startswith(block.indent + "- ")
    return False


_PER_FUNCTION = {
    Dialect.SERVERLESS: "give each function its own `iamRoleStatements` (the serverless-iam-roles-per-function "
    "plugin is needed; Framework v4: `iam.role.statements` on the function)",
    Dialect.SAM: "drop the shared `Role:` and give each function its own `Policies:`",
    Dialect.CLOUDFORMATION: "declare one AWS::IAM::Role per function",
    Dialect.TERRAFORM: "declare one aws_iam_role (and its policy) per function",
}


@fixer("IAM004")
def per_function_roles(finding: Finding, ctx: FixContext) -> Fix | NoFix | None:
    """serverless.yml and SAM: one role per function (iam_split). In CloudFormation and Terraform a shared role
    is split by hand: a new role resource per function, its trust policy and every reference to the old one is
    too much to write safely as a patch; the note says what each function needs, so the split is a copy and
    paste. So is any split iam_split refuses (it says why first)."""
    app = ctx.app(finding)
    users = _users(finding, app) if app is not None else []
    if app is None or len(users) < 2 or users[0].role is None:
        return None
    role = users[0].role
    why = ""
    if app.dialect in (Dialect.SERVERLESS, Dialect.SAM):
        needed = _needed_each(users, app)
        lines = ctx.sources.lines(app.source)
        split_with = iam_split.split_edits if app.dialect is Dialect.SERVERLESS else iam_split.sam_split_edits
        split = (
            needed
            if isinstance(needed, str)
            else f"{app.source} cannot be edited here"
            if lines is None
            else split_with(app, role, users, needed, lines)
        )
        if not isinstance(split, str):
            return _split_fix(finding, app, users, split)
        why = f"{split}; "
    parts: list[str] = []
    for fn in users:
        if fn.code_facts is None:
            parts.append(f"{fn.name}: unknown (its code was not analysed)")
            continue
        lp = least_privilege(fn, app)
        granted = [
            f"{', '.join(st.actions)} on {', '.join(ref or arn for arn, ref in st.resources)}" for st in lp.statements
        ]
        parts.append(f"{fn.name}: {'; '.join(granted) or 'no AWS call'}")
    how = _PER_FUNCTION.get(app.dialect, "give each function its own role")
    return NoFix(
        finding.rule_id,
        finding.fingerprint,
        finding.function,
        f"{why}split the shared role by hand: {how}, with what each function needs ({' | '.join(parts)}); "
        f"`fnaudit permissions FUNCTION` prints each in this file's dialect",
    )


def _split_fix(finding: Finding, app: App, users: list[Function], edits: tuple[Edit, ...]) -> Fix:
    names = ", ".join(f.name for f in users)
    if app.dialect is Dialect.SERVERLESS:
        return Fix(
            finding.rule_id,
            finding.fingerprint,
            finding.function,
            f"one role per function for {names} ({iam_split.PLUGIN})",
            edits,
            notes=(
                f"each function gets the statements its code needs (`fnaudit permissions`) through the "
                f"{iam_split.PLUGIN} plugin; the provider's statements, which no function needs any more, are removed",
            ),
            commands=(f"npm install --save-dev {iam_split.PLUGIN}",),
        )
    return Fix(
        finding.rule_id,
        finding.fingerprint,
        finding.function,
        f"one role per function for {names} (their own `Policies:`)",
        edits,
        notes=("each function's `Policies:` are what its code needs (`fnaudit permissions`); SAM generates its role",),
    )


def _needed_each(users: list[Function], app: App) -> dict[str, list[render.Needed]] | str:
    """Each function's least-privilege statements, or why one of them is unknown."""
    out: dict[str, list[render.Needed]] = {}
    for fn in users:
        needs = _needs([fn], app)
        if isinstance(needs, str):
            return needs
        unnamed = _unnamed(needs, [fn], app)
        if unnamed:
            return unnamed
        out[fn.id] = list(used.group_statements(needs))
    return out
