"""The IAM engine: catalogue and cache, wildcard expansion, NotAction / NotResource, Deny, boundary,
conditions, managed policies, escalation methods, blast radius, used versus granted."""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit.engines import iam
from fnaudit.engines.iam import arns, blast, catalogue, escalation, managed, used
from fnaudit.model import (
    App,
    Code,
    Dialect,
    Effect,
    Function,
    Loc,
    ManagedPolicy,
    Resource,
    Role,
    Statement,
    Value,
)
from fnaudit.model.code import CodeFacts, SdkCall
from fnaudit.rules.iam import _actions

L = Loc("t.yml", 1)


@pytest.fixture(scope="module")
def cat() -> catalogue.Catalogue:
    return catalogue.load()


def st(
    *actions: str,
    resources: tuple[str, ...] = ("*",),
    effect: Effect = Effect.ALLOW,
    line: int = 1,
    not_actions: tuple[str, ...] = (),
    not_resources: tuple[str, ...] = (),
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...] = (),
) -> Statement:
    return Statement(
        effect,
        Loc("t.yml", line),
        tuple(actions),
        not_actions,
        () if not_resources else resources,
        not_resources,
        bool(conditions),
        source=f"s[{line}]",
        conditions=conditions,
    )


def fn(name: str, role: Role | None, calls: tuple[SdkCall, ...] = (), analysed: bool = False) -> Function:
    return Function(
        id=f"t.yml#{name}",
        name=name,
        loc=L,
        runtime=Value("python3.13", L),
        handler=Value("h.main", L),
        code=Code("python", True),
        role=role,
        sdk_calls=calls,
        code_facts=CodeFacts() if analysed else None,
    )


def analyse(
    *functions: Function, roles: dict[str, Role] | None = None, resources: dict[str, Resource] | None = None
) -> dict[str, Function]:
    app = App(
        "t", Dialect.CLOUDFORMATION, "", "t.yml", functions=functions, roles=roles or {}, resources=resources or {}
    )
    out, errors = iam.enrich(app)
    assert errors == []
    return {f.name: f for f in out.functions}


def one(role: Role, **kw: object) -> Function:
    return analyse(fn("f", role), **kw)["f"]  # type: ignore[arg-type]


def actions(f: Function) -> set[str]:
    assert f.permissions is not None
    return {a for g in f.permissions.grants for a in g.actions}


# ---- catalogue -------------------------------------------------------------------------------


def test_catalogue_cache_cold_then_warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FNAUDIT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(catalogue, "SHIPPED", "no-such-index")  # the user cache is for a snapshot without one
    catalogue.reset()
    try:
        cold = catalogue.load()
        assert cold.source == "cold"
        files = list(tmp_path.glob("iam-index-*.marshal"))
        assert len(files) == 1
        catalogue.reset()
        warm = catalogue.load()
        assert warm.source == "warm"
        assert warm.level("s3:GetObject") == "Read"
        assert warm.managed_policy("AWSLambdaBasicExecutionRole") is not None
        files[0].write_bytes(b"not marshal")  # a corrupt cache is rebuilt, never an error
        catalogue.reset()
        assert catalogue.load().source == "cold"
    finally:
        catalogue.reset()


def test_catalogue_levels_and_resource_types(cat: catalogue.Catalogue) -> None:
    assert cat.level("s3:ListBucket") == "List"
    assert cat.level("iam:PassRole") == "Permissions management"
    assert cat.level("nosuch:Thing") == "Unknown"
    assert not cat.scopable("xray:PutTraceSegments")
    assert cat.scopable("logs:CreateLogGroup")
    assert "object" in cat.arn_formats("s3")
    assert cat.condition_keys("iam")


