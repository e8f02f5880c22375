"""The content of an S3 object a function reads: attacker controlled when the attacker chose the object.

Two cases make the content of `get_object(...)["Body"]` (or an object downloaded to a file) as
attacker controlled as an event field:

- the bucket is the one whose S3 notification (or EventBridge "Object Created" event) triggers the
  function: whoever can upload to it chose the object, and the function reads the object its event
  names (`event["Records"][0]["s3"]["bucket"]["name"]`, or an environment variable / literal naming the
  trigger's bucket);
- the bucket is public-writable in the app (a canned ACL or a bucket policy granting write to `*` that
  no public access block neutralises; `public_writes`, a stricter reading than DATA001's).

The front ends only say *which* bucket an object came from, in values that survive summaries (so a
helper `read(bucket, key)` works for every caller): the bucket value's event path followed by the
`OBJECT` marker (`Records.[].s3.bucket.name.<s3object>.Body`), or the `S3_OBJECT` root with a label
naming the bucket statically (`env:UPLOADS`, `name:my-uploads`). The decision is taken here, per
function, with its triggers, environment and the app's resources; the flows get the source path
`s3object.body`, trigger kind `s3`, confidence medium (an object is one step away from the attacker).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from fnmatch import fnmatchcase
from typing import Any

from fnaudit.engines.code import ir
from fnaudit.engines.code.sources import ANY, ELEM, Path
from fnaudit.engines.code.taint import facts
from fnaudit.engines.code.taint.resources import env_resource
from fnaudit.engines.code.taint.values import EVENT, MAX_PATH, Event, Ref, Summary, Val
from fnaudit.model.app import App, Function, Resource, TriggerKind
from fnaudit.model.code import Flow, Sink, Source, Step

# Path key marking "the content of the object in the bucket this path names" (never an event key).
OBJECT = "<s3object>"
# Root of object content read from a bucket named statically (label: `env:VAR` or `name:bucket`);
# far from the core's special roots (EXC, SECRET, EVENT) so that new ones do not collide.
S3_OBJECT = -40
SOURCE_PATH = "s3object"
CONFIDENCE = "medium"

# Where an event names the bucket of the object it is about, per trigger kind.
_EVENT_BUCKETS: tuple[tuple[TriggerKind, Path], ...] = (
    (TriggerKind.S3, ("Records", ELEM, "s3", "bucket", "name")),
    (TriggerKind.EVENTBRIDGE, ("detail", "bucket", "name")),  # S3 "Object Created" through EventBridge
)
_REF = re.compile(r"^!(?:Ref|GetAtt)\s+([A-Za-z0-9]+)|^\$\{([A-Za-z0-9]+)\}$|^Ref\(([A-Za-z0-9]+)\)$")


def content(bucket: Val, static: str | None, step: Step) -> Val:
    """The value of an object read from the bucket whose value is `bucket` (`static`: the bucket named by
    an environment variable or a literal, `env:VAR` / `name:bucket`)."""
    out: Val = {}
    for r in bucket:
        if r.root >= 0 or r.root == EVENT:  # a sanitised bucket name still holds whatever was uploaded
            out.setdefault(Ref(r.root, (*r.path[: MAX_PATH - 1], OBJECT)), (step,))  # the marker always kept
    if static is not None:
        out[Ref(S3_OBJECT, (), label=static)] = (step,)
    return out


def flows(summary: Summary, event_index: int, param_name: str, fn: Function, app: App | None) -> list[Flow]:
    """`facts.flows`, with object content decided here: content of an attacker-chosen object is a source,
    other object content is not (nor is a bucket name from the event a reason to report its objects)."""
    plain = [_without_objects(ev) for ev in summary.events]
    direct = facts.flows(replace(summary, events=[ev for ev in plain if ev is not None]), event_index, param_name, fn)
    best = {(f.sink.kind, f.sink.loc.path, f.sink.loc.line): f for f in direct}
    for flow in _object_flows(summary, event_index, fn, app):
        key = (flow.sink.kind, flow.sink.loc.path, flow.sink.loc.line)
        old = best.get(key)
        if old is None or (_RANK[flow.confidence], -len(flow.steps)) > (_RANK[old.confidence], -len(old.steps)):
            best[key] = flow
    return sorted(best.values(), key=lambda f: (f.sink.loc, f.sink.kind))


_RANK = {"high": 2, "medium": 1, "low": 0}


def _is_object(r: Ref) -> bool:
    return r.root == S3_OBJECT or OBJECT in r.path


def _without_objects(ev: Event) -> Event | None:
    if not any(_is_object(r) for r, _ in ev.val):
        return ev
    kept = tuple((r, s) for r, s in ev.val if not _is_object(r))
    return replace(ev, val=kept) if kept else None


def _object_flows(summary: Summary, event_index: int, fn: Function, app: App | None) -> list[Flow]:
    out = []
    for ev in summary.events:
        if ev.kind not in ir.SINK_KINDS:
            continue
        for r, steps in ev.val:
            if ev.kind in r.cleared or not _is_object(r):
                continue
            if r.root == S3_OBJECT:
                why, rest = _named_bucket(r.label, fn, app), r.path
            elif r.root in (event_index, EVENT):
                i = r.path.index(OBJECT)
                why, rest = _event_bucket(r.path[:i], fn), r.path[i + 1 :]
            else:
                continue
            if why is None:
                continue
            confidence = "low" if ANY in rest else CONFIDENCE
            source_loc = steps[0].loc if steps else ev.loc
            source = Source(_render(rest), source_loc, (TriggerKind.S3.value,), confidence)
            first = Step(source_loc, f"{steps[0].note}: {why}") if steps else Step(ev.loc, why)
            note = f"reaches the {ev.call}" if " " in ev.call else f"reaches {ev.call}()"
            trace = (first, *steps[1:], Step(ev.loc, note))
            out.append(Flow(source, Sink(ev.kind, ev.call, ev.loc), trace, confidence, ev.route))
    return out


def _render(rest: tuple[str, ...]) -> str:
    keys = ["body" if k == "Body" else "[]" if k == ELEM else "[?]" if k == ANY else k for k in rest]
    return SOURCE_PATH + "".join(k if k.startswith("[") else f".{k}" for k in keys) if keys else f"{SOURCE_PATH}.body"


def _event_bucket(path: tuple[str, ...], fn: Function) -> str | None:
    """The object named by the function's own event, in the bucket whose event triggered it."""
    for kind, where in _EVENT_BUCKETS:
        same = len(path) == len(where) and all(_key(a, b) for a, b in zip(path, where, strict=True))
        if same and any(t.kind is kind for t in fn.triggers):
            return "the object the triggering event names (whoever uploads to the bucket chose it)"
    return None


