"""The IAM engine: effective permissions, privilege escalation and blast radius of each function.

`enrich(app, ctx)` sets `Function.permissions` (an `EffectivePermissions`: expanded grants, the
role's statements with AWS managed policies expanded, escalation methods) and
`Function.blast_radius` on every function. Modules:

- `catalogue`: the IAM action catalogue and managed policy documents, cached on disk;
- `managed`: AWS managed policies by name → statements;
- `arns`: resolving the app's references to ARNs, matching resource patterns;
- `evaluate`: grants minus denies, within the permissions boundary;
- `escalation`: the method table and its check;
- `blast`: reach, inheritance through escalation, and the score;
- `access`: the services and resources each role reaches at which access levels (what the HTML
  report draws: reporters read `EffectivePermissions.access` and never classify actions).

Rules read the facts; they never call this package (except `catalogue.access_level`, a pure lookup).
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from typing import TYPE_CHECKING

from fnaudit.engines.iam import access, arns, blast, catalogue, escalation, evaluate, used
from fnaudit.engines.state import IamTools
from fnaudit.errors import ScanError
from fnaudit.model.app import App, Function, Role
from fnaudit.model.permissions import EffectivePermissions, Escalation

if TYPE_CHECKING:
    from fnaudit.engines import EngineContext

_INVOKE = ("lambda:InvokeFunction", "lambda:InvokeAsync", "lambda:InvokeFunctionUrl")


def tools(ctx: EngineContext | None = None) -> IamTools:
    """This scan's handle on the catalogue: the catalogue itself (immutable, loaded once per process)
    and the memoised action-set expansions and level counts, made on the scan's first use and kept in
    its `ScanState` (they used to live in a module global that one thread could clear under another).
    Without a context (a direct call), fresh ones for the call."""
    state = ctx.state if ctx is not None else None
    if state is not None and state.iam is not None:
        return state.iam
    cat = catalogue.load()
    made = IamTools(cat, evaluate.ActionSets(cat), blast.Breakdown(cat))
    if state is not None:
        state.iam = made
    return made


def prepare(ctx: EngineContext | None = None) -> None:
    """Load the catalogue in the parent before apps are enriched in forked workers: they inherit it
    instead of each reading (or, with no cache, building) it again."""
    catalogue.load()


def enrich(app: App, ctx: EngineContext | None = None) -> tuple[App, list[ScanError]]:
    t = tools(ctx)
    return analyse(app, t.catalogue, t.sets, t.breakdown), []


def analyse(app: App, cat: catalogue.Catalogue, sets: evaluate.ActionSets, breakdown: blast.Breakdown) -> App:
    idx = escalation.AppIndex.of(app)
    role_perms: dict[str, EffectivePermissions] = {}
    memo: dict[str, tuple[str, str | None]] = {}  # resource text → resolved ARN, for this app
    levels: access.Memo = {}  # action set → its (service, access level) pairs, for this app
    roles: dict[str, Role] = dict(app.roles)
    for fn in app.functions:
        if fn.role is not None:
            roles.setdefault(fn.role.id, fn.role)
    for rid, role in roles.items():
        if role.external:
            perms = EffectivePermissions(unknown_policies=(role.id,))
        else:
            perms = evaluate.effective(app, role, cat, sets, memo)
        role_perms[rid] = replace(perms, access=access.role_access(role, perms, cat, levels))

    # escalation per function (a function never escalates into itself), per role for roles no function uses
    fn_perms: dict[str, EffectivePermissions] = {}
    for fn in app.functions:
        if fn.role is None:
            continue
        base = role_perms[fn.role.id]
        if _is_admin(base, cat.action_count()):
            fn_perms[fn.name] = base  # it already has every permission: nothing to escalate to
        else:
            fn_perms[fn.name] = replace(base, escalations=escalation.find(fn.name, base, idx))
    role_escalations: dict[str, tuple[Escalation, ...]] = {}
    users_of: dict[str, list[Function]] = {}
    for f in app.functions:
        if f.role is not None:
            users_of.setdefault(f.role.id, []).append(f)
    for rid, perms in role_perms.items():
        users = users_of.get(rid, [])
        if users:
            role_escalations[rid] = tuple(e for f in users for e in fn_perms[f.name].escalations)
        elif not _is_admin(perms, cat.action_count()):
            role_escalations[rid] = escalation.find("", perms, idx)
        else:
            role_escalations[rid] = ()

    reaches = {rid: blast.reach(p, breakdown) for rid, p in role_perms.items()}
    fn_role = {f.name: f.role.id for f in app.functions if f.role is not None}
    admin_all = cat.action_count()

    def edges(rid: str) -> tuple[set[str], bool]:
        """Roles a role leads to through escalation, and whether it reaches everything."""
        out: set[str] = set()
        admin = _is_admin(role_perms[rid], admin_all)
        for e in role_escalations[rid]:
            if e.conditional:
                continue
            if e.to_admin:
                admin = True
            for t in e.targets:
                if t in roles:
                    out.add(t)
                elif t in fn_role:
                    out.add(fn_role[t])
        return out, admin

    graph = {rid: edges(rid) for rid in roles}
    functions: list[Function] = []
    for fn in app.functions:
        if fn.role is None:
            functions.append(fn)
            continue
        perms = fn_perms[fn.name]
        if fn.code_facts is not None:  # used versus granted: only when the code engine analysed the code
            perms = replace(
                perms,
                needed=used.needed_actions((fn,), app, cat),
                needed_confidence=used.confidence(fn, cat),
                unmapped_calls=tuple(f"{c.service}.{c.operation}" for c in used.unknown_calls(fn, cat)),
            )
        start = fn.role.id
        seen = {start}
        queue = deque([start])
        admin = False
        while queue:
            rid = queue.popleft()
            nxt, is_admin = graph[rid]
            admin = admin or is_admin
            for r in nxt - seen:
                seen.add(r)
                queue.append(r)
        inherited = {r: reaches[r] for r in seen if r != start}
        invokes = _invokes(fn, perms, idx)
        radius = blast.radius(fn.name, reaches[start], perms, cat, inherited, invokes, admin)
        functions.append(replace(fn, permissions=perms, blast_radius=radius))
    return replace(app, functions=tuple(functions))


def _is_admin(perms: EffectivePermissions, all_count: int) -> bool:
    return any(
        not g.conditional and g.resource == "*" and not g.except_resources and len(g.actions) >= all_count
        for g in perms.grants
    )


def _invokes(fn: Function, perms: EffectivePermissions, idx: escalation.AppIndex) -> tuple[str, ...]:
    """Other functions of the app it can invoke or take over, plus `*` when it can reach any function."""
    out: set[str] = set()
    for action in (*_INVOKE, "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration"):
        for g in perms.granting(action):
            if g.resource == "*" or (":lambda:" in g.resource and arns.is_everything(g.resource)):
                out.add("*")  # any function, those of the app included
                continue
            for name, names in idx.function_names.items():
                if name != fn.name and arns.function_matches(g.resource, names):
                    out.add(name)
    return tuple(sorted(out))
