"""Build a tiny serverless app in a temp folder and run the code engine on it."""

from __future__ import annotations

import textwrap
from pathlib import Path

from fnaudit.config import Config
from fnaudit.model.app import Function
from fnaudit.pipeline import ScanResult, scan
from tests.conftest import SCAN_DATE


def write_app(root: Path, functions: str, files: dict[str, str], provider_extra: str = "") -> Path:
    yml = textwrap.dedent(
        """\
        service: t
        frameworkVersion: "3"
        provider:
          name: aws
          runtime: python3.12
        {extra}
        functions:
        {functions}
        """
    ).format(
        extra=textwrap.indent(textwrap.dedent(provider_extra), "  "),
        functions=textwrap.indent(textwrap.dedent(functions), "  "),
    )
    (root / "serverless.yml").write_text(yml, encoding="utf-8")
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def run(root: Path, select: tuple[str, ...] = ("CODE",)) -> ScanResult:
    return scan(root, Config(select=select, today=SCAN_DATE))


def fn(result: ScanResult, name: str) -> Function:
    return next(f for f in result.functions if f.name == name)


def flows(result: ScanResult, name: str) -> list[tuple[str, int]]:
    f = fn(result, name)
    assert f.code_facts is not None, f"{name} was not analysed"
    return [(fl.sink.kind, fl.sink.loc.line) for fl in f.code_facts.flows]


def code_errors(result: ScanResult) -> list:
    return [e for e in result.errors if e.stage == "code"]
