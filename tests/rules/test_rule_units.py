"""Rules on hand-built models: severity overrides, inherited values, unresolved values, edge cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from fnaudit.findings import Hit, Severity
from fnaudit.model import (
    App,
    AuthKind,
    Authorizer,
    Code,
    Dialect,
    Effect,
    Function,
    FunctionUrl,
    InvokePermission,
    Loc,
    ManagedPolicy,
    Origin,
    Ref,
    RefKind,
    Role,
    Statement,
    Trigger,
    TriggerKind,
    Value,
)
from fnaudit.rules.auth.function_url_public import function_url_without_auth
from fnaudit.rules.auth.http_no_authorizer import http_route_without_authorizer
from fnaudit.rules.auth.public_invoke_permission import public_invoke_permission
from fnaudit.rules.dos.async_no_dlq import async_without_failure_destination
from fnaudit.rules.dos.no_reserved_concurrency import public_function_without_concurrency_limit
from fnaudit.rules.dos.timeouts import timeout_at_maximum, timeout_exceeds_http_integration
from fnaudit.rules.iam.admin_access import iam_admin_access
from fnaudit.rules.iam.service_wildcard import iam_service_wildcard
from fnaudit.rules.iam.unscoped_write import iam_unscoped_write
from fnaudit.rules.obs.tracing_disabled import tracing_disabled
from fnaudit.rules.registry import Check, Context
from fnaudit.rules.runtime.deprecated_runtime import deprecated_runtime, runtime_deprecation_soon
from fnaudit.rules.secrets.env_plaintext_secret import plaintext_secret_in_environment
from tests.conftest import SCAN_DATE

CTX = Context(today=SCAN_DATE)
FN_LOC = Loc("serverless.yml", 10)
PROVIDER = Loc("serverless.yml", 5)


def _fn(**changes: object) -> Function:
    base = Function(
        id="serverless.yml#api",
        name="api",
        loc=FN_LOC,
        runtime=Value("python3.13", Loc("serverless.yml", 6), Origin.INHERITED),
        handler=Value("handler.main", Loc("serverless.yml", 11)),
        code=Code("python", in_repo=True),
    )
    return replace(base, **changes)


def _app(*functions: Function, dialect: Dialect = Dialect.SERVERLESS, **changes: object) -> App:
    return replace(App("svc", dialect, "", "serverless.yml", functions=functions), **changes)


def _http(auth: AuthKind = AuthKind.NONE, public: bool = True, **kw: object) -> Trigger:
    loc = Loc("serverless.yml", 14)
    return Trigger(
        TriggerKind.API_REST, loc, Authorizer(auth, loc), "/x", "GET", public=public, integration_timeout=29, **kw
    )


def _hits(check: Check, app: App) -> list[Hit]:
    return list(check(app, CTX))


# ---- AUTH ---------------------------------------------------------------------------------------


def test_auth001_leaves_api_key_only_routes_to_auth004_and_authorizers_silence_it() -> None:
    assert not _hits(http_route_without_authorizer, _app(_fn(triggers=(_http(AuthKind.API_KEY),))))
    assert not _hits(http_route_without_authorizer, _app(_fn(triggers=(_http(api_key_required=True),))))
    (hit,) = _hits(http_route_without_authorizer, _app(_fn(triggers=(_http(),))))
    assert hit.severity is None and hit.loc.line == 14
    for kind in (AuthKind.IAM, AuthKind.JWT, AuthKind.COGNITO, AuthKind.LAMBDA, AuthKind.UNKNOWN):
        assert not _hits(http_route_without_authorizer, _app(_fn(triggers=(_http(kind),))))
    assert not _hits(http_route_without_authorizer, _app(_fn(triggers=(_http(public=False),))))


def test_auth002_unresolved_auth_type_is_not_a_finding() -> None:
    loc = Loc("template.yaml", 20)
    url = FunctionUrl(Value.unresolved(loc, Ref(RefKind.PARAMETER, "!Ref UrlAuth")), loc)
    assert not _hits(function_url_without_auth, _app(_fn(url=url)))
    url = FunctionUrl(Value("NONE", loc), loc)
    assert len(_hits(function_url_without_auth, _app(_fn(url=url)))) == 1


def test_auth003_principal_forms_and_url_permissions() -> None:
    def perm(principal: str, **kw: object) -> InvokePermission:
        return InvokePermission("api", principal, Loc("template.yaml", 30), **kw)

    fn = _fn()
    for principal in ("*", "AWS:*", '{"AWS": "*"}', '{"AWS": ["*"]}'):
        assert len(_hits(public_invoke_permission, _app(fn, permissions=(perm(principal),)))) == 1, principal
    quiet = (
        perm("*", source_arn="arn:aws:sns:eu-west-1:123456789012:t"),
        perm("*", source_account="123456789012"),
        perm("*", action="lambda:InvokeFunctionUrl", function_url_auth_type="NONE"),
        perm("s3.amazonaws.com"),
    )
    assert not _hits(public_invoke_permission, _app(fn, permissions=quiet))


# ---- DOS ----------------------------------------------------------------------------------------


def test_dos_timeouts_report_inherited_values_at_the_provider() -> None:
    t = Value(900, PROVIDER, Origin.INHERITED)
    (hit,) = _hits(timeout_at_maximum, _app(_fn(timeout=t)))
    assert hit.loc == PROVIDER and "inherited from provider" in hit.message
    t = Value(60, PROVIDER, Origin.INHERITED)
    (hit,) = _hits(timeout_exceeds_http_integration, _app(_fn(timeout=t, triggers=(_http(),)), dialect=Dialect.SAM))
    assert "inherited from Globals" in hit.message and "29 s" in hit.message
    assert not _hits(timeout_exceeds_http_integration, _app(_fn(timeout=Value(29, PROVIDER), triggers=(_http(),))))
    assert not _hits(timeout_exceeds_http_integration, _app(_fn(timeout=Value.unset(FN_LOC), triggers=(_http(),))))


def test_dos001_unresolved_concurrency_is_a_limit() -> None:
    rc = Value.unresolved(Loc("serverless.yml", 12), Ref(RefKind.PARAMETER, "${param:rc}"))
    assert not _hits(public_function_without_concurrency_limit, _app(_fn(triggers=(_http(),), reserved_concurrency=rc)))
    (hit,) = _hits(public_function_without_concurrency_limit, _app(_fn(triggers=(_http(),))))
    assert hit.loc == FN_LOC


def test_dos004_sqs_is_not_async_and_an_unresolved_destination_counts() -> None:
    sqs = Trigger(TriggerKind.SQS, Loc("serverless.yml", 15), Authorizer.none(Loc("serverless.yml", 15)))
    s3 = replace(sqs, kind=TriggerKind.S3, source="uploads")
    assert not _hits(async_without_failure_destination, _app(_fn(triggers=(sqs,))))
    dest = Value.unresolved(Loc("serverless.yml", 13), Ref(RefKind.CLOUDFORMATION, "${cf:other.Dlq}"))
    assert not _hits(async_without_failure_destination, _app(_fn(triggers=(s3,), on_failure=dest)))
    (hit,) = _hits(async_without_failure_destination, _app(_fn(triggers=(s3,))))
    assert "s3 uploads" in hit.message


# ---- RUNTIME ------------------------------------------------------------------------------------


def test_runtime_dates_and_inheritance() -> None:
    (hit,) = _hits(deprecated_runtime, _app(_fn(runtime=Value("python3.8", PROVIDER, Origin.INHERITED))))
    assert hit.loc == PROVIDER and "inherited from provider" in hit.message and "2024-10-14" in hit.message
    assert "python3.14" in hit.remediation
    soon = _app(_fn(runtime=Value("nodejs22.x", PROVIDER)))
    (hit,) = _hits(runtime_deprecation_soon, soon)
    assert "152 days" in hit.message
    assert not _hits(deprecated_runtime, soon)
    later = Context(today=dt.date(2027, 5, 1))
    assert list(deprecated_runtime(soon, later)) and not list(runtime_deprecation_soon(soon, later))
    for rt in ("python3.99", "custom-thing"):
        assert not _hits(deprecated_runtime, _app(_fn(runtime=Value(rt, PROVIDER))))
    assert not _hits(deprecated_runtime, _app(_fn(runtime=Value.unset(FN_LOC))))


# ---- OBS ----------------------------------------------------------------------------------------


def test_tracing_unset_points_at_the_function_and_inherited_off_at_the_provider() -> None:
    (hit,) = _hits(tracing_disabled, _app(_fn(tracing=Value.unset(FN_LOC))))
    assert hit.loc == FN_LOC
    (hit,) = _hits(tracing_disabled, _app(_fn(tracing=Value("PassThrough", PROVIDER, Origin.INHERITED))))
    assert hit.loc == PROVIDER and "inherited" in hit.message
    assert not _hits(tracing_disabled, _app(_fn(tracing=Value("Active", PROVIDER, Origin.INHERITED))))


# ---- IAM ----------------------------------------------------------------------------------------


def _role(*statements: Statement, managed: tuple[ManagedPolicy, ...] = ()) -> Role:
    return Role("Role", Loc("t.yaml", 3), statements=statements, managed_policies=managed)


def _stmt(
    actions: tuple[str, ...], resources: tuple[str, ...] = ("*",), effect: Effect = Effect.ALLOW, **kw: object
) -> Statement:
    return Statement(effect, Loc("t.yaml", 8), actions, resources=resources, **kw)


def test_iam_deny_is_never_a_finding() -> None:
    role = _role(_stmt(("*", "s3:*", "s3:PutObject"), effect=Effect.DENY))
    app = _app(_fn(role=role))
    for check in (iam_admin_access, iam_service_wildcard, iam_unscoped_write):
        assert not _hits(check, app)


def test_iam_severities() -> None:
    app = _app(_fn(role=_role(_stmt(("*",), conditional=True))))
    (hit,) = _hits(iam_admin_access, app)
    assert hit.severity is Severity.HIGH  # critical, lowered by the condition
    app = _app(_fn(role=_role(_stmt(("*",), ("arn:aws:s3:::b/*",)))))
    (hit,) = _hits(iam_admin_access, app)
    assert hit.severity is Severity.HIGH
    app = _app(_fn(role=_role(managed=(ManagedPolicy("arn:aws:iam::aws:policy/IAMFullAccess", Loc("t.yaml", 5)),))))
    (hit,) = _hits(iam_admin_access, app)
    assert hit.loc.line == 5 and hit.key == hit.cause == "policy:Role|IAMFullAccess"  # one finding per policy
    app = _app(_fn(role=_role(_stmt(("s3:*",), ("arn:aws:s3:::b/*",)))))
    (hit,) = _hits(iam_service_wildcard, app)
    assert hit.severity is Severity.MEDIUM
    app = _app(_fn(role=_role(_stmt(("iam:PassRole", "s3:PutObject", "xray:PutTraceSegments", "s3:GetObject")))))
    hits = {h.evidence: h.severity for h in _hits(iam_unscoped_write, app)}  # one hit per action, folded later
    assert hits == {"Allow iam:PassRole on *": Severity.HIGH, "Allow s3:PutObject on *": Severity.MEDIUM}


# ---- SECRET -------------------------------------------------------------------------------------


def test_secret_references_and_unresolved_values_are_skipped() -> None:
    loc = Loc("serverless.yml", 20)
    env = {
        "DB_PASSWORD": Value.unresolved(loc, Ref(RefKind.SSM, "${ssm:/db/password}")),
        "API_KEY": Value("value-from-store", loc, ref=Ref(RefKind.SECRETS_MANAGER, "{{resolve:secretsmanager:x}}")),
        "OTHER_PASSWORD": Value("Tr0ub4dor&3", loc, ref=Ref(RefKind.ENVIRONMENT, "${env:OTHER_PASSWORD}")),
        "CLIENT_SECRET": Value("q8Zr!vL2#pW9sK", loc),
    }
    (hit,) = _hits(plaintext_secret_in_environment, _app(_fn(environment=env)))
    assert hit.key == "CLIENT_SECRET" and "q8Zr!vL2#pW9sK" not in hit.message + hit.evidence
