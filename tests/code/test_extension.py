"""Reads through the Parameters and Secrets extension count as the SDK calls they stand for."""

from __future__ import annotations

from pathlib import Path

from fnaudit.engines.code.extension import extension_calls
from fnaudit.engines.code.files import SourceFile


def _file(rel: str, text: str) -> SourceFile:
    return SourceFile(Path("/x") / rel, rel, text, "d")


def test_secret_and_parameter_urls_become_calls_with_their_names() -> None:
    py = _file(
        "h.py", 'import os\nURL = "http://localhost:2773/secretsmanager/get?secretId=prod/db&versionStage=AWSCURRENT"\n'
    )
    js = _file("r.js", "const u = `http://localhost:${PORT}/systemsmanager/parameters/get?name=/app/currency`;\n")
    calls = extension_calls([py, js])
    assert [(c.service, c.operation, c.loc.path, c.loc.line, c.resource, c.confidence) for c in calls] == [
        ("secretsmanager", "GetSecretValue", "h.py", 2, "prod/db", "medium"),
        ("ssm", "GetParameter", "r.js", 1, "/app/currency", "medium"),
    ]


def test_a_name_from_a_variable_is_unknown_and_other_ports_are_not_the_extension() -> None:
    built = _file("h.py", 'url = f"http://localhost:2773/secretsmanager/get?secretId={name}"\n')
    other = _file("o.py", 'url = "http://localhost:8080/secretsmanager/get?secretId=x"\n')
    assert [(c.service, c.resource) for c in extension_calls([built, other])] == [("secretsmanager", None)]