def test_wildcard_expansion(cat: catalogue.Catalogue) -> None:
    got = cat.expand("s3:Get*")
    assert "s3:GetObject" in got and "s3:PutObject" not in got
    assert cat.expand("S3:getobject") == ("s3:GetObject",)
    assert set(cat.expand("dynamodb:*Item")) >= {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchWriteItem"}
    assert "ec2:DescribeInstances" in cat.expand("*:Describe*")
    assert len(cat.expand("*")) == len(cat.all_actions()) > 15000
    assert cat.expand("nosuch:*") == ()
    assert cat.worst_level("s3:Put*") == "Permissions management"


def test_curated_action_sets_exist_in_the_catalogue(cat: catalogue.Catalogue) -> None:
    for group in (_actions.DATA_READ, _actions.CREDENTIALS, _actions.EXFILTRATION, _actions.LAMBDA_BASELINE):
        missing = sorted(a for a in group if cat.action(a) is None)
        assert not missing, missing
    for m in escalation.METHODS:
        for action, _ in m.requires:
            assert cat.action(action) is not None, (m.id, action)


# ---- managed policies ------------------------------------------------------------------------


def test_managed_policy_names() -> None:
    assert managed.aws_policy_name("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole") == (
        "AWSLambdaBasicExecutionRole"
    )
    assert managed.aws_policy_name("!Sub arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess") == "PowerUserAccess"
    assert managed.aws_policy_name("arn:aws:iam::123456789012:policy/mine") is None


def test_managed_policies_expand_like_inline(cat: catalogue.Catalogue) -> None:
    role = Role(
        "R",
        L,
        managed_policies=(
            ManagedPolicy("arn:aws:iam::aws:policy/AmazonS3FullAccess", Loc("t.yml", 7)),
            ManagedPolicy("arn:aws:iam::123456789012:policy/custom", L),
        ),
    )
    f = one(role)
    assert "s3:DeleteBucket" in actions(f)
    assert f.permissions is not None and f.permissions.unknown_policies == ("arn:aws:iam::123456789012:policy/custom",)
    assert all(s.loc == Loc("t.yml", 7) for s in f.permissions.statements)


# ---- evaluation ------------------------------------------------------------------------------


def test_not_action_is_everything_else() -> None:
    f = one(Role("R", L, statements=(st(not_actions=("iam:*",)),)))
    got = actions(f)
    assert "s3:GetObject" in got and "iam:PassRole" not in got


def test_not_resource_keeps_the_exceptions() -> None:
    f = one(Role("R", L, statements=(st("s3:GetObject", not_resources=("arn:aws:s3:::secret/*",)),)))
    assert f.permissions is not None
    (g,) = f.permissions.grants
    assert g.resource == "*" and g.except_resources == ("arn:aws:s3:::secret/*",)


def test_deny_removes_and_narrows() -> None:
    role = Role(
        "R",
        L,
        statements=(
            st("s3:*", line=1),
            st("s3:Delete*", effect=Effect.DENY, line=2),
            st("s3:GetObject", effect=Effect.DENY, resources=("arn:aws:s3:::secret/*",), line=3),
            st("s3:PutObject", effect=Effect.DENY, line=4, conditions=(("Bool", "aws:SecureTransport", ("false",)),)),
        ),
    )
    f = one(role)
    got = actions(f)
    assert "s3:DeleteBucket" not in got and "s3:DeleteObject" not in got
    assert "s3:PutObject" in got  # a conditional Deny removes nothing
    assert f.permissions is not None
    narrowed = [g for g in f.permissions.grants if "s3:GetObject" in g.actions]
    assert narrowed and all(g.except_resources == ("arn:aws:s3:::secret/*",) for g in narrowed)


def test_deny_with_not_resource_leaves_only_the_exceptions() -> None:
    role = Role(
        "R",
        L,
        statements=(
            st("s3:GetObject"),
            st("s3:GetObject", effect=Effect.DENY, not_resources=("arn:aws:s3:::public/*",), line=2),
        ),
    )
    f = one(role)
    assert f.permissions is not None
    assert [g.resource for g in f.permissions.grants] == ["arn:aws:s3:::public/*"]


def test_boundary_from_aws_managed_policy() -> None:
    role = Role(
        "R",
        L,
        statements=(st("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"),),
        permissions_boundary="arn:aws:iam::aws:policy/PowerUserAccess",
    )
    f = one(role)
    assert "iam:PassRole" not in actions(f) and "lambda:CreateFunction" in actions(f)
    assert f.permissions is not None and f.permissions.boundary_known and not f.permissions.escalations


def test_boundary_from_app_policy_narrows_resources() -> None:
    boundary = Resource(
        "Boundary",
        "AWS::IAM::ManagedPolicy",
        L,
        {"PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::app-*"}]}},
    )
    role = Role("R", L, statements=(st("s3:GetObject", "sqs:SendMessage"),), permissions_boundary="!Ref Boundary")
    f = one(role, resources={"Boundary": boundary})
    assert f.permissions is not None
    assert [(g.resource, sorted(g.actions)) for g in f.permissions.grants] == [("arn:aws:s3:::app-*", ["s3:GetObject"])]


