"""Sharper Python taint (issue 14): calls through modules used as attributes, S3 object content as a
source when the attacker chose the object, and Lambda invoke results returned to the caller."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.code.helpers import fn, run, write_app

HTTP = "h:\n  handler: app.handler\n  events:\n    - httpApi: POST /x\n"
LIB = "import sqlite3\n\n\ndef find(n):\n    return sqlite3.connect('x').execute(n)\n"


def _flows(root: Path, name: str = "h") -> list[tuple[str, str, str, int, str]]:
    facts = fn(run(root), name).code_facts
    assert facts is not None
    return [(f.sink.kind, f.source.path, f.sink.loc.path, f.sink.loc.line, f.confidence) for f in facts.flows]


# --- 1. modules used as attributes, however they are imported --------------------------------------------

# (imports at the top of app.py, the handler's body, extra files); the sink is line 4 of pkg/sub.py
MODULE_SHAPES = {
    "from_pkg_import_submodule": ("from pkg import sub", "sub.find(event['body'])", {}),
    "import_pkg_sub_as": ("import pkg.sub as s", "s.find(event['body'])", {}),
    "import_pkg_sub_dotted": ("import pkg.sub", "pkg.sub.find(event['body'])", {}),
    "import_inside_the_handler": ("", "from pkg import sub\n    sub.find(event['body'])", {}),
    "import_as_inside_the_handler": ("", "import pkg.sub as s\n    s.find(event['body'])", {}),
    "reexported_by_the_package": (
        "import pkg",
        "pkg.find(event['body'])",
        {"pkg/__init__.py": "from .sub import find\n"},
    ),
    "reexported_symbol": (
        "from pkg import find",
        "find(event['body'])",
        {"pkg/__init__.py": "from .sub import find\n"},
    ),
    "star_reexport": ("from pkg import find", "find(event['body'])", {"pkg/__init__.py": "from .sub import *\n"}),
    "module_alias": ("from pkg import sub\nS = sub", "S.find(event['body'])", {}),
    "function_alias_in_module": ("from pkg import helpers", "helpers.lookup(event['body'])", {}),
    "module_level_instance": ("from pkg import repo", "repo.REPO.get(event['body'])", {}),
    "module_level_instance_symbol": ("from pkg.repo import REPO", "REPO.get(event['body'])", {}),
}
SHARED = {
    "pkg/__init__.py": "",
    "pkg/sub.py": LIB,
    "pkg/helpers.py": "from pkg.sub import find as lookup\n",
    "pkg/repo.py": (
        "from pkg import sub\n\n\nclass Repo:\n    def get(self, n):\n        return sub.find(n)\n\n\nREPO = Repo()\n"
    ),
}


@pytest.mark.parametrize("shape", sorted(MODULE_SHAPES))
def test_calls_through_modules_keep_taint_into_the_callee(tmp_path: Path, shape: str) -> None:
    imports, body, extra = MODULE_SHAPES[shape]
    code = f"{imports}\n\n\ndef handler(event, context):\n    {body}\n"
    write_app(tmp_path, HTTP, {**SHARED, **extra, "app.py": code})
    assert _flows(tmp_path) == [("sql", "event.body", "pkg/sub.py", 5, "high")], shape


def test_from_dot_import_keeps_taint_out_of_the_callee(tmp_path: Path) -> None:
    handler = textwrap.dedent(
        """\
        import sqlite3
        from . import helpers


        def handler(event, context):
            q = helpers.build(event["queryStringParameters"]["q"])
            return sqlite3.connect("x").execute(q)
        """
    )
    helpers = "def build(s):\n    return 'SELECT * FROM t WHERE n = ' + s\n"
    files = {"svc/__init__.py": "", "svc/app.py": handler, "svc/helpers.py": helpers}
    write_app(tmp_path, "h:\n  handler: svc/app.handler\n  events:\n    - httpApi: GET /x\n", files)
    assert _flows(tmp_path) == [("sql", "event.queryStringParameters.q", "svc/app.py", 7, "high")]


def test_sinks_named_through_an_import_inside_the_handler(tmp_path: Path) -> None:
    # `import subprocess as sp` inside the function: `sp.run` is still subprocess.run
    code = "def handler(event, context):\n    import subprocess as sp\n    sp.run(event['body'], shell=True)\n"
    write_app(tmp_path, HTTP, {"app.py": code})
    assert _flows(tmp_path) == [("command", "event.body", "app.py", 3, "high")]


def test_a_module_function_that_sanitises_stays_clean(tmp_path: Path) -> None:
    code = "import sqlite3\nfrom pkg import clean\n\n\ndef handler(event, context):\n"
    code += "    sqlite3.connect('x').execute('SELECT %d' % clean.number(event['body']))\n"
    files = {"pkg/__init__.py": "", "pkg/clean.py": "def number(s):\n    return int(s)\n", "app.py": code}
    write_app(tmp_path, HTTP, files)
    assert _flows(tmp_path) == []


# --- 2. S3 keys and S3 object content ----------------------------------------------------------------------

S3_TRIGGERED = "h:\n  handler: app.handler\n  events:\n    - s3: uploads\n"


@pytest.mark.parametrize("decode", ["urllib.parse.unquote_plus", "urllib.parse.unquote", "unquote_plus"])
def test_s3_keys_stay_tainted_through_url_decoding(tmp_path: Path, decode: str) -> None:
    code = textwrap.dedent(
        f"""\
        import subprocess
        import urllib.parse
        from urllib.parse import unquote_plus


        def handler(event, context):
            for record in event["Records"]:
                key = {decode}(record["s3"]["object"]["key"])
                subprocess.run("convert /tmp/" + key, shell=True)
        """
    )
    write_app(tmp_path, S3_TRIGGERED, {"app.py": code})
    assert _flows(tmp_path) == [("command", "event.Records[].s3.object.key", "app.py", 9, "medium")]


TRIGGERING_BUCKET = textwrap.dedent(
    """\
    import subprocess
    import boto3
    from urllib.parse import unquote_plus

    s3 = boto3.client("s3")


    def handler(event, context):
        record = event["Records"][0]["s3"]
        bucket = record["bucket"]["name"]
        key = unquote_plus(record["object"]["key"])
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
        subprocess.run(body, shell=True)
    """
)


def test_content_of_the_object_the_s3_event_names_is_a_source(tmp_path: Path) -> None:
    write_app(tmp_path, S3_TRIGGERED, {"app.py": TRIGGERING_BUCKET})
    facts = fn(run(tmp_path), "h").code_facts
    assert facts is not None
    (flow,) = facts.flows
    assert (flow.sink.kind, flow.sink.loc.path, flow.sink.loc.line) == ("command", "app.py", 13)
    assert (flow.source.path, flow.source.triggers, flow.source.confidence) == ("s3object.body", ("s3",), "medium")
    assert (flow.source.loc.path, flow.source.loc.line) == ("app.py", 12)
    assert flow.steps[0].note.startswith("S3 object read by s3.get_object(): the object the triggering event names")


def test_object_content_is_not_a_source_without_an_s3_trigger(tmp_path: Path) -> None:
    # the same code behind an HTTP route: the bucket "name" comes from a request nobody sends that way
    write_app(tmp_path, HTTP, {"app.py": TRIGGERING_BUCKET})
    assert _flows(tmp_path) == []


def test_object_read_in_a_helper_module_with_the_event_bucket(tmp_path: Path) -> None:
    helper = textwrap.dedent(
        """\
        import boto3

        s3 = boto3.resource("s3")


        def read(bucket, key):
            return s3.Object(bucket, key).get()["Body"].read()
        """
    )
    code = textwrap.dedent(
        """\
        import pickle
        from lib import storage


        def handler(event, context):
            r = event["Records"][0]["s3"]
            return pickle.loads(storage.read(r["bucket"]["name"], r["object"]["key"]))
        """
    )
    write_app(tmp_path, S3_TRIGGERED, {"app.py": code, "lib/__init__.py": "", "lib/storage.py": helper})
    assert _flows(tmp_path) == [("deserialization", "s3object.body", "app.py", 7, "medium")]


def test_downloaded_object_then_opened_is_a_source(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """\
        import os
        import yaml
        import boto3

        s3 = boto3.client("s3")


        def handler(event, context):
            key = event["Records"][0]["s3"]["object"]["key"]
            local = "/tmp/" + os.path.basename(key)
            s3.download_file(os.environ["UPLOADS"], key, local)
            with open(local) as f:
                return yaml.load(f.read(), Loader=yaml.Loader)
        """
    )
    fnyml = "h:\n  handler: app.handler\n  environment:\n    UPLOADS: uploads\n  events:\n    - s3: uploads\n"
    write_app(tmp_path, fnyml, {"app.py": code})
    assert _flows(tmp_path) == [("deserialization", "s3object.body", "app.py", 13, "medium")]


PUBLIC_BUCKET_APP = """\
service: t
frameworkVersion: "3"
provider:
  name: aws
  runtime: python3.12
