"""Attack chains (entry, foothold, reach), built from the first phase's findings and the model's facts.

Pure: reads `ctx.findings` (every first-phase finding of the app) and the App; never calls another
analyzer. The PATH rules turn chains into findings, `fnaudit explain-path` prints them.

- **Entry**, how an attacker reaches the function: a function URL with `AuthType: NONE` (AUTH002), a
  public route without authorizer (AUTH001) or with an API key only (AUTH004), an invoke permission
  for any principal (AUTH003), an S3 bucket anyone can write to (the grants DATA001 reports) or an SNS
  topic whose resource policy lets anyone publish (strong); a route behind an authorizer (weak: any
  user who can sign in).
- **Foothold**, what a bug in the code gives: running code as the function (command, code,
  deserialization, template injection: CODE002/003/004/008), reading its files (path traversal,
  XXE: CODE005/009; `/proc/self/environ` holds the role's temporary credentials), outbound
  requests (SSRF, CODE006: weak, `file://` through urllib reads files), data injection (SQL and
  NoSQL, CODE001/007: the database, not the role). A CODE finding is a foothold for an entry only
  when its data flow starts at a field that entry's trigger controls.
- **Reach**, what the role then allows: administrator (IAM001), escalation (IAM006), writing or
  reading data on every resource (IAM003/IAM005), minting credentials (IAM007), sharing data outside
  the account (IAM008), plain-text secrets the function holds (SECRET001-003), and other functions
  it can take over or invoke (from the blast radius), with their reach.

A chain through an authenticated (weak) entry is kept only when it ends in control of the account
(administrator or escalation): any user who can sign in would own it. Otherwise an authorizer breaks
the chain.

Suppressed links: the scan marks first-phase findings before the paths are built. A link the user
suppressed on purpose (inline, config or template metadata) is used only when no unsuppressed one
does the same job (another entry of the same kind, another reach item); a chain that still stands on
one is reported suppressed, with a reason naming that link (`via CODE002 at handler.py:12: …`), so
the JSON still shows it. A baselined link does not pass its suppression on: a path that is new (an
entry added to a function with an old, baselined injection) must be reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

from fnaudit.findings import Finding, Severity, Suppression, TraceStep
from fnaudit.model.app import App, AuthKind, Function, TriggerKind
from fnaudit.model.code import Flow
from fnaudit.model.loc import Loc
from fnaudit.model.permissions import Grant
from fnaudit.model.routes import serving_trigger
from fnaudit.rules._per_app import PerApp
from fnaudit.rules.data._buckets import buckets, names_bucket

ANY = "*"  # an entry whose caller chooses the whole event (direct invoke)

CODE_EXEC = {
    "CODE002": "runs OS commands",
    "CODE003": "evaluates code",
    "CODE004": "deserializes objects that run code",
    "CODE008": "renders a template that runs code",
}
FILE_READ = {"CODE005": "reads any file the function can read", "CODE009": "reads local files through XML entities"}
NETWORK = {"CODE006": "sends requests to URLs it chooses"}
DATA = {"CODE001": "SQL injection", "CODE007": "NoSQL injection"}
ROLE_FOOTHOLDS = {**CODE_EXEC, **FILE_READ, **NETWORK}

REACH_RULES = ("IAM001", "IAM002", "IAM006", "IAM003", "IAM005", "IAM007", "IAM008")
SECRET_RULES = ("SECRET001", "SECRET002", "SECRET003")


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str  # function-url | public-route | public-invoke | public-bucket | public-topic | authenticated-route
    strong: bool
    loc: Loc
    text: str
    kinds: frozenset[str]  # trigger kinds whose event fields this entry controls (ANY: all)
    fix: str
    finding: Finding | None = None


@dataclass(frozen=True, slots=True)
class Foothold:
    kind: str  # code-execution | file-read | network | data
    strong: bool
    finding: Finding
    text: str
    function: str  # name of the function whose code holds it

    @property
    def loc(self) -> Loc:
        return self.finding.location


@dataclass(frozen=True, slots=True)
class ReachItem:
    kind: str  # admin | escalation | data-write | data-read | secrets-read | credentials | exfiltration | secret | database
    strong: bool
    text: str  # what the attacker ends up controlling
    loc: Loc
    statement: str  # the grant as written ("Allow s3:PutObject on *")
    fix: str
    finding: Finding | None = None


@dataclass(frozen=True, slots=True)
class Reach:
    kind: str  # the strongest item's kind, or `function:<name>` through another function
    items: tuple[ReachItem, ...]
    via: str | None = None  # the second function, for a chain through it
    via_how: str = ""  # "update" | "invoke"
    via_loc: Loc | None = None
    via_foothold: Foothold | None = None  # the second function's own foothold (invoke)

    @property
    def strong(self) -> bool:
        return any(i.strong for i in self.items)

    @property
    def account(self) -> bool:
        return any(i.kind in ("admin", "escalation") for i in self.items)

    def controls(self) -> str:
        return "; ".join(dict.fromkeys(i.text for i in self.items))


_ORDER = (
    "admin",
    "escalation",
    "credentials",
    "data-write",
    "secrets-read",
    "exfiltration",
    "data-read",
    "secret",
    "database",
)


@dataclass(frozen=True, slots=True)
class Chain:
    function: Function
    entry: Entry
    foothold: Foothold
    reach: Reach
    fixes: tuple[str, ...] = field(default=())

    @property
    def severity(self) -> Severity:
        strong = sum((self.entry.strong, self.foothold.strong, self.reach.strong))
        return {3: Severity.CRITICAL, 2: Severity.HIGH}.get(strong, Severity.MEDIUM)

    @property
    def suppression(self) -> Suppression | None:
        """The suppression of the first link (foothold, entry, reach, pivot) the user suppressed on purpose."""
        links = [self.foothold.finding, self.entry.finding, *(i.finding for i in self.reach.items)]
        if self.reach.via_foothold is not None:
            links.append(self.reach.via_foothold.finding)
        for f in links:
            if f is not None and deliberately_suppressed(f):
                s = f.suppression
                assert s is not None
                return Suppression(s.kind, f"via {f.rule_id} at {f.location}: {s.reason}", s.loc)
        return None

    @property
    def key(self) -> str:
        """Line-free identity: entry kind, foothold rule + fingerprint, reach kind."""
        return (
            f"{self.entry.kind}|{self.foothold.finding.rule_id}:{self.foothold.finding.fingerprint}|{self.reach.kind}"
        )

    def steps(self) -> tuple[TraceStep, ...]:
        out = [TraceStep(self.entry.loc, f"entry: {self.entry.text}")]
        out.extend(_foothold_steps(self.foothold))
        if self.reach.via is not None:
            how = "replaces the code of" if self.reach.via_how == "update" else "invokes"
            out.append(TraceStep(self.reach.via_loc or self.foothold.loc, f"pivot: {how} function {self.reach.via}"))
            if self.reach.via_foothold is not None:
                out.extend(_foothold_steps(self.reach.via_foothold))
        for item in self.reach.items:
            out.append(TraceStep(item.loc, f"reach: {item.text} ({item.statement})"))
        return tuple(out)


def _foothold_steps(f: Foothold) -> list[TraceStep]:
    trace = list(f.finding.trace)
    if not trace:
        return [TraceStep(f.loc, f"foothold: {f.finding.rule_name} in {f.function}")]
    out = [TraceStep(s.loc, s.note) for s in trace[:-1]]
    out.append(TraceStep(trace[-1].loc, f"foothold: {f.text} ({f.finding.rule_name}): {trace[-1].note}"))
    return out


# --- gathering ------------------------------------------------------------------------------------


def deliberately_suppressed(f: Finding) -> bool:
    """Suppressed inline, in config or in template metadata: the user judged this link (a baseline
    only says it is old)."""
    return f.suppression is not None and f.suppression.kind != "baseline"


class _Link(Protocol):
    @property
    def finding(self) -> Finding | None: ...


ItemT = TypeVar("ItemT", bound=_Link)


def _active_first(items: list[ItemT]) -> list[ItemT]:
    """Links nobody suppressed first (stable): where one link of a kind is kept, it is an active one."""
    return sorted(items, key=lambda i: i.finding is not None and deliberately_suppressed(i.finding))


def _prefer_active(items: list[ReachItem]) -> list[ReachItem]:
    """The reach items nobody suppressed, when there are any; else all (the chain is then suppressed)."""
    active = [i for i in items if i.finding is None or not deliberately_suppressed(i.finding)]
    return active or items


def concerns(f: Finding, fn: Function) -> bool:
    return f.function_id == fn.id or fn.name in f.functions


def by_function(app: App, findings: Iterable[Finding]) -> dict[str, tuple[Finding, ...]]:
    """The findings that concern each function of the app (its own, and those of its shared role),
    in their order: one pass, so that chains stay linear in the number of findings."""
    ids = {fn.id for fn in app.functions}
    by_name: dict[str, list[str]] = {}
    for fn in app.functions:
        by_name.setdefault(fn.name, []).append(fn.id)
    out: dict[str, list[Finding]] = {fn.id: [] for fn in app.functions}
    for f in findings:
        targets = {f.function_id} & ids if f.function_id else set()
        for name in f.functions:
            targets.update(by_name.get(name, ()))
        for t in targets:
            out[t].append(f)
    return {k: tuple(v) for k, v in out.items()}


def entries(app: App, fn: Function, findings: Iterable[Finding]) -> list[Entry]:
    out: list[Entry] = []
    for f in findings:
        if f.function_id != fn.id:
            continue
        if f.rule_id == "AUTH002":
            out.append(
                Entry(
                    "function-url",
                    True,
                    f.location,
                    "function URL with AuthType NONE: anyone on the internet can call it",
                    frozenset({TriggerKind.FUNCTION_URL.value}),
                    f.remediation,
                    f,
                )
            )
        elif f.rule_id in ("AUTH001", "AUTH004"):
            # AUTH004 (API key only) is still an open door for an attack path: anyone with a key walks
            # through it, and keys ship inside the clients that call the API.
            t = next((t for t in fn.triggers if t.describe and f.evidence.startswith(t.describe + " ")), None)
            kinds = frozenset({t.kind.value}) if t else frozenset(k.value for k in TriggerKind if k.is_http)
            api_key = f.rule_id == "AUTH004"
            what = f"public route {t.describe if t else ''} with no authorizer".replace("  ", " ")
            out.append(
                Entry(
                    "public-route",
                    True,
                    f.location,
                    what + (" (API key only)" if api_key else ""),
                    kinds,
                    f.remediation,
                    f,
                )
            )
        elif f.rule_id == "AUTH003":
            out.append(
                Entry(
                    "public-invoke",
                    True,
                    f.location,
                    "invoke permission for any AWS principal: the caller writes the whole event",
                    frozenset({ANY}),
                    f.remediation,
                    f,
                )
            )
    out.extend(_writable_sources(app, fn))
    if not any(e.strong for e in out):
        for t in fn.triggers:
            if t.kind.is_http and t.public and t.is_authenticated and t.authorizer.kind is not AuthKind.IAM:
                out.append(
                    Entry(
                        "authenticated-route",
                        False,
                        t.loc,
                        f"route {t.describe} behind a {t.authorizer.kind.value} authorizer: any user who can sign in",
                        frozenset({t.kind.value}),
                        "",
                        None,
                    )
                )
                break
    # one entry per kind and per line (the first, in rule order: a SAM function URL also makes an
    # invoke permission for `*`, which is the same door), preferring one nobody suppressed
    seen: dict[str, Entry] = {}
    lines: set[Loc] = set()
    for e in _active_first(out):
        if e.kind not in seen and e.loc not in lines:
            seen[e.kind] = e
            lines.add(e.loc)
    return list(seen.values())


_WRITE = {
    "AWS::SNS::TopicPolicy": ("Topics", ("sns:publish", "sns:*", "*")),
}


def _writable_sources(app: App, fn: Function) -> Iterator[Entry]:
    """S3 buckets / SNS topics that trigger the function and whose resource policy lets anyone write."""
    for t in fn.triggers:
        if t.kind not in (TriggerKind.S3, TriggerKind.SNS) or not t.source:
            continue
        if t.kind is TriggerKind.S3:
            # the grants DATA001 reports (ACLs too, conditions and the public access block weighed), so a
            # path and the public-bucket finding never disagree about who can write
            yield from _writable_bucket(app, t.source)
            continue
        for res in app.resources.values():
            spec = _WRITE.get(res.type)
            if spec is None:
                continue
            prop, actions = spec
            if not _names(res.properties.get(prop), app, t.source):
                continue
            for st in _statements(res.properties.get("PolicyDocument")):
                if str(st.get("Effect", "")) != "Allow" or not _any_principal(st.get("Principal")):
                    continue
                acts = [str(a).lower() for a in _list(st.get("Action"))]
                if any(a in actions for a in acts) and not st.get("Condition"):
                    yield Entry(
                        "public-topic",
                        True,
                        res.loc,
                        f"topic {t.source} that anyone can write to ({res.logical_id}) triggers it",
                        frozenset({t.kind.value}),
                        f'Remove the `Principal: "*"` write statement from {res.logical_id}, or narrow it to the accounts that must write.',
                    )
                    break


def _writable_bucket(app: App, source: str) -> Iterator[Entry]:
    for bucket in buckets(app):
        if not names_bucket(source, bucket, app):
            continue
        grant = next((g for g in bucket.grants if "write" in g.access), None)
        if grant is None:
            continue
        fix = (
            f"Remove `{grant.what}` from {bucket.id}."
            if grant.kind == "acl"
            else f'Remove the `Principal: "*"` write statement ({grant.what}), or narrow it to the accounts that must write.'
        )
        yield Entry(
            "public-bucket",
            True,
            grant.loc,
            f"bucket {source} that anyone can write to ({grant.what}) triggers it",
            frozenset({TriggerKind.S3.value}),
            fix,
        )


def _list(v: object) -> list[object]:
    return v if isinstance(v, list) else [v] if v is not None else []


def _statements(doc: object) -> list[dict[str, Any]]:
    if isinstance(doc, dict):
        return [s for s in _list(doc.get("Statement")) if isinstance(s, dict)]
    return []


def _any_principal(p: object) -> bool:
    if p == "*":
        return True
    if isinstance(p, dict):
        return "*" in _list(p.get("AWS"))
    return False


def _names(value: object, app: App, source: str) -> bool:
    """Whether a policy's Bucket / Topics property names the trigger's bucket or topic."""
    text = repr(value)
    if source in text:
        return True
    for lid, res in app.resources.items():
        if lid in text:
            props = res.properties
            for key in ("BucketName", "TopicName"):
                if str(props.get(key, "")) == source or lid == source:
                    return True
    return False


def footholds(app: App, fn: Function, findings: Iterable[Finding], rules: dict[str, str]) -> list[Foothold]:
    out = []
    for f in findings:
        if f.function_id != fn.id or f.rule_id not in rules:
            continue
        kind = (
            "code-execution"
            if f.rule_id in CODE_EXEC
            else "file-read"
            if f.rule_id in FILE_READ
            else "network"
            if f.rule_id in NETWORK
            else "data"
        )
        strong = kind in ("code-execution", "file-read") or f.rule_id == "CODE001"
        out.append(Foothold(kind, strong, f, rules[f.rule_id], fn.name))
    return _active_first(out)


def reachable(entry: Entry, foothold: Foothold, fn: Function) -> bool:
    """The foothold's data flow starts at a field the entry's trigger controls."""
    if ANY in entry.kinds:
        return True
    flow = _flow(fn, foothold.finding)
    if flow is None or not flow.source.triggers:
        return True  # no known trigger: the code engine took the whole event as the source
    if flow.route is not None and entry.kind == "public-route" and entry.finding is not None:
        # a framework route is reached through the trigger that serves it, not through the function's other routes
        served = serving_trigger(fn, flow.route)
        door = next((t for t in fn.triggers if entry.finding.evidence.startswith(t.describe + " ")), None)
        if served is not None and door is not None and served != door:
            return False
    triggers = set(flow.source.triggers)
    return bool(triggers & entry.kinds) or TriggerKind.OTHER.value in triggers


def _flow(fn: Function, f: Finding) -> Flow | None:
    if fn.code_facts is None:
        return None
    # `store` flows (writes to the app's stores, for second-order joins) are no finding's flow, yet share lines
    # a CODE finding stands at its sink, or at the call into a shared helper that holds the sink (its trace's last step)
    # `log` flows (CODE025) are never a foothold: one on the foothold's line (`log(open(x))`) is not its flow
    sinks = {f.location, *((f.trace[-1].loc,) if f.trace else ())}
    return next(
        (fl for fl in fn.code_facts.flows if fl.sink.loc in sinks and fl.sink.kind not in ("store", "log")), None
    )


_ALLOW = re.compile(r"^Allow (.+?) on (.+)$")
_NOUN = {
    "s3": "object in every bucket",
    "dynamodb": "item in every table",
    "sqs": "message in every queue",
    "sns": "topic",
    "secretsmanager": "secret in Secrets Manager",
    "ssm": "SSM parameter",
    "kms": "KMS key",
    "lambda": "function",
    "kinesis": "stream",
    "logs": "log group",
    "rds-data": "database the Data API reaches",
}


# Grants whose every action does one narrower thing than "write": the reach says what it is.
_NARROW_VERBS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"lambda:invokefunction", "lambda:invokeasync", "lambda:invokefunctionurl"}), "invoke every function"),
    (frozenset({"sqs:sendmessage", "sqs:sendmessagebatch"}), "send messages to every queue"),
    (frozenset({"sns:publish"}), "publish to every topic"),
    (frozenset({"events:putevents"}), "put events on every event bus"),
    (frozenset({"states:startexecution", "states:startsyncexecution"}), "start every state machine"),
    (frozenset({"logs:createloggroup", "logs:createlogstream", "logs:putlogevents"}), "write to every log group"),
)


def _narrow_verb(actions: list[str]) -> str | None:
    """The reach of a set of granted actions when all of them do one narrower thing (invoke, send, publish)."""
    granted = {a.strip().lower() for text in actions for a in text.split(",")}
    if not granted or any("*" in a for a in granted):
        return None
    return next((verb for kinds, verb in _NARROW_VERBS if granted <= kinds), None)


def _condition_text(fn: Function, f: Finding) -> str:
    """`, only where aws:SourceVpce = vpce-1` for a grant limited by a Condition block (the statement at the
    finding's line), so the reach is not stated broader than the policy allows; empty without one."""
    if fn.role is None:
        return ""
    for st in fn.role.all_statements():
        if st.loc == f.location and st.conditions:
            shown = "; ".join(f"{key} {op} {', '.join(values)}" for op, key, values in st.conditions[:3])
            return f", only where {shown}"
    return ""


def problems(findings: Iterable[Finding]) -> Iterator[Finding]:
    """The IAM findings as one per problem: a statement's finding names all of its problems (admin, service
    wildcard, unscoped write, data read, escalation…, fnaudit.rules.iam.merge), each read here as the finding
    its rule reported, at its location, with the statement finding's fingerprint and suppression."""
    for f in findings:
        if not f.problems:
            yield f
            continue
        for p in f.problems:
            yield replace(
                f,
                rule_id=p.rule_id,
                rule_name=p.rule_name,
                severity=p.severity,
                location=p.location,
                message=p.message,
                evidence=p.evidence,
                remediation=p.remediation,
                problems=(),
            )


def role_reach(fn: Function, findings: Iterable[Finding], *, skip_function_takeover: bool = False) -> list[ReachItem]:
    """What the function's own role gives, from the IAM findings that concern it (each problem of each)."""
    items: list[ReachItem] = []
    reads: dict[str, list[tuple[Finding, str]]] = {}
    writes: dict[str, list[tuple[Finding, str]]] = {}
    every: set[str] = set()  # services granted whole (`s3:*` on `*`)
    for f in problems(findings):
        if f.rule_id not in REACH_RULES or not concerns(f, fn):
            continue
        if f.rule_id == "IAM001":
            items.append(
                ReachItem(
                    "admin",
                    True,
                    "control the whole AWS account (administrator: every action on every resource)",
                    f.location,
                    f.evidence,
                    f.remediation,
                    f,
                )
            )
        elif f.rule_id == "IAM006":
            if skip_function_takeover and "lambda:UpdateFunction" in f.evidence:
                continue  # taking over another function of the app: PATH004 names it
            m = re.search(r"escalate privileges(?: through [^:]+)? \(([^)]*)\)", f.message)
            name = m.group(1) if m else "privilege escalation"
            parts = [p.split(" on ", 1) for p in f.evidence.split(" + ")]
            actions = ", ".join(dict.fromkeys(p[0] for p in parts))
            on = {p[1] for p in parts if len(p) == 2}
            statement = f"Allow {actions} on {on.pop()}" if len(on) == 1 else f.evidence
            admin = bool(fn.blast_radius and fn.blast_radius.admin)
            text = (
                f"become administrator through {actions}"
                if admin
                else f"gain more permissions through {actions} ({name})"
            )
            items.append(ReachItem("escalation", True, text, f.location, statement, f.remediation, f))
        elif f.rule_id == "IAM002":  # `service:*`: on every resource only (on named ones it is scoped)
            m = _ALLOW.match(f.evidence)
            if m and m.group(2).strip() == "*":
                service = m.group(1).split(":", 1)[0].strip().lower()
                writes.setdefault(service, []).append((f, m.group(1)))
                every.add(service)
        elif f.rule_id in ("IAM003", "IAM005"):
            m = _ALLOW.match(f.evidence)
            actions = m.group(1) if m else f.evidence
            service = actions.split(":", 1)[0].strip().lower()
            (writes if f.rule_id == "IAM003" else reads).setdefault(service, []).append((f, actions))
        elif f.rule_id == "IAM007":
            items.append(
                ReachItem(
                    "credentials",
                    True,
                    f"mint or read credentials ({_actions(f)})",
                    f.location,
                    f.evidence,
                    f.remediation,
                    f,
                )
            )
        elif f.rule_id == "IAM008":
            items.append(
                ReachItem(
                    "exfiltration",
                    True,
                    f"share data outside the account ({_actions(f)})",
                    f.location,
                    f.evidence,
                    f.remediation,
                    f,
                )
            )
    escalates = any(i.kind in ("admin", "escalation") for i in items)
    for service in sorted(set(reads) | set(writes)):
        if service == "iam" and escalates:
            continue  # writing IAM on `*` is the escalation already named
        noun = _NOUN.get(service, f"{service} resource")
        r, w = reads.get(service, []), writes.get(service, [])
        verb = "read and write" if (r and w) or service in every else "write" if w else "read"
        secret = service in ("secretsmanager", "ssm", "kms") and not w
        kind = "data-write" if w else "secrets-read" if secret else "data-read"
        text = f"{verb} every {noun}" if service in _NOUN else f"{verb} every {service} resource"
        if service == "iam":
            text = "change IAM users, roles and policies"
        if service == "kms" and not w:
            text = "decrypt with every KMS key"
        if service not in every and (narrow := _narrow_verb([a for _, a in (*w, *r)])) is not None:
            text = narrow  # what these actions do, not "write": `lambda:InvokeFunction` runs functions, it changes none
        for f, actions in (*w, *r):
            where = _condition_text(fn, f)
            items.append(ReachItem(kind, True, text + where, f.location, f"Allow {actions} on *", f.remediation, f))
    # several escalation methods granted by one statement read as one way in, and the others
    escalations: dict[Loc, list[ReachItem]] = {}
    for i in items:
        if i.kind == "escalation":
            escalations.setdefault(i.loc, []).append(i)
    items = [i for i in items if i.kind != "escalation"]
    for loc, group in escalations.items():
        first = group[0]
        more = f" (or {len(group) - 1} other method{'s' if len(group) > 2 else ''})" if len(group) > 1 else ""
        statement = "; ".join(dict.fromkeys(i.statement for i in group))
        items.append(ReachItem("escalation", True, first.text + more, loc, statement, first.fix, first.finding))
    merged: dict[tuple[str, str, Loc], ReachItem] = {}
    for i in items:
        k = (i.kind, i.text, i.loc)
        if k in merged:
            prev = merged[k]
            merged[k] = ReachItem(
                prev.kind, prev.strong, prev.text, prev.loc, _merge(prev.statement, i.statement), prev.fix, prev.finding
            )
        else:
            merged[k] = i
    return sorted(_prefer_active(list(merged.values())), key=lambda i: (_ORDER.index(i.kind), i.loc))


def _merge(a: str, b: str) -> str:
    """`Allow s3:PutObject on *` + `Allow s3:GetObject on *` → `Allow s3:PutObject, s3:GetObject on *`."""
    ma, mb = _ALLOW.match(a), _ALLOW.match(b)
    if ma and mb and ma.group(2) == mb.group(2):
        return f"Allow {ma.group(1)}, {mb.group(1)} on {ma.group(2)}"
    return f"{a}; {b}"


def secret_reach(fn: Function, findings: Iterable[Finding]) -> list[ReachItem]:
    """Plain-text secrets the function holds (environment, code, bundled files): read with the foothold."""
    out = []
    for f in findings:
        if f.rule_id in SECRET_RULES and concerns(f, fn):
            what = re.search(r"(?:variable|holds|:)\s*(.*?)(?: in plaintext| \(|$)", f.message)
            out.append(
                ReachItem(
                    "secret",
                    True,
                    f"read the secret {f.evidence or (what.group(1) if what else '')}".strip(),
                    f.location,
                    f.evidence,
                    f.remediation,
                    f,
                )
            )
    return _prefer_active(out)


def data_reach(fn: Function, foothold: Foothold) -> list[ReachItem]:
    """What a SQL / NoSQL injection reaches: the database behind the query (and, for DynamoDB, what the
    role lets the function do to its tables)."""
    if foothold.finding.rule_id == "CODE001":
        return [
            ReachItem(
                "database",
                True,
                "read and change every row the function's database login can reach",
                foothold.loc,
                "the query's database connection",
                foothold.finding.remediation,
            )
        ]
    grants = [
        g
        for g in (fn.permissions.grants if fn.permissions else ())
        if any(a.startswith("dynamodb:") for a in g.actions)
    ]
    if grants:  # an injected filter or key condition returns every item the query's table holds
        names = [n for n in dict.fromkeys(_table(g) for g in grants) if n]
        tables = ", ".join(names) if names else "the tables its role grants"
        if any(g.resource == "*" for g in grants):
            tables = "every table"
        return [
            ReachItem(
                "data-read",
                True,
                f"read every item of {tables}",
                grants[0].loc,
                "; ".join(
                    dict.fromkeys(
                        f"{', '.join(g.written)} on {g.resource_text}" for g in grants if "/index/" not in g.resource
                    )
                ),
                "",
            )
        ]
    return [
        ReachItem("data-read", False, "read the documents the query runs on", foothold.loc, "the query's database", "")
    ]


def _table(g: Grant) -> str | None:
    """The table a DynamoDB grant names: its logical id, or the name in its ARN (None when symbolic)."""
    if "/index/" in g.resource:
        return None
    if g.resource_ref:
        return g.resource_ref
    name = g.resource.split("table/", 1)[1].split("/", 1)[0] if "table/" in g.resource else _pretty(g.resource_text)
    return None if "${" in name or "*" in name or not name else name


def _pretty(resource: str) -> str:
    """`!GetAtt OrdersTable.Arn` → `OrdersTable`; `*` → `every table`."""
    r = resource.strip()
    if r == "*":
        return "every table"
    for prefix in ("!GetAtt ", "!Ref ", "!Sub "):
        if r.startswith(prefix):
            r = r[len(prefix) :]
            return r.removesuffix(".Arn")
    return r


def _actions(f: Finding) -> str:
    m = _ALLOW.match(f.evidence)
    return m.group(1) if m else f.evidence


def reach_of(items: list[ReachItem], **via: object) -> Reach:
    kind = items[0].kind if items else "none"
    return Reach(kind, tuple(items), **via)  # type: ignore[arg-type]


# --- chains ---------------------------------------------------------------------------------------


def _fixes(
    app: App, fn: Function, entry: Entry, foothold: Foothold, reach: Reach, findings: tuple[Finding, ...] = ()
) -> tuple[str, ...]:
    """Each link's fix, the one a user can usually make first at the front: dropping permissions the
    code never calls (IAM010 says so: nothing breaks), else fixing the sink (one place in the code),
    else closing the entry, else scoping the role down (a shared role reaches other functions)."""
    sink = f"Fix the sink at {foothold.loc}: {foothold.finding.remediation}"
    door = f"Close the entry at {entry.loc}: {entry.fix}" if entry.fix else ""
    drops = [i for i in reach.items if i.finding is not None]
    drop = ""
    if drops:
        where = ", ".join(dict.fromkeys(str(i.loc) for i in drops))
        drop = f"Drop the permission at {where}: {drops[0].fix}"
    unused = _unused(fn, reach, findings)
    if unused:
        where = ", ".join(dict.fromkeys(str(i.loc) for i in reach.items))
        them = "it" if len(unused) == 1 else "them"
        first = f"Remove {', '.join(unused)} at {where}: the code never calls {them}, so nothing else changes."
        return tuple(x for x in (first, sink, door) if x)
    return tuple(x for x in (sink, door, drop) if x)


def _unused(fn: Function, reach: Reach, findings: tuple[Finding, ...]) -> list[str]:
    """The reach's grants, when IAM010 reports each of them unused by the role's code: the whole
    statement (`none of the N action(s) it grants is used`) or every action the reach names."""
    unused: set[str] = set()
    whole: set[Loc] = set()
    for f in problems(findings):
        if f.rule_id == "IAM010" and concerns(f, fn) and f.evidence.startswith("unused: "):
            unused.update(a.strip().lower() for a in f.evidence[len("unused: ") :].split(","))
            if "none of the" in f.message:
                whole.add(f.location)
    out: list[str] = []
    for item in reach.items:
        m = _ALLOW.match(item.statement)
        if item.finding is None or m is None:
            return []
        actions = [a.strip() for a in m.group(1).split(",")]
        if item.loc not in whole and any("*" in a or a.lower() not in unused for a in actions):
            return []
        out.extend(actions)
    return list(dict.fromkeys(out))


def _unused_at(fn: Function, loc: Loc, action: str, findings: tuple[Finding, ...]) -> bool:
    """IAM010 reports `action` (or the whole statement at `loc`) unused by the function's code."""
    for f in problems(findings):
        if f.rule_id == "IAM010" and concerns(f, fn) and f.location == loc:
            listed = {a.strip().lower() for a in f.evidence.removeprefix("unused: ").split(",")}
            if "none of the" in f.message or action.lower() in listed:
                return True
    return False


def remediation(chain: Chain) -> str:
    """The smallest breaking change, then the others (`Otherwise: …`)."""
    first, *rest = chain.fixes or (chain.foothold.finding.remediation,)
    return first + "".join(f" Otherwise: {r}" for r in rest)


def code_chains(app: App, findings: tuple[Finding, ...]) -> list[Chain]:
    """PATH001: entry + code execution / file read / SSRF + the function's own role."""
    out = []
    per_fn = by_function(app, findings)
    for fn in app.functions:
        findings = per_fn[fn.id]
        ents = entries(app, fn, findings)
        if not ents:
            continue
        takeover = any(how == "update" for _, how in cross_targets(app, fn))
        items = role_reach(fn, findings, skip_function_takeover=takeover)
        if not items:
            continue
        reach = reach_of(items)
        for foothold in footholds(app, fn, findings, ROLE_FOOTHOLDS):
            for entry in ents:
                if not reachable(entry, foothold, fn) or (not entry.strong and not reach.account):
                    continue
                out.append(Chain(fn, entry, foothold, reach, _fixes(app, fn, entry, foothold, reach, findings)))
    return out


def data_chains(app: App, findings: tuple[Finding, ...]) -> list[Chain]:
    """PATH002: entry + SQL / NoSQL injection + the data behind the query."""
    out = []
    per_fn = by_function(app, findings)
    for fn in app.functions:
        findings = per_fn[fn.id]
        ents = [e for e in entries(app, fn, findings) if e.strong]
        for foothold in footholds(app, fn, findings, DATA):
            reach = reach_of(data_reach(fn, foothold))
            for entry in ents:
                if reachable(entry, foothold, fn):
                    out.append(Chain(fn, entry, foothold, reach, _fixes(app, fn, entry, foothold, reach, findings)))
    return out


def secret_chains(app: App, findings: tuple[Finding, ...]) -> list[Chain]:
    """PATH003: entry + a foothold that reads the function's environment or files + a plain-text secret."""
    out = []
    per_fn = by_function(app, findings)
    for fn in app.functions:
        findings = per_fn[fn.id]
        ents = [e for e in entries(app, fn, findings) if e.strong]
        items = secret_reach(fn, findings)
        if not ents or not items:
            continue
        reach = reach_of(items)
        for foothold in footholds(app, fn, findings, {**CODE_EXEC, **FILE_READ}):
            for entry in ents:
                if reachable(entry, foothold, fn):
                    out.append(Chain(fn, entry, foothold, reach, _fixes(app, fn, entry, foothold, reach, findings)))
    return out


def cross_targets(app: App, fn: Function) -> list[tuple[Function, str]]:
    """Other functions of the app this one can take over (update code/configuration: it gains their
    role) or invoke, from the IAM engine's blast radius, in the app's order."""
    b = fn.blast_radius
    if b is None:
        return []
    if "*" in b.reaches_functions:
        candidates: Iterable[Function] = app.functions
    else:  # only the functions its blast radius names: the app's index, not a walk over every function
        by_role, by_name = _FUNCTIONS_BY(app)
        chosen = {i for r in b.inherits_from for i in by_role.get(r, ())}
        chosen.update(i for n in b.reaches_functions for i in by_name.get(n, ()))
        candidates = [app.functions[i] for i in sorted(chosen)]
    out = []
    for other in candidates:
        if other.id == fn.id or other.role is None:
            continue
        same_role = fn.role is not None and other.role.id == fn.role.id
        if same_role:
            continue  # nothing to gain: the function's own chains already have that role
        if other.role.id in b.inherits_from:
            out.append((other, "update"))
        elif other.name in b.reaches_functions or "*" in b.reaches_functions:
            out.append((other, "invoke"))
    return out


def _functions_by(app: App) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """The positions of the app's functions by role id and by name."""
    by_role: dict[str, list[int]] = {}
    by_name: dict[str, list[int]] = {}
    for i, f in enumerate(app.functions):
        if f.role is not None:
            by_role.setdefault(f.role.id, []).append(i)
        by_name.setdefault(f.name, []).append(i)
    return by_role, by_name


_FUNCTIONS_BY = PerApp(_functions_by)


def cross_chains(app: App, findings: tuple[Finding, ...]) -> list[Chain]:
    """PATH004: entry + foothold in A + A takes over (or invokes, when B has its own foothold) B + B's reach."""
    out = []
    per_fn = by_function(app, findings)
    # what a target gives is the target's alone: computed once, not once per function and foothold that reaches it
    their_reach: dict[str, tuple[ReachItem, ...]] = {}
    their_footholds: dict[str, list[Foothold]] = {}
    for fn in app.functions:
        findings = per_fn[fn.id]
        ents = entries(app, fn, findings)
        targets = cross_targets(app, fn)
        if not ents or not targets:
            continue
        for foothold in footholds(app, fn, findings, {**CODE_EXEC, **FILE_READ}):
            for other, how in targets:
                via_foothold = None
                if how == "invoke":
                    if other.id not in their_footholds:
                        their_footholds[other.id] = footholds(app, other, per_fn[other.id], CODE_EXEC)
                    theirs = their_footholds[other.id]
                    if not theirs:
                        continue
                    via_foothold = theirs[0]
                if other.id not in their_reach:
                    their_reach[other.id] = tuple(role_reach(other, per_fn[other.id]))
                items = their_reach[other.id]
                if not items:
                    continue
                via_loc = _lambda_grant_loc(fn, how)
                reach = Reach(f"function:{other.name}", tuple(items), other.name, how, via_loc, via_foothold)
                for entry in ents:
                    if not reachable(entry, foothold, fn) or (not entry.strong and not reach.account):
                        continue
                    fixes = list(_fixes(app, fn, entry, foothold, reach, findings))
                    action = "lambda:UpdateFunctionCode" if how == "update" else "lambda:InvokeFunction"
                    pivot = f"Drop {action} on {other.name} from {fn.name}'s role" + (
                        f" at {via_loc}" if via_loc else ""
                    )
                    if via_loc is not None and _unused_at(fn, via_loc, action, findings):
                        fixes.insert(0, f"{pivot}: {fn.name}'s code never calls it, so nothing else changes.")
                    else:
                        fixes.insert(min(2, len(fixes)), pivot + ".")
                    out.append(Chain(fn, entry, foothold, reach, tuple(fixes)))
    return out


def _lambda_grant_loc(fn: Function, how: str) -> Loc | None:
    if fn.permissions is None:
        return None
    actions = (
        ("lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration")
        if how == "update"
        else ("lambda:InvokeFunction",)
    )
    for a in actions:
        for g in fn.permissions.granting(a):
            return g.loc
    return None
