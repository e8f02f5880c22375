"""Handler resolution: runtime + code folder + handler string → file and symbol."""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit.config import Config
from fnaudit.errors import InputError, Loss
from fnaudit.loaders._files import ScanRoot
from fnaudit.loaders.handlers import language_of, resolve_code
from fnaudit.pipeline import scan
from tests.conftest import SCAN_DATE


def _touch(root: Path, rel: str) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text("# handler\n")


@pytest.mark.parametrize(
    ("files", "handler", "runtime", "file", "symbol"),
    [
        (["src/handlers/users.py"], "src/handlers/users.create", "python3.12", "app/src/handlers/users.py", "create"),
        (["src/handlers/users.py"], "src.handlers.users.create", "python3.12", "app/src/handlers/users.py", "create"),
        (["pkg/__init__.py"], "pkg.handler", "python3.11", "app/pkg/__init__.py", "handler"),
        (["handler.js"], "handler.hello", "nodejs20.x", "app/handler.js", "hello"),
        (["src/api.mjs"], "src/api.handler", "nodejs22.x", "app/src/api.mjs", "handler"),
        (["src/api.cjs"], "src/api.handler", "nodejs18.x", "app/src/api.cjs", "handler"),
        (["src/api.ts"], "src/api.main", "nodejs20.x", "app/src/api.ts", "main"),
        (
            ["src/main/java/com/acme/Handler.java"],
            "com.acme.Handler::handleRequest",
            "java21",
            "app/src/main/java/com/acme/Handler.java",
            "Handler::handleRequest",
        ),
    ],
)
def test_resolves_file_and_symbol(
    tmp_path: Path, files: list[str], handler: str, runtime: str, file: str, symbol: str
) -> None:
    for f in files:
        _touch(tmp_path / "app", f)
    code = resolve_code(ScanRoot.of(tmp_path), tmp_path / "app", handler, runtime)
    assert (code.in_repo, code.root, code.handler_file, code.handler_symbol, code.note) == (
        True,
        "app",
        file,
        symbol,
        None,
    )


def test_missing_handler_file_is_a_note_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    code = resolve_code(ScanRoot.of(tmp_path), tmp_path / "app", "missing.handler", "python3.12")
    assert code.in_repo and code.handler_file is None and code.handler_symbol == "handler"
    assert code.note == "missing.py not found under app"


def test_code_folder_not_in_repository(tmp_path: Path) -> None:
    code = resolve_code(ScanRoot.of(tmp_path), tmp_path / "build", "app.handler", "python3.12")
    assert not code.in_repo and code.note == "code folder build is not in the repository"


def test_code_folder_outside_root_is_refused(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    with pytest.raises(InputError, match="outside the scanned folder"):
        resolve_code(ScanRoot.of(tmp_path / "root"), tmp_path, "app.handler", "python3.12")


@pytest.mark.parametrize(
    ("runtime", "lang"),
    [
        ("python3.13", "python"),
        ("nodejs22.x", "node"),
        ("java17", "java"),
        ("provided.al2023", "custom"),
        (None, "unknown"),
    ],
)
def test_language_of(runtime: str | None, lang: str) -> None:
    assert language_of(runtime) == lang


# ---- locations that cannot be used are errors for that function only (issue 11) ----------------

INJECTION = "import os\n\ndef main(event, context):\n    os.system(event['body'])\n"


def _sls(root: Path, functions: str) -> None:
    (root / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n" + functions, encoding="utf-8"
    )
    (root / "ok.py").write_text(INJECTION, encoding="utf-8")


def _code_findings(root: Path) -> list[tuple[str, str, str, int]]:
    result = scan(root, Config(select=("CODE",), today=SCAN_DATE))
    return sorted((f.rule_id, f.function or "", f.location.path, f.location.line) for f in result.findings)


def test_handler_path_over_255_characters_is_an_error_for_that_function_only(tmp_path: Path) -> None:
    module = "m" * 300
    _sls(tmp_path, f"  long:\n    handler: {module}.main\n  ok:\n    handler: ok.main\n")
    result = scan(tmp_path, Config(select=("CODE",), today=SCAN_DATE))
    assert sorted(f.name for f in result.functions) == ["long", "ok"]
    (err,) = result.errors
    assert (err.path, err.stage, err.loss) == ("serverless.yml", "load", Loss.PARTIAL)
    assert err.message.startswith("line 7: function long: handler 'mmmm")
    assert "303 bytes, over the 255-byte limit of a file name" in err.message
    assert [(f.rule_id, f.function, f.location.path, f.location.line) for f in result.findings] == [
        ("CODE002", "ok", "ok.py", 4)
    ]
    long_fn = next(f for f in result.functions if f.name == "long")
    assert not long_fn.code.in_repo and long_fn.code_facts is None


def test_handler_file_symlinked_out_of_the_root_is_an_error_and_never_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret_handler.py").write_text(INJECTION, encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()
    (root / "linked.py").symlink_to(outside / "secret_handler.py")
    _sls(root, "  linked:\n    handler: linked.main\n  ok:\n    handler: ok.main\n")
    result = scan(root, Config(select=("CODE",), today=SCAN_DATE))
    (err,) = result.errors
    assert err.path == "serverless.yml" and err.loss == Loss.PARTIAL
    assert err.message.startswith(
        "line 7: function linked: handler file linked.py is a symbolic link to outside the scanned folder"
    )
    assert [(f.rule_id, f.function) for f in result.findings] == [("CODE002", "ok")]


def test_code_folder_symlinked_out_of_the_root_is_an_error(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "pkg").mkdir(parents=True)
    (outside / "pkg" / "handler.py").write_text(INJECTION, encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()
    (root / "src").symlink_to(outside / "pkg", target_is_directory=True)
    _sls(root, "  linked:\n    handler: src/handler.main\n  ok:\n    handler: ok.main\n")
    result = scan(root, Config(select=("CODE",), today=SCAN_DATE))
    (err,) = result.errors
    assert err.message.startswith("line 7: function linked: handler file src/handler.py is a symbolic link to outside")
    assert [(f.rule_id, f.function) for f in result.findings] == [("CODE002", "ok")]


def test_sam_code_uri_symlinked_out_of_the_root_is_an_error(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "app.py").write_text(INJECTION, encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()
    (root / "fn").symlink_to(outside, target_is_directory=True)
    (root / "template.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: fn/\n"
        "      Handler: app.main\n      Runtime: python3.12\n",
        encoding="utf-8",
    )
    result = scan(root, Config(select=("CODE",), today=SCAN_DATE))
    (err,) = result.errors
    assert (
        err.path == "template.yaml" and "function Fn: " in err.message and "outside the scanned folder" in err.message
    )
    assert list(result.findings) == []


def test_handler_file_that_is_a_link_loop_is_called_a_loop(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "loopy.py").symlink_to("loopy.py")
    _sls(root, "  loopy:\n    handler: loopy.main\n  ok:\n    handler: ok.main\n")
    result = scan(root, Config(select=("CODE",), today=SCAN_DATE))
    assert [(e.path, e.message) for e in result.errors if e.stage == "load"] == [
        (
            "serverless.yml",
            "line 7: function loopy: handler file loopy.py is a symbolic link loop (it leads back to itself), so this "
            "function's code is not analysed: fix or remove the link",
        )
    ]
    assert [(f.rule_id, f.function) for f in result.findings] == [("CODE002", "ok")]