def _key(actual: str, spec: str) -> bool:
    return actual in (spec, ANY) or (spec == ELEM and actual.isdigit())


def _named_bucket(label: str, fn: Function, app: App | None) -> str | None:
    """A bucket named by an environment variable or a literal: a bucket whose notifications trigger the
    function, or one the app lets anyone write to."""
    kind, _, name = label.partition(":")
    text = env_resource(name, fn.environment) if kind == "env" else name
    ids = _ids(text, app)
    if not ids:
        return None
    for t in fn.triggers:
        if t.kind is TriggerKind.S3 and t.source and ids & _ids(t.source, app):
            m = _REF.match(text.strip())
            shown = next(g for g in m.groups() if g) if m else text
            return f"bucket {shown} triggers the function (whoever uploads to it chose the object)"
    for bucket, why in public_writes(app) if app is not None else ():
        if bucket in ids:
            return f"bucket {bucket} is writable by anyone ({why})"
    return None


def public_writes(app: App) -> list[tuple[str, str]]:
    """(logical id, the grant) of each bucket of the app anyone may write objects to: a `PublicReadWrite`
    ACL, or a bucket policy statement allowing `s3:PutObject` to `*`, that the bucket's public access
    block does not neutralise. Stricter than DATA001 (engines cannot use the rules' judgement): a
    statement with any Condition is taken as restricted, so object content is never a source by doubt."""
    policies = [r for r in app.resources.values() if r.type == "AWS::S3::BucketPolicy"]
    out = []
    for res in app.resources.values():
        if res.type != "AWS::S3::Bucket":
            continue
        props = res.properties
        block = props.get("PublicAccessBlockConfiguration")
        block = block if isinstance(block, Mapping) else {}
        if props.get("AccessControl") == "PublicReadWrite" and not _any_on(
            block, "BlockPublicAcls", "IgnorePublicAcls"
        ):
            out.append((res.logical_id, f"AccessControl: PublicReadWrite, line {_line(props, 'AccessControl', res)}"))
        if _any_on(block, "BlockPublicPolicy", "RestrictPublicBuckets"):
            continue
        for policy in policies:
            if not _names(policy.properties.get("Bucket"), res):
                continue
            doc = policy.properties.get("PolicyDocument")
            statements = doc.get("Statement") if isinstance(doc, Mapping) else None
            for i, st in enumerate(statements if isinstance(statements, list) else [statements], 1):
                if isinstance(st, Mapping) and _public_put(st):
                    out.append(
                        (res.logical_id, f"statement {i} of {policy.logical_id}, line {_line(st, 'Principal', policy)}")
                    )
    return out


def _public_put(st: Mapping[str, Any]) -> bool:
    principal = st.get("Principal")
    anyone = principal == "*" or (
        isinstance(principal, Mapping) and any(str(p).strip() == "*" for p in _list(principal.get("AWS")))
    )
    actions = [str(a).lower() for a in _list(st.get("Action"))]
    return (
        st.get("Effect") == "Allow"
        and anyone
        and "Condition" not in st
        and any(fnmatchcase("s3:putobject", a) for a in actions)
    )


def _names(value: object, res: Resource) -> bool:
    """Whether a bucket policy's `Bucket` (`!Ref X`, a logical id, a bucket name) is this bucket."""
    if isinstance(value, Mapping):
        return value.get("Ref") == res.logical_id
    name = res.properties.get("BucketName")
    return isinstance(value, str) and (value == res.logical_id or (isinstance(name, str) and value == name))


def _any_on(block: Mapping[str, Any], *flags: str) -> bool:
    return any(block.get(f) is True or str(block.get(f)).lower() == "true" for f in flags)


def _list(v: object) -> list[object]:
    return list(v) if isinstance(v, (list, tuple)) else [v] if v is not None else []


def _line(container: object, key: str, owner: Resource) -> int:
    """The line of `container[key]` when the loader recorded it, else the resource's."""
    lines = getattr(container, "key_lines", None)
    line = lines.get(key) if isinstance(lines, dict) else None
    return line if isinstance(line, int) and line > 0 else owner.loc.line


def _ids(text: str, app: App | None) -> set[str]:
    """The names a bucket reference may go by: a logical id and the bucket name it declares, or the text."""
    t = text.strip()
    if not t or t.startswith("${env:"):  # the IaC does not say what the variable holds
        return set()
    m = _REF.match(t)
    ids = {next(g for g in m.groups() if g)} if m else {t.split(":::", 1)[-1].split("/", 1)[0]}
    if app is not None:
        for res in app.resources.values():
            name = res.properties.get("BucketName")
            if res.type == "AWS::S3::Bucket" and (res.logical_id in ids or (isinstance(name, str) and name in ids)):
                ids.add(res.logical_id)
                if isinstance(name, str):
                    ids.add(name)
    return ids
