"""The indexed Deny evaluation (`evaluate.DenyIndex`) against the brute force it replaces, on random policies.

The brute force below is the former algorithm (plus the rule that a grant narrowed to another service's
ARN keeps only the actions that apply there), kept here as the oracle: every Deny, in written order,
applied to every grant. The index only chooses which Denies a grant meets; the results (grants, their
order, actions, resources and exceptions) must be identical.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from fnaudit.engines.iam import arns, catalogue, evaluate
from fnaudit.model import Effect, Loc, Resource, Statement
from fnaudit.model.permissions import Grant

_ACTIONS = (
    "s3:GetObject",
    "S3:getobject",
    "s3:Get*",
    "s3:*",
    "s3:PutObject",
    "*",
    "*:Describe*",
    "*:Get*",
    "dynamodb:*Item",
    "dynamodb:GetItem",
    "iam:PassRole",
    "iam:*",
    "sqs:SendMessage",
    "s?s:*",
    "unknownsvc:DoThing",
    "ec2:Describe*",
    "kms:Decrypt",
)
_RESOURCES = (
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::b/k",
    "arn:aws:s3:::b",
    "arn:aws:s3:::c/*",
    "arn:aws:s3:::*",
    "arn:aws:dynamodb:*:*:table/t",
    "arn:aws:dynamodb:eu-west-1:1:table/t",
    "arn:aws:dynamodb:*:*:table/*",
    "arn:aws:iam::*:role/r",
    "arn:aws:iam::*:role/*",
    "arn:aws:sqs:*:*:q?",
    "!Ref Bucket",
    "!GetAtt Table.Arn",
)
_APP: Mapping[str, Resource] = {
    "Bucket": Resource("Bucket", "AWS::S3::Bucket", Loc("t.yml", 1), {"BucketName": "b"}),
    "Table": Resource("Table", "AWS::DynamoDB::Table", Loc("t.yml", 1), {"TableName": "t"}),
}


@hs.composite
def statements(draw: hs.DrawFn, effect: Effect) -> Statement:
    line = draw(hs.integers(1, 10_000))
    acts = tuple(draw(hs.lists(hs.sampled_from(_ACTIONS), min_size=1, max_size=3)))
    res = tuple(draw(hs.lists(hs.sampled_from(_RESOURCES), min_size=1, max_size=3)))
    not_action = draw(hs.integers(0, 9)) == 0
    not_resource = draw(hs.integers(0, 7)) == 0
    conditional = draw(hs.integers(0, 9)) == 0
    return Statement(
        effect,
        Loc("t.yml", line),
        () if not_action else acts,
        acts if not_action else (),
        () if not_resource else res,
        res if not_resource else (),
        conditional,
        source=f"s[{line}]",
    )


def brute_force(
    grants: list[Grant], denies: Iterable[Statement], sets: evaluate.ActionSets, resources: Mapping[str, Resource]
) -> list[Grant]:
    for st in denies:
        if st.effect is not Effect.DENY or st.conditional:
            continue
        denied = sets.of(st)
        if not denied:
            continue
        out: list[Grant] = []
        if st.not_resources:
            kept_only = [arns.resolve(r, resources)[0] for r in st.not_resources]
            for g in grants:
                hit = g.actions & denied
                if not hit:
                    out.append(g)
                    continue
                rest = g.actions - hit
                if rest:
                    out.append(replace(g, actions=frozenset(rest)))
                for k in kept_only:
                    narrowed = arns.intersect(g.resource, k)
                    if narrowed is None:
                        continue
                    kept = hit if narrowed == g.resource else frozenset(a for a in hit if sets.applies(a, narrowed))
                    if kept:
                        out.append(replace(g, actions=frozenset(kept), resource=narrowed))
            grants = out
            continue
        deny_res = [arns.resolve(r, resources)[0] for r in st.resources]
        for g in grants:
            hit = g.actions & denied
            if not hit:
                out.append(g)
                continue
            if any(arns.covers(d, g.resource) for d in deny_res):
                rest = g.actions - hit
                if rest:
                    out.append(replace(g, actions=frozenset(rest)))
                continue
            narrower = tuple(d for d in deny_res if arns.covers(g.resource, d))
            if narrower:
                rest = g.actions - hit
                if rest:
                    out.append(replace(g, actions=frozenset(rest)))
                out.append(replace(g, actions=frozenset(hit), except_resources=g.except_resources + narrower))
            else:
                out.append(g)
        grants = out
    return grants


_SETS = evaluate.ActionSets(catalogue.load())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    allows=hs.lists(statements(Effect.ALLOW), min_size=1, max_size=8),
    denies=hs.lists(statements(Effect.DENY), max_size=8),
)
def test_indexed_denies_equal_brute_force(allows: list[Statement], denies: list[Statement]) -> None:
    grants = evaluate.grants_of(allows, _SETS, _APP)
    expected = brute_force(list(grants), denies, _SETS, _APP)
    assert evaluate._apply_denies(list(grants), denies, _SETS, _APP) == expected


def test_literal_prefix_stops_at_the_first_wildcard() -> None:
    assert evaluate.literal_prefix("arn:aws:s3:::b/*") == "arn:aws:s3:::b/"
    assert evaluate.literal_prefix("arn:aws:sqs:*:*:q") == "arn:aws:sqs:"
    assert evaluate.literal_prefix("arn:aws:sqs:eu-west-1:1:q?") == "arn:aws:sqs:eu-west-1:1:q"
    assert evaluate.literal_prefix("*") == ""
    assert evaluate.literal_prefix("arn:aws:s3:::b/k") == "arn:aws:s3:::b/k"


def test_a_deny_on_another_resource_or_service_is_not_a_candidate() -> None:
    deny = Statement(Effect.DENY, Loc("t.yml", 9), ("s3:GetObject",), (), ("arn:aws:s3:::other/*",), (), source="d")
    index = evaluate.DenyIndex([deny], _SETS, lambda t: t)
    s3 = _SETS.of(Statement(Effect.ALLOW, Loc("t.yml", 1), ("s3:GetObject",), (), ("*",), ()))
    sqs = _SETS.of(Statement(Effect.ALLOW, Loc("t.yml", 1), ("sqs:SendMessage",), (), ("*",), ()))
    assert index.candidates(s3, "arn:aws:s3:::mine/*") == []  # disjoint resources
    assert index.candidates(sqs, "*") == []  # no common action
    assert index.candidates(s3, "*") == [0]  # `*` contains the Deny's resource: it is narrowed
    assert index.candidates(s3, "arn:aws:s3:::other/k") == [0]
