"""Drift between the repository's IaC and the deployed account (`fnaudit scan aws: --compare PATH`).

`compare` matches each deployed function to the one the IaC declares and records how they differ on the
deployed App (`App.drift`, model/drift.py), for the DRIFT rules to report. Pure: it reads two lists of Apps
(the repository scan and the account scan) and never calls AWS.

Matching a deployed function named N (its `deployed_name` when the rendered template gave one, else its name),
in order, each step deciding only when it finds exactly one candidate (two or more: no match at all, since
falling through to a weaker step would pick one of them by luck):
1. a declared function whose `deployed_name` is N (a literal FunctionName, serverless `name:` or its
   `<service>-<stage>-<key>` convention);
2. among declared functions AWS names itself (no `deployed_name`), the one whose logical name is N;
3. among those, the one CloudFormation would have named N: `<stack>-<LogicalId>-<SUFFIX>`, SUFFIX 8 or more
   upper-case letters and digits.

A setting is compared only when both sides know it: a value the IaC leaves to a reference (`!GetAtt`,
`${ssm:…}`) is not compared, and a setting the IaC does not write stands for the platform's default (Lambda's
3 s and 128 MB, the Framework's 6 s and 1024 MB), so an IaC default and the same deployed default are equal.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from fnaudit.loaders._sls_iam import DEFAULT_ROLE
from fnaudit.model.app import (
    App,
    AuthKind,
    Dialect,
    Effect,
    Function,
    FunctionUrl,
    Role,
    Statement,
    Trigger,
    TriggerKind,
)
from fnaudit.model.drift import Change, Difference, DiffKind, Setting
from fnaudit.model.loc import Loc, Origin, Value
from fnaudit.redact import redact

_GENERATED_SUFFIX = re.compile("[A-Z0-9]{8,}")


@dataclass(frozen=True, slots=True)
class Declared:
    """A declared function and the app that declares it."""

    app: App
    fn: Function


@dataclass(frozen=True, slots=True)
class Declarations:
    """The declared functions, indexed once by the names a deployed function can be matched by (an account
    has thousands of functions: each match is a few dictionary look-ups, not a walk of every declaration)."""

    all: tuple[Declared, ...]
    by_deployed_name: Mapping[str, tuple[Declared, ...]]
    by_logical_name: Mapping[str, tuple[Declared, ...]]  # only those AWS names itself (no deployed_name)

    @staticmethod
    def of(apps: Sequence[App]) -> Declarations:
        every = tuple(Declared(app, fn) for app in apps for fn in app.functions)
        named: dict[str, list[Declared]] = {}
        generated: dict[str, list[Declared]] = {}
        for d in every:
            if d.fn.deployed_name is not None:
                named.setdefault(d.fn.deployed_name, []).append(d)
            else:
                generated.setdefault(d.fn.name, []).append(d)
        return Declarations(every, {k: tuple(v) for k, v in named.items()}, {k: tuple(v) for k, v in generated.items()})


def compare(declared: Sequence[App], deployed: Sequence[App], declared_root_label: str) -> tuple[App, ...]:
    """The deployed apps with `drift` filled: differences of every matched function, deployed functions no IaC
    declares, and declared functions nothing deployed matches (these on the first deployed app; with no
    deployed app at all, on an empty App named `aws`)."""
    declarations = Declarations.of(declared)
    matched: set[str] = set()
    out: list[App] = []
    for app in deployed:
        diffs: list[Difference] = []
        for fn in app.functions:
            found = match(deployed_name_of(fn), declarations)
            if found is None:
                diffs.append(
                    Difference(
                        DiffKind.DEPLOYED_ONLY,
                        deployed_loc=fn.loc,
                        deployed_function=deployed_name_of(fn),
                        deployed_function_id=fn.id,
                        declared_root=declared_root_label,
                    )
                )
                continue
            matched.add(found.fn.id)
            diffs.extend(_settings(found, app, fn, declared_root_label))
        out.append(app if not diffs else replace(app, drift=app.drift + tuple(_sorted(diffs))))
    missing = sorted((d.fn for d in declarations.all if d.fn.id not in matched), key=lambda f: (f.loc, f.name))
    if missing:
        host = out[0] if out else App(name="aws", dialect=Dialect.CLOUDFORMATION, root="", source="aws:")
        gone = tuple(
            Difference(
                DiffKind.DECLARED_ONLY,
                deployed_loc=Loc(host.source),
                declared_function=fn.name,
                declared_loc=fn.loc,
                declared=fn.deployed_name or fn.name,
                declared_root=declared_root_label,
            )
            for fn in missing
        )
        host = replace(host, drift=host.drift + gone)
        out = [host, *out[1:]] if out else [host]
    return tuple(out)


def deployed_name_of(fn: Function) -> str:
    """The name a deployed function has in the account: the rendered template's FunctionName, else its name."""
    return fn.deployed_name or fn.name


