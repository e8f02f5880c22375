"""The `aws:` target forms and their mistakes."""

from __future__ import annotations

import pytest

from fnaudit.account.target import AccountTarget, TargetError, is_account_target, parse


@pytest.mark.parametrize(
    ("text", "regions", "profile"),
    [
        ("aws:", (), None),
        ("aws:eu-west-1", ("eu-west-1",), None),
        ("aws:eu-west-1,us-east-1", ("eu-west-1", "us-east-1"), None),
        ("aws:*", ("*",), None),
        ("aws://prod/eu-central-1", ("eu-central-1",), "prod"),
        ("aws://prod/", (), "prod"),
        ("aws:us-gov-west-1", ("us-gov-west-1",), None),
    ],
)
def test_forms(text: str, regions: tuple[str, ...], profile: str | None) -> None:
    target = parse(text)
    assert (target.regions, target.profile, target.text) == (regions, profile, text)
    assert target.every_region is (regions == ("*",))


def test_options_are_kept() -> None:
    target = parse("aws:eu-west-1", "dev", ("orders-*", "billing"), "http://127.0.0.1:5000", True)
    assert target == AccountTarget(
        "aws:eu-west-1", ("eu-west-1",), "dev", ("orders-*", "billing"), "http://127.0.0.1:5000", True
    )
    assert target.wants("orders-api") and target.wants("billing")
    assert not target.wants("billing-worker")
    assert parse("aws:").wants("anything")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("aws:eu-west", "'eu-west' is not an AWS region name"),
        ("aws:*,eu-west-1", "`*` means every enabled region"),
        ("aws:Eu-West-1", "'Eu-West-1' is not an AWS region name"),
    ],
)
def test_mistakes(text: str, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        parse(text)


def test_profile_conflict() -> None:
    with pytest.raises(TargetError, match="names profile 'prod' but --profile says 'dev'"):
        parse("aws://prod/eu-west-1", profile="dev")


def test_recognised() -> None:
    assert is_account_target("aws:eu-west-1")
    assert not is_account_target("./aws")
    assert not is_account_target("examples/shop-api")
