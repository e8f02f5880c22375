"""Handler resolution: runtime + code folder + handler string → file and symbol."""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit.loaders._files import ScanRoot
from fnaudit.loaders.handlers import language_of, resolve_code


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
    code = resolve_code(ScanRoot.of(tmp_path / "root"), tmp_path, "app.handler", "python3.12")
    assert not code.in_repo and "outside the scanned folder" in (code.note or "")


@pytest.mark.parametrize(
    ("runtime", "lang"),
    [("python3.13", "python"), ("nodejs22.x", "node"), ("java17", "java"), ("provided.al2023", "custom"), (None, "unknown")],
)
def test_language_of(runtime: str | None, lang: str) -> None:
    assert language_of(runtime) == lang