def match(name: str, declarations: Declarations) -> Declared | None:
    """The one declared function deployed as `name` (module docstring), or None (none, or ambiguous)."""
    # CloudFormation's generated name: logical ids are alphanumeric, so the id is the part between the last
    # two hyphens, after a stack name that is not empty (and may hold hyphens of its own)
    parts = name.rsplit("-", 2)
    generated: tuple[Declared, ...] = ()
    if len(parts) == 3 and parts[0] and _GENERATED_SUFFIX.fullmatch(parts[2]):
        generated = declarations.by_logical_name.get(parts[1], ())
    steps = (declarations.by_deployed_name.get(name, ()), declarations.by_logical_name.get(name, ()), generated)
    for found in steps:
        if len(found) == 1:
            return found[0]
        if found:
            return None  # ambiguous: two declarations claim the name, neither is picked
    return None


def _sorted(diffs: list[Difference]) -> list[Difference]:
    return sorted(diffs, key=lambda d: (d.function, d.kind.value, d.setting or "", d.item, d.change.value))


# ---- settings ---------------------------------------------------------------------------------------------

# What the platform applies when the IaC writes nothing: (timeout s, memory MB). Lambda's own defaults for the
# CloudFormation family (SAM, Terraform and the CDK deploy through it); the Framework, Chalice and Zappa set
# their own. A dialect missing here has no known default: an unwritten value is not compared.
_SIZE_DEFAULTS: Mapping[Dialect, tuple[int, int]] = {
    Dialect.CLOUDFORMATION: (3, 128),
    Dialect.SAM: (3, 128),
    Dialect.TERRAFORM: (3, 128),
    Dialect.CDK: (3, 128),
    Dialect.SERVERLESS: (6, 1024),
    Dialect.CHALICE: (60, 128),
    Dialect.ZAPPA: (30, 512),
}
_UNRESERVED = "unreserved"
_NO_DLQ = "none"
_PASSTHROUGH = "PassThrough"


@dataclass(frozen=True, slots=True)
class _Side:
    """One side of a setting: its display text (None: not known, so not compared) and location."""

    text: str | None
    loc: Loc


def _settings(dec: Declared, app: App, fn: Function, root: str) -> Iterator[Difference]:
    d = dec.fn
    base = Difference(
        DiffKind.SETTING,
        deployed_loc=fn.loc,
        declared_function=d.name,
        deployed_function=deployed_name_of(fn),
        deployed_function_id=fn.id,
        declared_loc=d.loc,
        declared_root=root,
    )
    timeout_default = {k: v[0] for k, v in _SIZE_DEFAULTS.items()}
    memory_default = {k: v[1] for k, v in _SIZE_DEFAULTS.items()}
    scalars: tuple[tuple[Setting, Value[Any], Value[Any], Mapping[Dialect, object]], ...] = (
        (Setting.RUNTIME, d.runtime, fn.runtime, {}),
        (Setting.HANDLER, d.handler, fn.handler, {}),
        (Setting.TIMEOUT, d.timeout, fn.timeout, timeout_default),
        (Setting.MEMORY, d.memory, fn.memory, memory_default),
        (Setting.CONCURRENCY, d.reserved_concurrency, fn.reserved_concurrency, dict.fromkeys(Dialect, _UNRESERVED)),
        (Setting.TRACING, d.tracing, fn.tracing, dict.fromkeys(Dialect, _PASSTHROUGH)),
        (Setting.DEAD_LETTER, d.dead_letter, fn.dead_letter, dict.fromkeys(Dialect, _NO_DLQ)),
    )
    for setting, ours, theirs, defaults in scalars:
        a = _scalar(setting, ours, defaults.get(dec.app.dialect), d.loc)
        b = _scalar(setting, theirs, defaults.get(app.dialect), fn.loc)
        if a.text is not None and b.text is not None and a.text != b.text:
            yield replace(
                base, setting=setting, declared=a.text, deployed=b.text, declared_loc=a.loc, deployed_loc=b.loc
            )
    yield from _environment(base, d, fn)
    yield from _role(base, dec, fn)
    yield from _routes(base, d, fn)
    yield from _url(base, d, fn)