@pytest.mark.parametrize(
    "written",
    [
        "!GetAtt Boundary.PolicyArn",  # the policy's ARN attribute
        "!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/orders-boundary",  # by its ManagedPolicyName
        "arn:aws:iam::123456789012:policy/orders-boundary",
    ],
)
def test_boundary_from_app_policy_by_attribute_or_name(written: str) -> None:
    boundary = Resource(
        "Boundary",
        "AWS::IAM::ManagedPolicy",
        L,
        {
            "ManagedPolicyName": "orders-boundary",
            "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]},
        },
    )
    f = one(Role("R", L, statements=(st("*"),), permissions_boundary=written), resources={"Boundary": boundary})
    assert f.permissions is not None and f.permissions.boundary_known
    assert actions(f) == {"dynamodb:GetItem"}


def test_boundary_naming_another_policy_name_is_unknown() -> None:
    boundary = Resource(
        "Boundary",
        "AWS::IAM::ManagedPolicy",
        L,
        {
            "ManagedPolicyName": "orders-boundary",
            "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]},
        },
    )
    f = one(
        Role("R", L, statements=(st("s3:GetObject"),), permissions_boundary="arn:aws:iam::1:policy/other"),
        resources={"Boundary": boundary},
    )
    assert f.permissions is not None and not f.permissions.boundary_known and actions(f) == {"s3:GetObject"}


def test_unknown_boundary_is_flagged_and_not_applied() -> None:
    f = one(Role("R", L, statements=(st("s3:GetObject"),), permissions_boundary="arn:aws:iam::1:policy/b"))
    assert f.permissions is not None and not f.permissions.boundary_known and actions(f) == {"s3:GetObject"}


def test_conditions_keep_the_grant_and_mark_it() -> None:
    cond = (("StringEquals", "aws:RequestedRegion", ("eu-west-1",)),)
    f = one(Role("R", L, statements=(st("s3:GetObject", conditions=cond),)))
    assert f.permissions is not None
    (g,) = f.permissions.grants
    assert g.conditional and g.conditions == cond


def test_app_references_resolve_to_arns() -> None:
    res = {
        "Orders": Resource("Orders", "AWS::DynamoDB::Table", L, {"TableName": "orders"}),
        "Bucket": Resource("Bucket", "AWS::S3::Bucket", L, {}),
    }
    assert arns.resolve("!GetAtt Orders.Arn", res) == ("arn:aws:dynamodb:*:*:table/orders", "Orders")
    assert arns.resolve("!Sub arn:${AWS::Partition}:s3:::${Bucket}/*", res) == ("arn:aws:s3:::Bucket/*", "Bucket")
    assert arns.resolve("!Sub arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${tableName}", res)[0] == (
        "arn:aws:dynamodb:*:*:table/${tableName}"
    )
    assert arns.is_everything("arn:aws:lambda:*:*:function:*") and not arns.is_everything("arn:aws:s3:::b/*")


