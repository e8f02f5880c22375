"""Second-order flows: what one function stores, another function is triggered by and misuses."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.code.helpers import run

SERVERLESS = """\
service: jobs
frameworkVersion: "3"
provider:
  name: aws
  runtime: python3.12
  environment:
    QUEUE_URL: !Ref Jobs
functions:
  submit:
    handler: submit.handler
    events:
      - httpApi: POST /jobs
  worker:
    handler: worker.handler
    events:
      - sqs: !GetAtt Jobs.Arn
  audit:
    handler: audit.handler
    events:
      - sqs: !GetAtt Audit.Arn
resources:
  Resources:
    Jobs:
      Type: AWS::SQS::Queue
    Audit:
      Type: AWS::SQS::Queue
"""

SUBMIT = """\
import os
import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=event["body"])
    return {"statusCode": 202}
"""

CONSUMER = """\
import json
import os


def handler(event, context):
    for record in event["Records"]:
        job = json.loads(record["body"])
        os.system("convert " + job["file"])
"""


def _app(root: Path) -> Path:
    for name, text in {
        "serverless.yml": SERVERLESS,
        "submit.py": SUBMIT,
        "worker.py": CONSUMER,
        "audit.py": CONSUMER,
    }.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_public_write_into_a_queue_makes_its_consumer_flow_second_order(tmp_path: Path) -> None:
    result = run(_app(tmp_path))
    got = sorted(
        (f.rule_id, f.location.path, f.location.line, f.severity.value, f.confidence, f.functions)
        for f in result.findings
        if f.rule_id == "CODE002"
    )
    assert got == [
        # nobody writes to the audit queue from the app: an internal trigger, two levels down
        ("CODE002", "audit.py", 8, "medium", "low", ("audit",)),
        # the public submit route fills the jobs queue: one level below a direct public flow
        ("CODE002", "worker.py", 8, "high", "medium", ("submit", "worker")),
    ]
    (worker,) = (f for f in result.findings if f.rule_id == "CODE002" and f.location.path == "worker.py")
    assert "function submit stores event.body from httpApi POST /jobs, public with no authorizer" in worker.message
    assert "a second-order flow" in worker.message
    assert [s.loc.path for s in worker.trace][:1] == ["submit.py"]
    assert worker.trace[-1].loc.path == "worker.py"


SAM = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Environment:
      Variables:
        QUEUE_URL: !Ref Jobs
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Submit:
    Type: AWS::Serverless::Function
    Properties:
      Handler: submit.handler
      Events:
        Post:
          Type: HttpApi
          Properties:
            Path: /jobs
            Method: POST
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: worker.handler
      Events:
        Queue:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
"""


def test_second_order_flow_in_a_sam_app(tmp_path: Path) -> None:
    for name, text in {"template.yaml": SAM, "submit.py": SUBMIT, "worker.py": CONSUMER}.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    got = [
        (f.location.path, f.location.line, f.severity.value, f.functions)
        for f in run(tmp_path).findings
        if f.rule_id == "CODE002"
    ]
    assert got == [("worker.py", 8, "high", ("Submit", "Worker"))]
