"""The CDK grant table (`fnaudit/data/cdk_grants.json`), generated from aws-cdk-lib by tools/gen_cdk_grants.py."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest

from fnaudit.loaders import LoadOptions, ScanRoot, load_all
from fnaudit.loaders.cdk.grants import CDK_VERSION, GRANTS, GRANTS_BY_CLASS, SOURCE, GrantStatement
from fnaudit.model import Loc

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_cdk_grants", ROOT / "tools" / "gen_cdk_grants.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_table_names_the_aws_cdk_lib_version_licence_and_date_it_came_from() -> None:
    assert (SOURCE.package, SOURCE.license) == ("aws-cdk-lib", "Apache-2.0")
    assert re.fullmatch(r"2\.\d+\.\d+", SOURCE.version) and CDK_VERSION == SOURCE.version == "2.278.0"
    assert SOURCE.generated == "2026-12-05"
    raw = json.loads((ROOT / "src" / "fnaudit" / "data" / "cdk_grants.json").read_text(encoding="utf-8"))
    assert raw["source"]["generator"] == "tools/gen_cdk_grants.py"
    # the licence of the package the facts come from ships beside the other data licences
    licence = ROOT / "src" / "fnaudit" / "data" / raw["source"]["license_file"]
    head = licence.read_text(encoding="utf-8").splitlines()[:4]
    assert head[0] == "AWS Cloud Development Kit (AWS CDK)" and head[3].strip() == "Apache License"


# (kind, method) → the statements CDK 2.278.0 writes on the grantee: (actions, resource shapes)
EXACT: dict[tuple[str, str], list[tuple[tuple[str, ...], tuple[str, ...]]]] = {
    ("table", "grantReadData"): [
        (
            (
                "dynamodb:BatchGetItem",
                "dynamodb:Query",
                "dynamodb:GetItem",
                "dynamodb:Scan",
                "dynamodb:ConditionCheckItem",
                "dynamodb:DescribeTable",
            ),
            ("arn", "arn/index/*"),
        ),
        (("dynamodb:GetRecords", "dynamodb:GetShardIterator"), ("arn", "arn/index/*")),
    ],
    ("table", "grantStreamRead"): [
        (("dynamodb:ListStreams",), ("*",)),
        (("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"), ("stream",)),
    ],
    ("bucket", "grantRead"): [(("s3:GetObject*", "s3:GetBucket*", "s3:List*"), ("arn", "arn/*"))],
    ("bucket", "grantPut"): [
        (
            (
                "s3:PutObject",
                "s3:PutObjectLegalHold",
                "s3:PutObjectRetention",
                "s3:PutObjectTagging",
                "s3:PutObjectVersionTagging",
                "s3:Abort*",
            ),
            ("arn/*",),
        )
    ],
    ("bucket", "grantDelete"): [(("s3:DeleteObject*",), ("arn/*",))],
    ("queue", "grantSendMessages"): [(("sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"), ("arn",))],
    ("topic", "grantPublish"): [(("sns:Publish",), ("arn",))],
    ("secret", "grantWrite"): [
        (
            (
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecret",
                "secretsmanager:UpdateSecretVersionStage",
            ),
            ("arn",),
        )
    ],
    ("function", "grantInvoke"): [(("lambda:InvokeFunction",), ("arn", "arn:*"))],
    ("stream", "grantWrite"): [(("kinesis:ListShards", "kinesis:PutRecord", "kinesis:PutRecords"), ("arn",))],
    ("statemachine", "grantStartExecution"): [(("states:StartExecution",), ("arn",))],
    ("eventbus", "grantPutEventsTo"): [(("events:PutEvents",), ("arn",))],
    ("key", "grantDecrypt"): [(("kms:Decrypt",), ("arn",))],
    ("parameter", "grantRead"): [
        (("ssm:DescribeParameters", "ssm:GetParameters", "ssm:GetParameter", "ssm:GetParameterHistory"), ("arn",))
    ],
    ("repository", "grantPull"): [
        (("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"), ("arn",)),
        (("ecr:GetAuthorizationToken",), ("*",)),
    ],
}


@pytest.mark.parametrize("key", sorted(EXACT))
def test_grant_statements_are_exactly_cdks(key: tuple[str, str]) -> None:
    grant = GRANTS[key]
    assert [(s.actions, s.resources) for s in grant.statements] == EXACT[key]
    # the flat view the loader writes: every action once, in CDK's order
    assert grant.actions == tuple(dict.fromkeys(a for actions, _ in EXACT[key] for a in actions))


@pytest.mark.parametrize(
    ("key", "key_actions"),
    [
        (("table", "grantReadData"), ("kms:Decrypt", "kms:DescribeKey")),
        (("bucket", "grantPut"), ("kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Decrypt")),
        (("queue", "grantConsumeMessages"), ("kms:Decrypt",)),
        (("topic", "grantPublish"), ("kms:Decrypt", "kms:GenerateDataKey*")),
        (("stream", "grantRead"), ("kms:Decrypt",)),
        (("bucket", "grantDelete"), ()),  # deleting objects needs no key
    ],
)
def test_kms_actions_added_when_the_resource_is_encrypted(key: tuple[str, str], key_actions: tuple[str, ...]) -> None:
    assert GRANTS[key].key_actions == key_actions


def test_the_loaders_compat_view_objects_and_kinds() -> None:
    # `objects` (the loader's `arn/*`): a bucket's objects and a table's indexes, not a queue's
    assert GRANTS[("table", "grantReadWriteData")].objects is True
    assert GRANTS[("bucket", "grantRead")].objects is True
    assert GRANTS[("queue", "grantConsumeMessages")].objects is False
    # Table and TableV2 share the kind; Table speaks for it, TableV2 stays reachable by class
    assert GRANTS[("table", "grantStreamRead")].construct == "aws-dynamodb.Table"
    v2 = GRANTS_BY_CLASS[("aws-dynamodb.TableV2", "grantStreamRead")]
    assert v2.statements[0] == GrantStatement(("dynamodb:ListStreams",), ("stream",))
    # a statement CDK writes under a condition is marked so (the loader does not write conditions)
    url = GRANTS[("function", "grantInvokeUrl")]
    assert [(s.actions, s.conditional) for s in url.statements] == [
        (("lambda:InvokeFunctionUrl",), True),
        (("lambda:InvokeFunction",), True),
    ]
    # methods that take their actions as arguments have nothing fixed to read
    assert ("table", "grantStream") not in GRANTS and ("bucket", "grantOnKey") not in GRANTS


def test_generator_classifies_resource_shapes_and_splits_key_statements() -> None:
    gen = _generator()
    arn = {"Fn::GetAtt": ["R1", "Arn"]}
    assert gen.shape(arn, "R1") == "arn"
    assert gen.shape({"Ref": "R1"}, "R1") == "arn"
    assert gen.shape({"Fn::Join": ["", [arn, "/index/*"]]}, "R1") == "arn/index/*"
    assert gen.shape({"Fn::GetAtt": ["R1", "StreamArn"]}, "R1") == "stream"
    assert gen.shape("*", "R1") == "*"
    with pytest.raises(ValueError, match="unknown resource shape"):
        gen.shape({"Fn::GetAtt": ["Other", "Arn"]}, "R1")
    run = {
        "ids": {"resource": "R1", "key": "K1", "role": "G"},
        "statements": [
            {"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": arn},
            {"Action": ["kms:Decrypt"], "Effect": "Allow", "Resource": {"Fn::GetAtt": ["K1", "Arn"]}},
        ],
    }
    assert gen._statements(run) == ([{"actions": ["sqs:SendMessage"], "resources": ["arn"]}], ["kms:Decrypt"])


def test_loader_expands_grants_the_hand_table_missed_at_their_lines() -> None:
    # `grant_put_acl` and `grant_subscribe` were not in the hand-written table (no statement at all), and
    # secret `grant_write` lacked `UpdateSecretVersionStage`: all three now as aws-cdk-lib writes them
    fix = ROOT / "tests" / "loaders" / "fixtures" / "cdk" / "grants-py"
    outcome, _ = load_all(fix, ScanRoot.of(fix), LoadOptions())
    assert outcome.errors == []
    ((worker,),) = [app.functions for app in outcome.apps]
    assert worker.role is not None and worker.role.id == "Grants/Worker/ServiceRole"
    lines = {text: i for i, text in enumerate((fix / "app.py").read_text().splitlines(), start=1)}
    got = [(s.actions, s.resources, s.loc) for s in worker.role.statements]
    assert got == [
        (
            (
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecret",
                "secretsmanager:UpdateSecretVersionStage",
            ),
            ("!Ref Grants/Token",),
            Loc("app.py", lines["secret.grant_write(worker)"]),
        ),
        (
            ("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
            ("!GetAtt Grants/Uploads.Arn", "!GetAtt Grants/Uploads.Arn/*"),
            Loc("app.py", lines["bucket.grant_put_acl(worker)"]),
        ),
        (("sns:Subscribe",), ("!Ref Grants/Events",), Loc("app.py", lines["topic.grant_subscribe(worker)"])),
    ]