# ---- escalation ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", escalation.METHODS, ids=lambda m: m.id)
def test_each_escalation_method_is_found(method: escalation.Method) -> None:
    role = Role("R", L, statements=(st(*(a for a, _ in method.requires)),))
    f = one(role)
    assert f.permissions is not None
    assert method.id in {e.method for e in f.permissions.escalations}
    esc = next(e for e in f.permissions.escalations if e.method == method.id)
    assert [a for a, _ in esc.evidence] == [a for a, _ in method.requires]


def test_passed_to_service_condition_restricts_passrole_methods() -> None:
    to_ec2 = (("StringEquals", "iam:PassedToService", ("ec2.amazonaws.com",)),)
    to_lambda = (("StringEquals", "iam:PassedToService", ("lambda.amazonaws.com",)),)
    base = st("lambda:CreateFunction", "lambda:InvokeFunction", "ec2:RunInstances", line=2)
    f = one(Role("R", L, statements=(st("iam:PassRole", conditions=to_ec2), base)))
    assert f.permissions is not None
    assert {e.method for e in f.permissions.escalations} == {"passrole-ec2-run-instances"}
    g = one(Role("R", L, statements=(st("iam:PassRole", conditions=to_lambda), base)))
    assert g.permissions is not None
    found = {e.method: e for e in g.permissions.escalations}
    assert "passrole-lambda-create-invoke" in found and not found["passrole-lambda-create-invoke"].conditional


def test_update_code_of_itself_only_is_not_escalation() -> None:
    own = st("lambda:UpdateFunctionCode", resources=("arn:aws:lambda:eu-west-1:1:function:f",))
    f = one(Role("R", L, statements=(own,)))
    assert f.permissions is not None and not f.permissions.escalations


# ---- blast radius ----------------------------------------------------------------------------


def test_blast_radius_score_ranks_and_inherits() -> None:
    admin_role = Role("AdminRole", L, statements=(st("*"),))
    small = Role("Small", L, statements=(st("s3:GetObject", resources=("arn:aws:s3:::b/*",)),))
    wide = Role("Wide", L, statements=(st("s3:*"),))
    passer = Role(
        "Passer",
        L,
        statements=(
            st("iam:PassRole", resources=("!GetAtt AdminRole.Arn",)),
            st("lambda:CreateFunction", "lambda:InvokeFunction", line=2),
        ),
    )
    none = Role("None", L)
    res = {"AdminRole": Resource("AdminRole", "AWS::IAM::Role", L, {})}
    out = analyse(
        fn("admin", admin_role),
        fn("small", small),
        fn("wide", wide),
        fn("passer", passer),
        fn("none", none),
        roles={"AdminRole": admin_role},
        resources=res,
    )
    score = {n: f.blast_radius.score for n, f in out.items() if f.blast_radius is not None}
    assert score["none"] == 0.0 and score["admin"] == 100.0
    assert 0 < score["small"] < score["wide"] < score["admin"]
    passer_br = out["passer"].blast_radius
    assert passer_br is not None and passer_br.admin and passer_br.inherits_from == ("AdminRole",)
    assert "passrole-lambda-create-invoke" in passer_br.escalation
    assert out["small"].blast_radius is not None and out["small"].blast_radius.by_service == {"s3": {"Read": 1}}


def test_blast_reaches_other_functions() -> None:
    caller = Role("Caller", L, statements=(st("lambda:InvokeFunction", resources=("!GetAtt Target.Arn",)),))
    res = {"Target": Resource("Target", "AWS::Lambda::Function", L, {})}
    out = analyse(fn("caller", caller), fn("Target", Role("T", L)), resources=res)
    assert out["caller"].blast_radius is not None and out["caller"].blast_radius.reaches_functions == ("Target",)


def test_score_formula_is_monotonic(cat: catalogue.Catalogue) -> None:
    top = blast.admin_raw(cat)
    assert blast.score(0, top) == 0.0 and blast.score(top, top) == 100.0
    assert blast.score(10, top) < blast.score(100, top) < blast.score(1000, top)


