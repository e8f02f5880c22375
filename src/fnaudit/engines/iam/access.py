"""Access per resource: which services and resources a role reaches, at which AWS access levels.

This is what the HTML report draws in each function's graph (`EffectivePermissions.access`). It is
computed here, with the catalogue, so that reporters show it without classifying actions
themselves. From the effective grants (after Deny statements and the boundary) when the role has
any; else from its Allow statements as written (a role whose grants are all denied, or whose policies
are unknown), with each attached managed policy whose document is unknown as one "managed policy"
entry of unknown level.

A grant of every action (`*`, `NotAction`) is one entry of service `*` (EVERY_SERVICE) at
"Permissions management", not one per catalogue service: an administrator grant names 400+.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence

from fnaudit.engines.iam.catalogue import PERMISSIONS, RANK, UNKNOWN, Catalogue
from fnaudit.model.app import Role
from fnaudit.model.permissions import EVERY_SERVICE, MANAGED_POLICY, EffectivePermissions, ResourceAccess

# Per scan of one app: a grant's action set (often the same frozenset for every resource of a statement,
# and the same `s3:Get*` expansion across many roles) → its distinct (service, level) pairs.
Memo = MutableMapping[frozenset[str], frozenset[tuple[str, str]]]


def role_access(
    role: Role, perms: EffectivePermissions, cat: Catalogue, memo: Memo | None = None
) -> tuple[ResourceAccess, ...]:
    """Every (service, resource as written) the role reaches, with its access levels worst first,
    sorted by service then resource. `memo` may be shared by the roles of one app."""
    memo = {} if memo is None else memo

    def level(action: str) -> str:
        return cat.worst_level(action.strip().lower())

    def pairs(actions: frozenset[str]) -> frozenset[tuple[str, str]]:
        found = memo.get(actions)
        if found is None:
            found = memo[actions] = frozenset((_service(a), level(a)) for a in actions)
        return found

    granted: dict[tuple[str, str], set[str]] = {}
    if perms.grants:
        for g in perms.grants:
            target = g.resource_ref or g.resource_text or g.resource
            if _every_action(g.written):
                granted.setdefault((EVERY_SERVICE, target), set()).add(PERMISSIONS)
                continue
            for service, lvl in pairs(g.actions):
                granted.setdefault((service, target), set()).add(lvl)
    else:
        for st in role.allow_statements():
            # NotAction grants every action but a few: shown as the worst case, as every action.
            actions = st.actions or (("*",) if st.not_actions else ())
            if st.resources:
                resources: tuple[str, ...] = st.resources
            elif st.not_resources:
                resources = ("everything but " + ", ".join(st.not_resources),)
            else:
                resources = ("*",)
            for action in actions:
                if action.strip() in ("*", "*:*"):
                    service, lvl = EVERY_SERVICE, PERMISSIONS
                else:
                    service, lvl = _service(action), level(action)
                for r in resources:
                    granted.setdefault((service, r.strip()), set()).add(lvl)
        for mp in role.managed_policies:
            if not mp.statements:
                granted.setdefault((MANAGED_POLICY, mp.name), set()).add(UNKNOWN)
    return tuple(
        ResourceAccess(service, resource, _worst_first(found)) for (service, resource), found in sorted(granted.items())
    )


def _service(action: str) -> str:
    """`S3:GetObject` → `s3`; a bare name is its own service."""
    return action.strip().partition(":")[0].lower()


def _every_action(written: Sequence[str]) -> bool:
    return any(w.strip() in ("*", "*:*") or w.startswith("NotAction") for w in written)


def _worst_first(levels: set[str]) -> tuple[str, ...]:
    return tuple(sorted(levels, key=lambda lv: (-RANK.get(lv, -1), lv)))