def _scalar(setting: Setting, value: Value[Any], default: object, fallback: Loc) -> _Side:
    loc = value.loc if value.loc.path and value.origin is not Origin.DEFAULT else fallback
    if value.is_set:
        raw: object = value.value
    elif value.is_default and default is not None:
        raw = default
    else:
        return _Side(None, loc)  # unresolved, or a default nobody documents: not compared
    text = str(raw).strip()
    if setting is Setting.TRACING:
        text = "Active" if text.lower() in ("active", "true") else _PASSTHROUGH
    return _Side(text, loc)


def _here(value: Value[Any], fallback: Loc) -> Loc:
    return value.loc if value.loc.path and value.origin is not Origin.DEFAULT else fallback


# ---- environment ------------------------------------------------------------------------------------------


def _environment(base: Difference, d: Function, fn: Function) -> Iterator[Difference]:
    env = replace(base, setting=Setting.ENVIRONMENT)
    for key in sorted(set(d.environment) | set(fn.environment)):
        ours, theirs = d.environment.get(key), fn.environment.get(key)
        if ours is None and theirs is not None:
            yield replace(
                env,
                item=key,
                change=Change.ADDED,
                declared="not set",
                deployed=_env_text(theirs),
                deployed_loc=_here(theirs, fn.loc),
            )
        elif theirs is None and ours is not None:
            yield replace(
                env,
                item=key,
                change=Change.REMOVED,
                declared=_env_text(ours),
                deployed="not set",
                declared_loc=_here(ours, d.loc),
            )
        elif ours is not None and theirs is not None and _comparable(ours, theirs) and ours.value != theirs.value:
            yield replace(
                env,
                item=key,
                declared=_env_text(ours),
                deployed=_env_text(theirs),
                declared_loc=_here(ours, d.loc),
                deployed_loc=_here(theirs, fn.loc),
            )


def _comparable(*values: Value[str]) -> bool:
    """Literals: a reference (SSM, a secret, `!GetAtt`) is resolved only at deploy time, so never compared."""
    return all(v.is_set and v.ref is None for v in values)


def _env_text(value: Value[str]) -> str:
    """Environment values are shown redacted, whatever they hold: a changed password must not be printed."""
    if value.ref is not None:
        return f"a reference ({value.ref.kind.value})"
    if not value.is_set:
        return "unknown"
    return redact(str(value.value))


# ---- role -------------------------------------------------------------------------------------------------

# Statements the Serverless Framework adds to the role it generates and that its IaC never writes: a deployed
# role holding them is not drift.
_FRAMEWORK_ACTIONS = frozenset(
    a.lower()
    for a in (
        "logs:CreateLogStream",
        "logs:CreateLogGroup",
        "logs:TagResource",
        "logs:PutLogEvents",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:DescribeStream",
        "dynamodb:ListStreams",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:ListShards",
        "kinesis:ListStreams",
    )
)


@dataclass(frozen=True, slots=True)
class _Grants:
    """A role as compared: (effect, action in lower case: IAM ignores the case) → resources, each action as
    first written and where, and the policies compared by name only."""

    actions: Mapping[tuple[Effect, str], frozenset[str]]
    written: Mapping[tuple[Effect, str], str]
    locs: Mapping[tuple[Effect, str], Loc]
    policies: Mapping[str, Loc]


