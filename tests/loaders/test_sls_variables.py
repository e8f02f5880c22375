"""The Serverless variable resolver, on small documents written in each test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fnaudit.errors import ScanError
from fnaudit.loaders._files import ScanRoot
from fnaudit.loaders._sls_variables import MISSING, Unresolved, Variables
from fnaudit.loaders._yaml import load_yaml
from fnaudit.loaders.base import LoadOptions
from fnaudit.model.loc import Ref, RefKind


def _vars(
    tmp_path: Path, text: str, options: LoadOptions | None = None, files: dict[str, str] | None = None
) -> Variables:
    service = tmp_path / "svc"
    service.mkdir(exist_ok=True)
    for rel, content in (files or {}).items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content)
    return Variables(load_yaml(text), "svc/serverless.yml", service, ScanRoot.of(service), options or LoadOptions())


def _get(v: Variables, dotted: str) -> Any:
    return v.get(*dotted.split("."))


def test_self_nested_index_and_embedded(tmp_path: Path) -> None:
    v = _vars(
        tmp_path,
        "service: shop\n"
        "custom:\n"
        "  stage: prod\n"
        "  prod: {table: prod-users}\n"
        "  list: [a, b]\n"
        "  bucket: files\n"
        "x:\n"
        "  nested: ${self:custom.${self:custom.stage}.table}\n"
        "  index: ${self:custom.list.1}\n"
        "  bracket: ${self:custom.list[0]}\n"
        "  arn: arn:aws:s3:::${self:custom.bucket}/*\n"
        "  service: ${self:service}\n"
        "  whole: ${self:custom.prod}\n",
    )
    assert _get(v, "x.nested") == "prod-users"
    assert _get(v, "x.index") == "b"
    assert _get(v, "x.bracket") == "a"
    assert _get(v, "x.arn") == "arn:aws:s3:::files/*"
    assert _get(v, "x.service") == "shop"
    assert _get(v, "x.whole") == {"table": "prod-users"}
    assert v.errors == []


def test_old_service_mapping(tmp_path: Path) -> None:
    v = _vars(tmp_path, "service:\n  name: legacy\nx: ${self:service}-api\n")
    assert _get(v, "x") == "legacy-api"


def test_stage_precedence(tmp_path: Path) -> None:
    text = "provider:\n  stage: qa\nx: ${sls:stage}\ny: ${opt:stage}\nz: ${self:provider.stage}\n"
    v = _vars(tmp_path, text)
    assert (_get(v, "x"), _get(v, "y"), _get(v, "z")) == ("qa", "qa", "qa")
    v = _vars(tmp_path, text, LoadOptions(stage="prod"))
    assert (_get(v, "x"), _get(v, "y"), _get(v, "z")) == ("prod", "prod", "prod")
    v = _vars(tmp_path, "x: ${sls:stage}\ny: ${opt:stage, 'beta'}\n")
    assert (_get(v, "x"), _get(v, "y")) == ("dev", "beta")


def test_stage_defined_by_opt_with_default(tmp_path: Path) -> None:
    v = _vars(tmp_path, "provider:\n  stage: ${opt:stage, 'staging'}\nx: ${sls:stage}\n")
    assert _get(v, "x") == "staging"


def test_region(tmp_path: Path) -> None:
    v = _vars(tmp_path, "provider:\n  region: eu-west-1\nx: ${opt:region}\ny: ${aws:region}\n")
    assert (_get(v, "x"), _get(v, "y")) == ("eu-west-1", "eu-west-1")
    v = _vars(tmp_path, "x: ${opt:region}\n", LoadOptions(region="ap-south-1"))
    assert _get(v, "x") == "ap-south-1"


def test_defaults_quoted_numbers_and_variables(tmp_path: Path) -> None:
    v = _vars(
        tmp_path,
        "custom: {fallback: from-self}\n"
        "a: ${opt:memory, 512}\n"
        'b: ${env:X, "a, b"}\n'
        "c: ${env:X, ${self:custom.fallback}}\n"
        "d: ${env:X, ${env:Y, 'last'}}\n"
        "e: ${opt:flag, true}\n"
        "f: ${self:custom.missing, 'dflt'}\n",
    )
    assert _get(v, "a") == 512
    assert _get(v, "b") == "a, b"
    assert _get(v, "c") == "from-self"
    assert _get(v, "d") == "last"
    assert _get(v, "e") is True
    assert _get(v, "f") == "dflt"


def test_env_and_params_only_from_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FNAUDIT_TEST_SECRET", "from-process")
    text = "a: ${env:FNAUDIT_TEST_SECRET}\nb: ${param:p}\n"
    v = _vars(tmp_path, text)
    a, b = _get(v, "a"), _get(v, "b")
    assert isinstance(a, Unresolved) and a.ref == Ref(RefKind.ENVIRONMENT, "${env:FNAUDIT_TEST_SECRET}")
    assert isinstance(b, Unresolved) and b.ref == Ref(RefKind.PARAMETER, "${param:p}")
    v = _vars(tmp_path, text, LoadOptions(env={"FNAUDIT_TEST_SECRET": "given"}, params={"p": "q"}))
    assert (_get(v, "a"), _get(v, "b")) == ("given", "q")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("${ssm:/db/password}", RefKind.SSM),
        ("${ssm(raw):/db/password}", RefKind.SSM),
        ("${ssm:/aws/reference/secretsmanager/prod/db}", RefKind.SECRETS_MANAGER),
        ("${cf:other-stack.Output}", RefKind.CLOUDFORMATION),
        ("${cf(us-west-2):other-stack.Output}", RefKind.CLOUDFORMATION),
        ("${aws:accountId}", RefKind.AWS),
        ("${s3:bucket/key}", RefKind.S3),
        ("${opt:custom-flag}", RefKind.OPTION),
        ("${file(./missing.js):value}", RefKind.FILE),
        ("${sls:instanceId}", RefKind.OTHER),
        ("${ssm:/db/password, 'not-used'}", RefKind.SSM),
        ("prefix-${ssm:/db/password}-suffix", RefKind.SSM),
    ],
)
def test_unresolvable_sources_stay_symbolic(tmp_path: Path, text: str, kind: RefKind) -> None:
    v = _vars(tmp_path, f'x: "{text}"\n')
    value = _get(v, "x")
    assert isinstance(value, Unresolved)
    assert value.ref == Ref(kind, text)


def test_reference_through_self_keeps_its_kind(tmp_path: Path) -> None:
    v = _vars(tmp_path, "custom:\n  secret: ${ssm:/db/password}\nx: ${self:custom.secret}\n")
    value = _get(v, "x")
    assert isinstance(value, Unresolved) and value.ref == Ref(RefKind.SSM, "${ssm:/db/password}")


def test_cloudformation_sub_variables_are_left_alone(tmp_path: Path) -> None:
    v = _vars(tmp_path, "x: arn:aws:s3:::${AWS::AccountId}-${Bucket}/${Bucket.Arn}\n")
    assert _get(v, "x") == "arn:aws:s3:::${AWS::AccountId}-${Bucket}/${Bucket.Arn}"


def test_file_include_yaml_json_and_consumed(tmp_path: Path) -> None:
    v = _vars(
        tmp_path,
        "a: ${file(./conf/a.yml):db.host}\nb: ${file(./conf/b.json)}\nc: ${file(./conf/none.yml), 'fallback'}\n",
        files={"svc/conf/a.yml": "db:\n  host: db.internal\n", "svc/conf/b.json": '{"k": [1, 2]}\n'},
    )
    assert _get(v, "a") == "db.internal"
    assert _get(v, "b") == {"k": [1, 2]}
    assert _get(v, "c") == "fallback"
    assert v.consumed == {"conf/a.yml", "conf/b.json"}
    assert v.file_of(_get(v, "b")) == "conf/b.json"


def test_file_outside_root_is_refused(tmp_path: Path) -> None:
    v = _vars(tmp_path, "a: x\nb: ${file(../outside.yml):k}\n", files={"outside.yml": "k: leaked\n"})
    b = _get(v, "b")
    assert isinstance(b, Unresolved) and b.ref == Ref(RefKind.FILE, "${file(../outside.yml):k}")
    assert v.errors == [
        ScanError(
            "svc/serverless.yml",
            "line 2: `${file(../outside.yml):k}` points outside the scanned folder; fnaudit never reads there",
            "load",
        )
    ]
    assert v.consumed == set()


def test_cycle_is_an_error_not_a_hang(tmp_path: Path) -> None:
    v = _vars(tmp_path, "a: ${self:b}\nb: ${self:a}\nc: fine\n")
    a = _get(v, "a")
    assert isinstance(a, Unresolved)
    assert _get(v, "c") == "fine"
    assert len(v.errors) == 1 and "a cycle of variables" in v.errors[0].message


def test_cycle_through_a_parent_mapping(tmp_path: Path) -> None:
    v = _vars(tmp_path, "custom:\n  me: ${self:custom}\n  ok: 1\n")
    custom = _get(v, "custom")
    assert custom["ok"] == 1
    assert isinstance(custom["me"], Unresolved)
    assert [e.message for e in v.errors] == [
        "line 2: a variable includes the value that contains it (a cycle of variables)"
    ]


def test_depth_and_size_blow_ups_end(tmp_path: Path) -> None:
    chain = "".join(f"v{i}: ${{self:v{i + 1}}}\n" for i in range(60)) + "v60: end\n"
    v = _vars(tmp_path, chain)
    assert isinstance(_get(v, "v0"), Unresolved)
    assert any("nest more than" in e.message for e in v.errors)
    doubling = "".join(f"d{i}: ${{self:d{i + 1}}}${{self:d{i + 1}}}\n" for i in range(15)) + "d15: xxxxxxxx\n"
    v = _vars(tmp_path, doubling)
    assert isinstance(_get(v, "d0"), Unresolved)
    assert any("more than 100,000 characters" in e.message for e in v.errors)


def test_missing_self_path_without_default(tmp_path: Path) -> None:
    v = _vars(tmp_path, "x: ${self:custom.nothing}\n")
    x = _get(v, "x")
    assert isinstance(x, Unresolved) and x.ref == Ref(RefKind.OTHER, "${self:custom.nothing}")
    assert _get(v, "absent") is MISSING


def test_resolve_api_returns_refs(tmp_path: Path) -> None:
    v = _vars(tmp_path, "custom: {b: files}\n")
    value, refs = v.resolve({"A": "${self:custom.b}", "B": ["${ssm:/p}"]}, "test")
    assert value == {"A": "files", "B": ["${ssm:/p}"]}
    assert refs == (Ref(RefKind.SSM, "${ssm:/p}"),)


def test_self_reference_into_a_file_section_that_refers_to_self_is_no_cycle(tmp_path: Path) -> None:
    # Regression (issue 13, section 3): `custom: ${file()}` whose file refers back into `custom`
    # was reported as "a cycle of variables"; the Framework resolves it (only each path is followed).
    v = _vars(
        tmp_path,
        "service: shop\n"
        "custom: ${file(./config.yml)}\n"
        "provider:\n"
        "  environment:\n"
        "    TABLE: ${self:custom.table}\n"
        "    ALL: ${self:custom}\n",
        files={
            "svc/config.yml": "prefix: shop\ntable: ${self:custom.prefix}-${self:custom.stage}\nstage: dev\n",
        },
    )
    assert _get(v, "provider.environment.TABLE") == "shop-dev"
    assert _get(v, "provider.environment.ALL") == {"prefix": "shop", "table": "shop-dev", "stage": "dev"}
    assert v.errors == []


def test_a_real_cycle_through_a_file_is_still_one(tmp_path: Path) -> None:
    v = _vars(
        tmp_path,
        "custom: ${file(./config.yml)}\nx: ${self:custom.a}\n",
        files={"svc/config.yml": "a: ${self:custom.b}\nb: ${self:custom.a}\n"},
    )
    assert isinstance(_get(v, "x"), Unresolved)
    assert [e.message for e in v.errors] == ["x: `${self:custom.a}` refers to itself (a cycle of variables)"]


def test_boolean_looking_keys_are_found_by_their_text(tmp_path: Path) -> None:
    # Regression (issue 13, section 3): `false:` was the key "False", so this section was silently dropped.
    text = (
        "custom:\n"
        "  stmts:\n"
        "    true: [{Effect: Allow, Action: 's3:*', Resource: '*'}]\n"
        "    false: [{Effect: Allow, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*'}]\n"
        "  mode:\n"
        "    on: loud\n"
        "x:\n"
        "  stmts: ${self:custom.stmts.${env:FLAG, 'false'}}\n"
        "  mode: ${self:custom.mode.on}\n"
    )
    v = _vars(tmp_path, text)
    assert _get(v, "x.stmts") == [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]
    assert _get(v, "x.mode") == "loud"
    flagged = _vars(tmp_path, text, LoadOptions(env={"FLAG": "true"}))
    assert _get(flagged, "x.stmts") == [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]
    assert v.errors == [] and flagged.errors == []