functions:
  h:
    handler: app.handler
    environment:
      BUCKET: !Ref Uploads
    events:
      - httpApi: POST /render
resources:
  Resources:
    Uploads:
      Type: AWS::S3::Bucket
    UploadsPolicy:
      Type: AWS::S3::BucketPolicy
      Properties:
        Bucket: !Ref Uploads
        PolicyDocument:
          Statement:
            - Effect: Allow
              Principal: "*"
              Action: {action}
              Resource: !Sub "${{Uploads.Arn}}/*"
"""
READS_BUCKET = textwrap.dedent(
    """\
    import os
    import boto3

    BUCKET = os.environ["BUCKET"]
    s3 = boto3.client("s3")


    def handler(event, context):
        obj = s3.get_object(Bucket=BUCKET, Key="templates/page.py")
        exec(obj["Body"].read())
    """
)


def test_content_of_a_bucket_anyone_can_write_is_a_source(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(PUBLIC_BUCKET_APP.format(action="s3:PutObject"), encoding="utf-8")
    (tmp_path / "app.py").write_text(READS_BUCKET, encoding="utf-8")
    facts = fn(run(tmp_path), "h").code_facts
    assert facts is not None
    (flow,) = facts.flows
    assert (flow.sink.kind, flow.sink.loc.line, flow.source.path, flow.confidence) == (
        "code",
        10,
        "s3object.body",
        "medium",
    )
    assert "bucket Uploads is writable by anyone (statement 1 of UploadsPolicy, line 24)" in flow.steps[0].note


BLOCKED = "      Type: AWS::S3::Bucket\n      Properties:\n        PublicAccessBlockConfiguration:\n"
BLOCKED += "          BlockPublicPolicy: true\n"


@pytest.mark.parametrize(
    ("action", "block"),
    [
        ("s3:GetObject", False),  # anyone may read, not write
        ("s3:PutObject\n              Condition: {StringEquals: {aws:SourceVpce: vpce-1a2b}}", False),
        ("s3:PutObject", True),  # the public access block neutralises the policy
    ],
)
def test_content_of_a_bucket_strangers_cannot_write_is_not_a_source(tmp_path: Path, action: str, block: bool) -> None:
    yml = PUBLIC_BUCKET_APP.format(action=action)
    if block:
        yml = yml.replace("      Type: AWS::S3::Bucket\n", BLOCKED)
    (tmp_path / "serverless.yml").write_text(yml, encoding="utf-8")
    (tmp_path / "app.py").write_text(READS_BUCKET, encoding="utf-8")
    assert _flows(tmp_path) == []


# --- 3. the result of invoking another function, returned to the caller -------------------------------------

INVOKE = """\
import json
import boto3

