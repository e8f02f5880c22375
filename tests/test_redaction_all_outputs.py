"""No full secret value from the secret fixtures or the labelled corpus appears in any output:
table, JSON, SARIF, HTML, CycloneDX (every `Format` member), verbose logs on stderr, and error
messages. Each finding shows at most the first 4 characters of a secret and its length."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fnaudit.cli import main
from fnaudit.engines.secrets.context import Place
from fnaudit.engines.secrets.scanner import classify, scan_line
from fnaudit.report import Format
from tests.secrets.corpus import files, load

FIXTURES = Path(__file__).parent / "rules" / "fixtures"
SECRET_FIXTURES = sorted(p / "bad" for p in FIXTURES.glob("SECRET*"))


def _secrets_in(folder: Path) -> set[str]:
    """The raw secret values in a folder, found with the same scanner on every line (and, for IaC
    files, on every `key: value` line, so that SECRET001 / SECRET004 values are included)."""
    out: set[str] = set()
    for path in folder.rglob("*"):
        if not path.is_file() or path.name == "expect.txt":
            continue
        kind = classify(path.name) or (Place.CONFIG, "yaml")
        for line in path.read_text(encoding="utf-8").splitlines():
            syntax = "yaml" if path.suffix in (".yml", ".yaml") else kind[1]
            for _key, text, verdict in scan_line(line.split(" # expect:")[0], kind[0], syntax):
                secret = text[verdict.start : verdict.end] if verdict.end > verdict.start else text
                out.add(secret.strip())
            # the environment and parameter values of the templates (judged by SECRET001 / SECRET004)
            if "expect: plaintext-secret" in line or "expect: secret-in-parameter-default" in line:
                # `KEY: value` in YAML, `KEY = "value"` / `default = "value"` in HCL
                sep = " = " if path.suffix == ".tf" else ":"
                out.add(line.split(sep, 1)[1].split(" # expect")[0].strip().strip('"'))
    return {s for s in out if len(s) >= 8}


@pytest.fixture(scope="module")
def corpus_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus files as one function's package in a serverless app."""
    root = tmp_path_factory.mktemp("corpus-app")
    (root / "serverless.yml").write_text(
        "service: corpus\nprovider:\n  name: aws\n  runtime: python3.13\n"
        "functions:\n  orders:\n    handler: functions/orders/app/handler.main\n"
        "  payments:\n    handler: functions/payments/app/handler.main\n",
        encoding="utf-8",
    )
    for name, text in files(load()).items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    # a broken file beside the secrets: its error message must not quote them either
    (root / "broken").mkdir()
    (root / "broken" / "template.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Fn: {Type: AWS::Lambda::Function\n"
        "    Properties: {Environment: {Variables: {K: sk_live_9vQz3LmT7xKp2WnR5bYc8dFh}}\n",
        encoding="utf-8",
    )
    return root


def _targets(corpus_app: Path) -> list[tuple[Path, set[str]]]:
    corpus_secrets = set()
    for ln in load():
        if ln.expect:
            kind = classify(ln.file)
            assert kind is not None
            for _key, text, v in scan_line(ln.content, kind[0], kind[1]):
                corpus_secrets.add((text[v.start : v.end] if v.end > v.start else text).strip())
    corpus_secrets.add("sk_live_9vQz3LmT7xKp2WnR5bYc8dFh")
    return [(f, _secrets_in(f)) for f in SECRET_FIXTURES] + [(corpus_app, {s for s in corpus_secrets if len(s) >= 8})]


@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f.value)
def test_no_output_format_leaks_a_secret(
    fmt: Format, corpus_app: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for folder, secrets in _targets(corpus_app):
        assert secrets or folder.parent.name == "SECRET005", f"no secret values collected from {folder}"
        work = tmp_path / folder.name / folder.parent.name
        shutil.copytree(folder, work)
        # --errors=warn: the corpus holds a deliberately broken template; this test is about redaction, not the gate
        code = main(
            [
                "scan",
                str(work),
                "--format",
                fmt.value,
                "--verbose",
                "--date",
                "2026-11-29",
                "--fail-on",
                "none",
                "--errors",
                "warn",
            ]
        )
        captured = capsys.readouterr()
        text = captured.out + captured.err
        assert code == 0, text[-2000:]
        assert "SECRET" in text or fmt is Format.CYCLONEDX, f"{fmt.value}: no secret finding in the output of {folder}"
        for secret in secrets:
            assert secret not in text, f"{fmt.value} output of {folder.name} leaks {secret[:4]}…"
            assert secret[4:] not in text, (
                f"{fmt.value} output of {folder.name} shows more than 4 characters of {secret[:4]}…"
            )


def test_error_messages_do_not_quote_secrets(corpus_app: Path) -> None:
    from fnaudit.config import Config
    from fnaudit.errors import Loss
    from fnaudit.pipeline import scan

    result = scan(corpus_app, Config())
    # The one error is the broken template's, and its message points at the spot without quoting it.
    assert [(e.path, e.stage, e.loss) for e in result.errors] == [("broken/template.yaml", "load", Loss.APP)]
    assert result.errors[0].message == "YAML syntax error: did not find expected ',' or '}' at line 4, column 15"
    assert "9vQz3LmT7xKp2WnR5bYc8dFh" not in result.errors[0].message