def _role(base: Difference, dec: Declared, fn: Function) -> Iterator[Difference]:
    d = dec.fn
    if not _known_role(d.role) or not _known_role(fn.role):
        return
    assert d.role is not None and fn.role is not None
    by_name = _named_policies(d.role) | _named_policies(fn.role)
    ours, theirs = _grants(d.role, by_name), _grants(fn.role, by_name)
    framework = dec.app.dialect is Dialect.SERVERLESS and d.role.id.endswith(DEFAULT_ROLE)
    role = replace(base, setting=Setting.ROLE, declared_loc=d.role.loc, deployed_loc=fn.role.loc)
    for effect, action in sorted(set(ours.actions) | set(theirs.actions)):
        key = (effect, action)
        item = f"{effect.value} {ours.written.get(key) or theirs.written[key]}"
        mine, deployed = ours.actions.get(key), theirs.actions.get(key)
        if mine is None and deployed is not None:
            if _covered(action, effect, ours) or (framework and action in _FRAMEWORK_ACTIONS):
                continue
            yield replace(
                role,
                item=item,
                change=Change.ADDED,
                declared="not granted",
                deployed=_resources(deployed),
                deployed_loc=theirs.locs[key],
                wider=effect is Effect.ALLOW,
            )
        elif deployed is None and mine is not None:
            if _covered(action, effect, theirs):
                continue
            yield replace(
                role,
                item=item,
                change=Change.REMOVED,
                declared=_resources(mine),
                deployed="not granted",
                declared_loc=ours.locs[key],
                wider=effect is Effect.DENY,  # a Deny the IaC wrote is gone: the deployment allows more
            )
        elif mine is not None and deployed is not None and mine != deployed and _literal(mine) and _literal(deployed):
            widened = ("*" in deployed and "*" not in mine) or bool(deployed - mine)
            yield replace(
                role,
                item=item,
                declared=_resources(mine),
                deployed=_resources(deployed),
                declared_loc=ours.locs[key],
                deployed_loc=theirs.locs[key],
                wider=widened if effect is Effect.ALLOW else bool(mine - deployed),
            )
    for name in sorted(set(ours.policies) | set(theirs.policies)):
        if name in ours.policies and name not in theirs.policies:
            yield replace(
                role,
                item=f"managed policy {name}",
                change=Change.REMOVED,
                declared="attached",
                deployed="not attached",
                declared_loc=ours.policies[name],
            )
        elif name in theirs.policies and name not in ours.policies:
            yield replace(
                role,
                item=f"managed policy {name}",
                change=Change.ADDED,
                declared="not attached",
                deployed="attached",
                deployed_loc=theirs.policies[name],
                wider=True,
            )


def _known_role(role: Role | None) -> bool:
    """A role whose grants are known: one the IaC only references by ARN is not compared."""
    return role is not None and not (role.external and not role.statements and not role.managed_policies)


def _named_policies(role: Role) -> frozenset[str]:
    """Managed policies compared by name: AWS-managed ones, and any whose statements this side does not know
    (a policy the IaC only names by ARN). The IaC names them, the account expands them: expanding them on one
    side only would make one policy look like a dozen granted actions."""
    return frozenset(mp.name for mp in role.managed_policies if mp.aws_managed or not mp.statements)


def _grants(role: Role, by_name: frozenset[str]) -> _Grants:
    actions: dict[tuple[Effect, str], set[str]] = {}
    written: dict[tuple[Effect, str], str] = {}
    locs: dict[tuple[Effect, str], Loc] = {}
    policies: dict[str, Loc] = {}
    statements: list[Statement] = list(role.statements)
    for mp in role.managed_policies:
        if mp.name in by_name:
            policies[mp.name] = mp.loc
        else:
            statements.extend(mp.statements)
    for st in statements:
        names = [*st.actions, *(f"NotAction {a}" for a in st.not_actions)]
        resources = [*st.resources, *(f"NotResource {r}" for r in st.not_resources)] or ["*"]
        for action in names:
            key = (st.effect, action.lower())
            actions.setdefault(key, set()).update(resources)
            written.setdefault(key, action)
            locs.setdefault(key, st.loc)
    return _Grants({k: frozenset(v) for k, v in actions.items()}, written, locs, policies)


def _covered(action: str, effect: Effect, other: _Grants) -> bool:
    """Whether a wildcard action of the other side already grants `action` (`s3:*` covers `s3:GetObject`);
    both in lower case."""
    if action.startswith("notaction "):
        return False
    return any(
        e is effect and a != action and not a.startswith("notaction ") and fnmatch.fnmatchcase(action, a)
        for e, a in other.actions
    )


