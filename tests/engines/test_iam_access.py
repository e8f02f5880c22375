"""`EffectivePermissions.access`: what a role reaches per service and resource, with AWS access levels.

The HTML report used to compute this itself, importing the IAM rules' action table inside a
`try/except ImportError` that drew every level as "Unknown" when the table moved (issue 12). The IAM
engine now computes it before reporting; these tests pin what it says.
"""

from __future__ import annotations

from fnaudit.engines import iam
from fnaudit.model import App, Code, Dialect, Effect, Function, Loc, ManagedPolicy, Role, Statement, Value
from fnaudit.model.permissions import EVERY_SERVICE, MANAGED_POLICY, ResourceAccess

L = Loc("t.yml", 1)
BUCKET = "arn:aws:s3:::reports/*"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders"


def _statement(
    *actions: str,
    resources: tuple[str, ...] = ("*",),
    effect: Effect = Effect.ALLOW,
    line: int = 1,
    not_actions: tuple[str, ...] = (),
) -> Statement:
    return Statement(effect, Loc("t.yml", line), tuple(actions), not_actions, resources, (), False, source=f"s[{line}]")


def _access(role: Role) -> tuple[ResourceAccess, ...]:
    f = Function(
        id="t.yml#f",
        name="f",
        loc=L,
        runtime=Value("python3.13", L),
        handler=Value("h.main", L),
        code=Code("python", True),
        role=role,
    )
    out, errors = iam.enrich(App("t", Dialect.CLOUDFORMATION, "", "t.yml", functions=(f,)))
    assert errors == []
    perms = out.functions[0].permissions
    assert perms is not None
    return perms.access


def test_levels_per_service_and_resource_from_the_effective_grants() -> None:
    role = Role(
        "R",
        L,
        statements=(
            _statement("s3:PutObject", "s3:GetObject", resources=(BUCKET,), line=2),
            _statement("dynamodb:Query", resources=(TABLE,), line=3),
            _statement("iam:PassRole", line=4),
        ),
    )
    assert _access(role) == (
        ResourceAccess("dynamodb", TABLE, ("Read",)),
        ResourceAccess("iam", "*", ("Permissions management",)),
        ResourceAccess("s3", BUCKET, ("Write", "Read")),
    )


def test_every_action_is_one_entry_and_a_deny_removes_what_it_denies() -> None:
    admin = Role("R", L, statements=(_statement("*", line=2),))
    assert _access(admin) == (ResourceAccess(EVERY_SERVICE, "*", ("Permissions management",)),)
    not_action = Role("R", L, statements=(_statement(not_actions=("iam:*",), line=2),))
    assert _access(not_action) == (ResourceAccess(EVERY_SERVICE, "*", ("Permissions management",)),)
    denied = Role(
        "R",
        L,
        statements=(
            _statement("s3:GetObject", resources=(BUCKET,), line=2),
            _statement("sqs:SendMessage", line=3),
            _statement("sqs:SendMessage", effect=Effect.DENY, line=4),
        ),
    )
    assert _access(denied) == (ResourceAccess("s3", BUCKET, ("Read",)),)


def test_without_grants_the_statements_as_written_and_unknown_managed_policies() -> None:
    # every grant denied: what the statements ask for is still drawn, and the policy no one can read
    role = Role(
        "R",
        L,
        statements=(
            _statement("s3:GetObject", resources=(BUCKET,), line=2),
            _statement("s3:GetObject", resources=(BUCKET,), effect=Effect.DENY, line=3),
        ),
        managed_policies=(ManagedPolicy("arn:aws:iam::123456789012:policy/team-policy", L),),
    )
    assert _access(role) == (
        ResourceAccess(MANAGED_POLICY, "team-policy", ("Unknown",)),
        ResourceAccess("s3", BUCKET, ("Read",)),
    )
