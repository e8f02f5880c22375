"""Shared fixtures of the fleet tests: `fleet_builder`, a generated fleet of tiny serverless apps.

    def test_x(fleet_builder: FleetBuilder) -> None:
        fleet_builder.serverless("repos/api", functions=2)      # 2 public Python functions, each an eval() of input
        fleet_builder.sam("repos/jobs")                          # a SAM app: 1 public function running os.system(input)
        fleet_builder.folder("repos/docs", {"README.md": "hi"})  # any files: here, not a serverless app
        path = fleet_builder.fleet('[[target]]\\npath = "repos/*"\\n')  # writes FLEET.toml, returns its path

Every path is relative to `fleet_builder.root` (the test's tmp_path). The finding counts of each kind of app are
constants here (SERVERLESS_RULES, SERVERLESS2_RULES, SAM_RULES) so that tests can assert exact findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

# The findings (by rule, sorted) of `serverless()` with one function: no authentication, code injection, no
# concurrency limit, no throttling on the route, no log retention, no tracing. With two functions: each function's
# own, one DOS005 for the shared API, and IAM004 for the role they share (SERVERLESS2_RULES).
SERVERLESS_RULES = ("AUTH001", "CODE003", "DOS001", "DOS005", "OBS001", "OBS002")
SERVERLESS2_RULES = tuple(sorted((*SERVERLESS_RULES, "AUTH001", "CODE003", "DOS001", "IAM004", "OBS001", "OBS002")))
# `sam()`: the same with command injection (CODE002) instead of code injection.
SAM_RULES = ("AUTH001", "CODE002", "DOS001", "DOS005", "OBS001", "OBS002")


@dataclass(frozen=True)
class FleetBuilder:
    root: Path

    def serverless(self, name: str, functions: int = 1) -> Path:
        """A Serverless Framework service of `functions` public Python functions (`f0`, `f1`, …), each with a code
        injection."""
        names = [f"f{i}" for i in range(functions)]
        yml = [
            "service: " + Path(name).name,
            'frameworkVersion: "3"',
            "provider:",
            "  name: aws",
            "  runtime: python3.12",
        ]
        yml.append("functions:")
        code: list[str] = []
        for fn in names:
            yml += [f"  {fn}:", f"    handler: handler.{fn}", "    events:", f"      - httpApi: GET /{fn}"]
            code += [
                f"def {fn}(event, context):",
                '    expr = event["queryStringParameters"]["expr"]',
                '    return {"statusCode": 200, "body": str(eval(expr))}',
                "",
                "",
            ]
        return self.folder(name, {"serverless.yml": "\n".join(yml) + "\n", "handler.py": "\n".join(code)})

    def sam(self, name: str) -> Path:
        """A SAM app with one public Python function that runs a shell command built from its input."""
        template = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Ping:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Api:
          Type: HttpApi
          Properties:
            Path: /ping
            Method: get
"""
        code = """\
import os


def handler(event, context):
    host = event["queryStringParameters"]["host"]
    os.system("ping -c 1 " + host)
    return {"statusCode": 200}
"""
        return self.folder(name, {"template.yaml": template, "src/app.py": code})

    def folder(self, name: str, files: Mapping[str, str]) -> Path:
        """A folder `name` holding `files` (relative path → text)."""
        folder = self.root / name
        for rel, text in files.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(text, encoding="utf-8")
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def fleet(self, text: str, name: str = "FLEET.toml") -> Path:
        """Writes the fleet file `name` with `text`; returns its path."""
        path = self.root / name
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture
def fleet_builder(tmp_path: Path) -> FleetBuilder:
    return FleetBuilder(tmp_path)
