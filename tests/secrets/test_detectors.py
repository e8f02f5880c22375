"""The detector table: every format's generated example is found, its counter-example is not."""

from __future__ import annotations

import re

import pytest

from fnaudit.engines.secrets.context import Place, judge, jwt_facts, token_is_placeholder
from fnaudit.engines.secrets.detectors import DETECTORS, Confidence, Detector, fake
from fnaudit.engines.secrets.entropy import is_high_entropy, shannon


def test_table_has_at_least_100_formats_with_unique_ids() -> None:
    assert len(DETECTORS) >= 100
    assert len({d.id for d in DETECTORS}) == len(DETECTORS)
    for d in DETECTORS:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", d.id), d.id
        assert d.description and d.name and d.example and d.counter_example
        assert d.key_pattern is None or d.example_key, f"{d.id}: a key-bound format needs an example key"


@pytest.mark.parametrize("det", DETECTORS, ids=lambda d: d.id)
def test_example_matches_and_counter_example_does_not(det: Detector) -> None:
    key = det.example_key or None
    assert det.search(det.example, key), f"{det.id} does not match its own example"
    assert not det.search(det.counter_example, key), f"{det.id} matches its counter-example"
    if det.id != "twitter-bearer-token":  # its fixed run of `A`s is judged apart
        assert not token_is_placeholder(det.example), f"{det.id}: the example reads as a placeholder"
    verdict = judge(key, det.example, Place.CODE)
    assert verdict is not None and verdict.detector == det.id, f"{det.id}: judged as {verdict}"


def test_key_bound_formats_need_their_key() -> None:
    for det in DETECTORS:
        if det.key_pattern is not None:
            assert det.search(det.example, None) is None
            assert det.search(det.example, "VALUE") is None


def test_fakes_are_deterministic_and_shaped() -> None:
    assert fake("ghp_{a:36}", "s") == fake("ghp_{a:36}", "s")
    assert re.fullmatch(r"ghp_[A-Za-z0-9]{36}", fake("ghp_{a:36}", "s"))


def test_jwt_facts() -> None:
    token = next(d.example for d in DETECTORS if d.id == "jwt")
    facts = jwt_facts(token)
    assert facts is not None and facts.alg == "HS256" and facts.symmetric and not facts.has_exp
    assert set(facts.flags) == {"jwt-no-expiry", "jwt-symmetric-alg"}
    assert jwt_facts("eyJnotjson.eyJnotjson.sig") is None


def test_jwt_with_asymmetric_alg_and_expiry_is_medium() -> None:
    import base64
    import json

    def b64(d: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()

    token = b64({"alg": "RS256"}) + "." + b64({"sub": "svc", "exp": 1893456000}) + "." + fake("{w:43}", "j")
    v = judge("TOKEN", token, Place.CODE)
    assert v is not None and v.detector == "jwt" and v.severity == "medium" and v.flags == ()


def test_entropy_thresholds_per_charset() -> None:
    assert shannon("aaaa") == 0
    assert is_high_entropy(fake("{h:40}", "e"))
    assert is_high_entropy(fake("{b:40}", "e"))
    assert not is_high_entropy("authorization_header")
    assert not is_high_entropy("deadbeefdeadbeefdeadbeef")
    assert not is_high_entropy("short1A")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("aws_key", "AKIAIOSFODNN7EXAMPLE"),
        ("API_KEY", "<your-api-key>"),
        ("DB_PASSWORD", "${ssm:/app/db}"),
        ("DB_PASSWORD", "{{resolve:secretsmanager:app/db:SecretString:password}}"),
        ("DB_PASSWORD", "{{resolve:ssm-secure:/app/db:1}}"),
        ("SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf"),
        ("GIT_SHA", "4b825dc642cb6eb9a060e54bf8d69288fbee4904"),
        ("REQUEST_ID", "9f1c2a4e-5b6d-4c3e-8f7a-1b2c3d4e5f60"),
        ("HANDLER", "src/handler.main"),
        ("POWERTOOLS_SERVICE_NAME", "payments"),
        ("TOKEN", "xxxxxxxxxxxxxxxxxxxx"),
    ],
)
def test_traps_are_not_secrets(key: str, value: str) -> None:
    for place in (Place.CODE, Place.CONFIG, Place.ENVIRONMENT):
        assert judge(key, value, place) is None


def test_confidence_lowering() -> None:
    assert Confidence.HIGH.lowered() is Confidence.MEDIUM
    assert Confidence.MEDIUM.lowered() is Confidence.LOW