def _literal(resources: frozenset[str]) -> bool:
    """Resources written as plain ARNs or `*`: a reference (`!GetAtt`, `${…}`) is resolved only at deploy time."""
    return all(not (r.startswith(("!", "{", "[")) or "${" in r) for r in resources)


def _resources(resources: frozenset[str]) -> str:
    return "on " + ", ".join(sorted(resources))


# ---- HTTP routes and function URLs ------------------------------------------------------------------------

_AUTH_RANK = {AuthKind.NONE: 0, AuthKind.API_KEY: 1}  # every other kind authenticates: 2


def _rank(kind: AuthKind) -> int:
    return _AUTH_RANK.get(kind, 2)


def _route_auth(fn: Function) -> dict[str, tuple[AuthKind, Loc]]:
    """`METHOD /path` → the weakest authorization any API route of the function with that key has."""
    out: dict[str, tuple[AuthKind, Loc]] = {}
    for t in fn.http_triggers:
        if t.path is None or t.kind not in (TriggerKind.API_REST, TriggerKind.API_HTTP):
            continue
        key = f"{(t.method or 'ANY').upper()} {_path(t.path)}"
        kind = _kind(t)
        if key not in out or _rank(kind) < _rank(out[key][0]):
            out[key] = (kind, t.decided_at or t.loc)
    return out


def _kind(t: Trigger) -> AuthKind:
    kind = t.authorizer.kind
    return AuthKind.API_KEY if kind is AuthKind.NONE and t.api_key_required else kind


def _path(path: str) -> str:
    """`items/{id}/` and `/items/{id}` are one route."""
    return "/" + path.strip().strip("/")


def _routes(base: Difference, d: Function, fn: Function) -> Iterator[Difference]:
    ours, theirs = _route_auth(d), _route_auth(fn)
    auth = replace(base, setting=Setting.HTTP_AUTH)
    for key in sorted(set(ours) | set(theirs)):
        mine, deployed = ours.get(key), theirs.get(key)
        if mine is None and deployed is not None:
            yield replace(
                auth,
                item=key,
                change=Change.ADDED,
                declared="no route",
                deployed=deployed[0].value,
                deployed_loc=deployed[1],
                wider=not deployed[0].authenticates,
            )
        elif deployed is None and mine is not None:
            yield replace(
                auth, item=key, change=Change.REMOVED, declared=mine[0].value, deployed="no route", declared_loc=mine[1]
            )
        elif mine is not None and deployed is not None and mine[0] is not deployed[0]:
            if AuthKind.UNKNOWN in (mine[0], deployed[0]) and mine[0].authenticates and deployed[0].authenticates:
                continue  # an authorizer of a kind one side cannot tell: not evidence of a change
            yield replace(
                auth,
                item=key,
                declared=mine[0].value,
                deployed=deployed[0].value,
                declared_loc=mine[1],
                deployed_loc=deployed[1],
                wider=_rank(deployed[0]) < _rank(mine[0]),
            )


def _url_auth(url: FunctionUrl | None) -> str | None:
    """NONE | AWS_IAM, '' for no URL, None when the auth type cannot be known."""
    if url is None:
        return ""
    auth = url.auth_type
    if auth.is_default:
        return "NONE"  # serverless `url: true`: Lambda's default for a URL without authorizer
    if not auth.is_set:
        return None
    return str(auth.value).strip().upper()


def _url(base: Difference, d: Function, fn: Function) -> Iterator[Difference]:
    ours, theirs = _url_auth(d.url), _url_auth(fn.url)
    if ours is None or theirs is None or ours == theirs:
        return
    declared_loc = _url_loc(d.url, d.loc)
    deployed_loc = _url_loc(fn.url, fn.loc)
    change = Change.ADDED if not ours else Change.REMOVED if not theirs else Change.CHANGED
    wider = theirs == "NONE"  # a URL anyone can call where the IaC has none, or IAM auth
    yield replace(
        base,
        setting=Setting.URL_AUTH,
        change=change,
        declared=ours or "no URL",
        deployed=theirs or "no URL",
        declared_loc=declared_loc,
        deployed_loc=deployed_loc,
        wider=wider,
    )


def _url_loc(url: FunctionUrl | None, fallback: Loc) -> Loc:
    if url is None:
        return fallback
    return url.auth_type.loc if url.auth_type.is_set and url.auth_type.loc.path else url.loc