lam = boto3.client("lambda")


def handler(event, context):
    resp = lam.invoke(FunctionName="worker", Payload=json.dumps({{"id": 1}}){extra})
    {check}
    result = json.loads(resp["Payload"].read())
    return {{"statusCode": 200, "body": json.dumps(result)}}
"""


def test_invoke_payload_returned_is_a_verbose_error(tmp_path: Path) -> None:
    write_app(tmp_path, HTTP, {"app.py": INVOKE.format(extra="", check="pass")})
    result = run(tmp_path, ("CODE013",))
    facts = fn(result, "h").code_facts
    assert facts is not None
    assert [(v.loc.path, v.loc.line) for v in facts.verbose_errors] == [("app.py", 11)]
    assert [s.loc.line for s in facts.verbose_errors[0].steps] == [8, 8, 10, 11]
    (finding,) = result.findings
    assert (finding.rule_id, finding.location.path, finding.location.line) == ("CODE013", "app.py", 11)
    assert "the response of another function it invoked (errorMessage and stackTrace" in finding.message


@pytest.mark.parametrize(
    ("extra", "check"),
    [
        ("", "if resp.get('FunctionError'):\n        return {'statusCode': 502, 'body': 'upstream failed'}"),
        (", InvocationType='Event'", "pass"),
    ],
)
def test_invoke_payload_handled_or_asynchronous_is_quiet(tmp_path: Path, extra: str, check: str) -> None:
    write_app(tmp_path, HTTP, {"app.py": INVOKE.format(extra=extra, check=check)})
    facts = fn(run(tmp_path, ("CODE013",)), "h").code_facts
    assert facts is not None
    assert facts.verbose_errors == ()


SAM_S3 = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Uploads:
    Type: AWS::S3::Bucket
  Config:
    Type: AWS::S3::Bucket
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          BUCKET: !Ref {bucket}
      Events:
        Up:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
"""
# each reads the object into `data` (lines 7-10 of app.py, padded); the sink is on line 11
READ_SHAPES = {
    "bucket_then_object": "data = s3.Bucket(NAME).Object(key).get()['Body'].read()",
    "object_bound_to_a_name": "obj = s3.Object(NAME, key)\n    data = obj.get()['Body'].read()",
    "download_fileobj_into_a_buffer": "buf = io.BytesIO()\n    client.download_fileobj(NAME, key, buf)\n"
    "    data = buf.getvalue()",
    "bucket_download_file_then_open": "b = s3.Bucket(NAME)\n    b.download_file(key, '/tmp/in')\n"
    "    with open('/tmp/in', 'rb') as f:\n        data = f.read()",
}