# ---- used versus granted ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "operation", "expected"),
    [
        ("s3", "ListObjectsV2", ("s3:ListBucket",)),
        ("s3", "GetObject", ("s3:GetObject",)),
        ("s3", "PutObject", ("s3:PutObject",)),
        ("lambda", "Invoke", ("lambda:InvokeFunction",)),
        ("dynamodb", "BatchWriteItem", ("dynamodb:BatchWriteItem",)),
        ("stepfunctions", "StartExecution", ("states:StartExecution",)),
        ("sesv2", "SendEmail", ("ses:SendEmail", "ses:SendRawEmail")),
        ("sts", "GetCallerIdentity", ()),
        ("nosuch", "Frobnicate", ()),
    ],
)
def test_sdk_calls_map_to_iam_actions(
    cat: catalogue.Catalogue, service: str, operation: str, expected: tuple[str, ...]
) -> None:
    assert used.actions_for(SdkCall(service, operation, L), cat) == expected


def test_needed_actions_and_resources() -> None:
    res = {"Orders": Resource("Orders", "AWS::DynamoDB::Table", L, {"TableName": "orders"})}
    calls = (
        SdkCall("dynamodb", "GetItem", L, "orders"),
        SdkCall("s3", "GetObject", L, "reports"),
        SdkCall("s3", "ListObjectsV2", L, "reports"),
    )
    role = Role("R", L, statements=(st("dynamodb:GetItem", "dynamodb:PutItem"),))
    f = analyse(fn("f", role, calls, analysed=True), resources=res)["f"]
    assert f.permissions is not None
    assert f.permissions.needed == frozenset({"dynamodb:GetItem", "s3:GetObject", "s3:ListBucket"})
    app = App("t", Dialect.CLOUDFORMATION, "", "t.yml", functions=(f,), resources=res)
    needs = {(n.action, n.resource) for n in used.needs(f, app, catalogue.load())}
    assert needs == {
        ("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/orders"),
        ("s3:GetObject", "arn:aws:s3:::reports/*"),
        ("s3:ListBucket", "arn:aws:s3:::reports"),
    }


def test_not_analysed_code_has_no_needs() -> None:
    f = one(Role("R", L, statements=(st("s3:GetObject"),)))
    assert f.permissions is not None and f.permissions.needed is None


def test_deny_notresource_keeps_only_actions_that_apply_to_the_excepted_resource() -> None:
    f = one(
        Role(
            "R",
            L,
            statements=(
                st("*"),
                st("*", effect=Effect.DENY, not_resources=("arn:aws:s3:::mine",), line=2),
            ),
        )
    )
    assert f.permissions is not None
    (g,) = f.permissions.grants
    assert g.resource == "arn:aws:s3:::mine"
    assert "s3:GetBucketPolicy" in g.actions and "iam:PutRolePolicy" not in g.actions  # IAM cannot act on a bucket
    assert all("s3" in (catalogue.load().arn_services(a) or ()) for a in g.actions)
    # ssm:SendCommand names an S3 bucket (for its output) among its resources: the only method left
    assert [e.method for e in f.permissions.escalations] == ["ssm-send-command"]


def test_boundary_narrower_than_the_grant_keeps_only_actions_that_apply_there() -> None:
    boundary = Resource(
        "Boundary",
        "AWS::IAM::ManagedPolicy",
        L,
        {
            "PolicyDocument": {
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:dynamodb:*:*:table/orders"}]
            }
        },
    )
    f = one(
        Role(
            "R",
            L,
            statements=(st("dynamodb:GetItem", "iam:PassRole", "sqs:SendMessage"),),
            permissions_boundary="!Ref Boundary",
        ),
        resources={"Boundary": boundary},
    )
    assert f.permissions is not None
    assert [(g.resource, sorted(g.actions)) for g in f.permissions.grants] == [
        ("arn:aws:dynamodb:*:*:table/orders", ["dynamodb:GetItem"])
    ]