def _sam_read(tmp_path: Path, bucket: str, shape: str) -> Path:
    (tmp_path / "template.yaml").write_text(SAM_S3.format(bucket=bucket), encoding="utf-8")
    lines = READ_SHAPES[shape].count("\n")
    code = "import io, os, pickle, boto3\ns3 = boto3.resource('s3')\nclient = boto3.client('s3')\n"
    code += "NAME = os.environ.get('BUCKET')\n"
    code += "def handler(event, context):\n    key = event['Records'][0]['s3']['object']['key']\n"
    code += "    " + READ_SHAPES[shape] + "\n" + "    pass\n" * (3 - lines) + "    pickle.loads(data)\n"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(code, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("shape", sorted(READ_SHAPES))
def test_every_way_to_read_the_triggering_buckets_object_is_a_source(tmp_path: Path, shape: str) -> None:
    facts = fn(run(_sam_read(tmp_path, "Uploads", shape)), "Fn").code_facts
    assert facts is not None
    assert [(f.sink.kind, f.source.path, f.sink.loc.path, f.sink.loc.line, f.confidence) for f in facts.flows] == [
        ("deserialization", "s3object.body", "src/app.py", 11, "medium")
    ]
    assert "bucket Uploads triggers the function" in facts.flows[0].steps[0].note


@pytest.mark.parametrize("shape", sorted(READ_SHAPES))
def test_reading_another_private_bucket_is_not_a_source(tmp_path: Path, shape: str) -> None:
    facts = fn(run(_sam_read(tmp_path, "Config", shape)), "Fn").code_facts
    assert facts is not None
    assert facts.flows == ()


def test_sdk_calls_reached_through_module_attributes_are_reachable(tmp_path: Path) -> None:
    # reachability (IAM010 unused permissions, weaknesses) follows the same resolution as the taint walk
    store = textwrap.dedent(
        """\
        import boto3

        s3 = boto3.client("s3")


        def save(body):
            s3.put_object(Bucket="b", Key="k", Body=body)


        def purge():
            s3.delete_object(Bucket="b", Key="k")
        """
    )
    code = "def handler(event, context):\n    from pkg import api\n    api.save(event['body'])\n"
    files = {"pkg/__init__.py": "", "pkg/store.py": store, "pkg/api.py": "from .store import save\n", "app.py": code}
    write_app(tmp_path, HTTP, files)
    calls = fn(run(tmp_path), "h").sdk_calls
    assert [(c.operation, c.loc.path, c.loc.line, c.reachable) for c in calls] == [
        ("PutObject", "pkg/store.py", 7, True),
        ("DeleteObject", "pkg/store.py", 11, False),
    ]


def test_content_of_a_bucket_with_a_public_write_acl_named_by_a_literal(tmp_path: Path) -> None:
    yml = textwrap.dedent(
        """\
        service: t
        frameworkVersion: "3"
        provider:
          name: aws
          runtime: python3.12
        functions:
          h:
            handler: app.handler
            events:
              - httpApi: GET /import
        resources:
          Resources:
            Drop:
              Type: AWS::S3::Bucket
              Properties:
                BucketName: partner-drop
                AccessControl: PublicReadWrite
        """
    )
    code = "import pickle, boto3\n\n\ndef handler(event, context):\n"
    code += "    body = boto3.client('s3').get_object(Bucket='partner-drop', Key='feed.pkl')['Body']\n"
    code += "    return pickle.loads(body.read())\n"
    (tmp_path / "serverless.yml").write_text(yml, encoding="utf-8")
    (tmp_path / "app.py").write_text(code, encoding="utf-8")
    facts = fn(run(tmp_path), "h").code_facts
    assert facts is not None
    assert [(f.sink.kind, f.source.path, f.sink.loc.line, f.confidence) for f in facts.flows] == [
        ("deserialization", "s3object.body", 6, "medium")
    ]
    assert "bucket Drop is writable by anyone (AccessControl: PublicReadWrite, line 17)" in facts.flows[0].steps[0].note


def test_object_named_by_an_eventbridge_s3_event(tmp_path: Path) -> None:
    fnyml = "h:\n  handler: app.handler\n  events:\n    - eventBridge:\n        pattern:\n          source: [aws.s3]\n"
    code = textwrap.dedent(
        """\
        import boto3

        s3 = boto3.client("s3")


        def handler(event, context):
            d = event["detail"]
            text = s3.get_object(Bucket=d["bucket"]["name"], Key=d["object"]["key"])["Body"].read()
            eval(text)
        """
    )
    write_app(tmp_path, fnyml, {"app.py": code})
    assert _flows(tmp_path) == [("code", "s3object.body", "app.py", 9, "medium")]
