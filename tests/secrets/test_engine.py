"""The secrets engine on small apps: what it walks, what it skips, how findings are attributed,
and the inline allowlist (the project's single suppression mechanism)."""

from __future__ import annotations

from pathlib import Path

from fnaudit.config import Config
from fnaudit.engines.secrets.detectors import fake
from fnaudit.engines.secrets.flows import python_flows
from fnaudit.engines.secrets.scanner import key_before
from fnaudit.pipeline import scan
from tests.conftest import SCAN_DATE

TOKEN = fake("ghp_{a:36}", "engine-test")
SLS = "service: s\nprovider:\n  name: aws\n  runtime: python3.13\nfunctions:\n  a:\n    handler: a/handler.main\n  b:\n    handler: b/handler.main\n"


def _app(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    (tmp_path / "serverless.yml").write_text(SLS, encoding="utf-8")
    for rel, content in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    return tmp_path


def _findings(root: Path, select: str = "SECRET") -> list[tuple[str, str, int, bool]]:
    result = scan(root, Config(select=(select,), today=SCAN_DATE))
    return sorted((f.rule_id, f.location.path, f.location.line, f.suppressed) for f in result.findings)


def test_skips_dependencies_virtualenvs_git_binaries_and_big_files(tmp_path: Path) -> None:
    line = f'TOKEN = "{TOKEN}"\n'
    root = _app(
        tmp_path,
        {
            "a/handler.py": "def main(event, context):\n    return None\n",
            "a/node_modules/lib/index.js": line,
            "a/.git/config": line,
            "a/venv2/pyvenv.cfg": "home = /usr\n",
            "a/venv2/lib/site.py": line,
            "a/big.py": line + "x = 1\n" * 200_000,
            "a/blob.py": b"\x00\x01" + line.encode(),
            "a/latin1.py": line.encode() + b"# \xe9\n",
            "a/real.py": line,
        },
    )
    assert _findings(root) == [("SECRET002", "a/real.py", 1, False)]


def test_a_file_is_scanned_once_and_names_the_function_that_bundles_it(tmp_path: Path) -> None:
    root = _app(tmp_path, {"a/handler.py": f'TOKEN = "{TOKEN}"\n', "b/handler.py": "X = 1\n"})
    result = scan(root, Config(select=("SECRET002",), today=SCAN_DATE))
    [f] = result.findings
    # serverless packages the whole service folder by default: every function ships the file
    assert f.functions == ("a", "b")


def test_inline_ignore_suppresses_with_its_reason(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {
            "a/handler.py": f'TOKEN = "{TOKEN}"  # fnaudit: ignore[SECRET002] revoked sandbox token\n',
            ".env": f"# fnaudit: ignore[secret-in-config-file] local only\nGH_TOKEN={TOKEN}\nOTHER_TOKEN={TOKEN}\n",
        },
    )
    result = scan(root, Config(select=("SECRET",), today=SCAN_DATE))
    by_line = {(f.location.path, f.location.line): f for f in result.findings}
    assert by_line[("a/handler.py", 1)].suppressed
    assert by_line[("a/handler.py", 1)].suppression.reason == "revoked sandbox token"
    assert by_line[(".env", 2)].suppressed
    assert not by_line[(".env", 3)].suppressed


def test_templates_are_not_rescanned_as_config(tmp_path: Path) -> None:
    root = _app(
        tmp_path,
        {
            "a/handler.py": "X = 1\n",
            "a/template.yaml": f"AWSTemplateFormatVersion: '2010-09-09'\nResources: {{}}\n# {TOKEN}\n",
            "a/package-lock.json": f'{{"x": "{TOKEN}"}}\n',
        },
    )
    assert _findings(root, "SECRET003") == []


def test_finding_never_holds_the_value(tmp_path: Path) -> None:
    root = _app(tmp_path, {"a/handler.py": f'TOKEN = "{TOKEN}"\n'})
    result = scan(root, Config(select=("SECRET002",), today=SCAN_DATE))
    [f] = result.findings
    for text in (f.message, f.evidence, f.remediation, f.fingerprint):
        assert TOKEN not in text and TOKEN[4:] not in text
    assert f"{TOKEN[:4]}…({len(TOKEN)} chars)" in f.message
    [c] = result.apps[0].secret_candidates
    assert TOKEN not in repr(c)


def test_key_before() -> None:
    assert key_before("API_KEY = ") == "API_KEY"
    assert key_before('  "apiKey": ') == "apiKey"
    assert key_before("password: str = ") == "password"
    assert key_before("const apiKey: string = ") == "apiKey"
    assert key_before("private static final String SECRET = ") == "SECRET"
    assert key_before('os.environ.get("DB_PASSWORD", ') == "DB_PASSWORD"
    assert key_before("process.env.API_KEY || ") == "API_KEY"
    assert key_before('headers["Authorization"] = ') == "Authorization"
    assert key_before("self.client_secret = ") == "client_secret"
    assert key_before("print(") is None
    assert key_before("x = f(a, ") is None


def test_python_flows() -> None:
    code = """
import os, json
CACHED = get_secret("x")

def handler(event, context):
    pw = os.environ["DB_PASSWORD"]
    with open("/tmp/pw", "w") as fh:
        fh.write(pw)
    open("/tmp/other", "a").write(CACHED)
    ok = bool(pw)
    table = os.environ["TABLE"]
    return {"body": json.dumps({"ok": ok, "table": table})}

def leak(event, context):
    return {"body": os.getenv("API_TOKEN")}

def helper():
    return get_secret("y")
"""
    flows = python_flows(code)
    assert [(f.line, f.kind, f.key) for f in flows] == [
        (8, "tmp-write", "DB_PASSWORD"),
        (9, "tmp-write", None),
        (15, "response", "API_TOKEN"),
    ]
    assert python_flows("def broken(:\n") == []


def test_python_file_with_a_coding_declaration_is_decoded_and_scanned(tmp_path: Path) -> None:
    # issue 11 (PEP 263): a latin-1 file is read as Python reads it, not skipped as "not UTF-8"
    src = f'# -*- coding: latin-1 -*-\nGREETING = "caf\xe9"\nTOKEN = "{TOKEN}"\n'.encode("latin-1")
    root = _app(tmp_path, {"a/handler.py": "def main(event, context):\n    return None\n", "a/legacy.py": src})
    assert _findings(root) == [("SECRET002", "a/legacy.py", 3, False)]


def test_object_keys_built_in_f_strings_and_templates_are_not_secrets(tmp_path: Path) -> None:
    # issue 11: `Key=f"admin/{NAME}"` was reported as a hard-coded key
    py = (
        "import boto3\ns3 = boto3.client('s3')\nREPORT_NAME = 'm'\n\n\ndef main(event, context):\n"
        '    s3.put_object(Bucket="b", Key=f"admin/{REPORT_NAME}", Body=b"")\n'
        '    s3.put_object(Bucket="b", Key="Admin/Reports/2026/" + REPORT_NAME, Body=b"")\n'
        '    partner_token = f"Xy7Qa9Lm2Np4Rs6TvW3z{REPORT_NAME}"\n'
        "    return partner_token\n"
    )
    js = "exports.h = async (name) => ({ Key: `Admin/Reports/${name}-${Date.now()}.csv` });\n"
    root = _app(tmp_path, {"a/handler.py": py, "a/upload.js": js})
    assert _findings(root, "SECRET002") == [("SECRET002", "a/handler.py", 9, False)]


def test_a_bundled_file_symlinked_out_of_the_root_is_an_error_never_read(tmp_path: Path) -> None:
    # issue 11: links out of the root were skipped silently, so a bundled secret file looked clean
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "prod.env").write_text(f"GITHUB_TOKEN={TOKEN}\n", encoding="utf-8")
    (outside / "conf").mkdir()
    (tmp_path / "app").mkdir()
    root = _app(tmp_path / "app", {"a/handler.py": "def main(event, context):\n    return None\n"})
    (root / "a" / ".env").symlink_to(outside / "prod.env")
    (root / "a" / "conf").symlink_to(outside / "conf", target_is_directory=True)
    result = scan(root, Config(select=("SECRET",), today=SCAN_DATE))
    assert list(result.findings) == []
    assert sorted((e.path, e.stage, e.message.split(":")[0]) for e in result.errors) == [
        ("a/.env", "secrets", "not scanned for secrets"),
        ("a/conf", "secrets", "not scanned for secrets"),
    ]


SAM = (
    'AWSTemplateFormatVersion: "2010-09-09"\nTransform: AWS::Serverless-2016-10-31\nResources:\n'
    "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
    "      CodeUri: src/\n      Handler: app.handler\n      Runtime: python3.12\n"
)
HANDLER = "def handler(event, context):\n    return None\n"
OTHER_TOKEN = fake("ghp_{a:36}", "engine-test-unclaimed")


def _sam_app(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    (tmp_path / "template.yaml").write_text(SAM, encoding="utf-8")
    return _write(tmp_path, files)


def _write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    return root


def test_a_secret_in_a_file_no_function_ships_is_reported_without_a_function(tmp_path: Path) -> None:
    # issue 13: only the files a function's code folder bundles were read; a file-by-file scanner reads them all
    root = _sam_app(
        tmp_path,
        {
            "src/app.py": HANDLER + f'TOKEN = "{TOKEN}"\n',
            "scripts/deploy.py": f'import os\n\n\nGITHUB_TOKEN = "{OTHER_TOKEN}"\n',
            "scripts/deploy.ini": "[deploy]\nregion = eu-west-1\n",
        },
    )
    result = scan(root, Config(select=("SECRET",), today=SCAN_DATE))
    got = sorted((f.rule_id, f.location.path, f.location.line, f.function, f.functions) for f in result.findings)
    assert got == [
        ("SECRET002", "scripts/deploy.py", 4, None, ()),
        ("SECRET002", "src/app.py", 3, "Fn", ("Fn",)),
    ]
    by_path = {f.location.path: f.message for f in result.findings}
    assert by_path["scripts/deploy.py"].startswith("a GitHub personal access token (classic) assigned to GITHUB_TOKEN")
    assert by_path["scripts/deploy.py"].endswith("(in a file no function ships)")
    assert by_path["src/app.py"].startswith("function Fn: ")
    assert "no function ships" not in by_path["src/app.py"]
    assert OTHER_TOKEN not in by_path["scripts/deploy.py"]
    # coverage: a code file no function ships still belongs to no function; a config file read is analysed
    files = {f.path: (f.state, f.by, f.reason) for f in result.coverage.files}
    assert files["scripts/deploy.py"] == ("unattributed", (), "no function claims it")
    assert files["scripts/deploy.ini"] == ("analysed", ("secrets",), None)


def test_unclaimed_files_skip_what_discovery_and_the_engine_skip(tmp_path: Path) -> None:
    line = f'TOKEN = "{OTHER_TOKEN}"\n'
    root = _sam_app(
        tmp_path,
        {
            "src/app.py": HANDLER,
            "tools/node_modules/lib/index.js": line,
            "tools/.next/server.js": line,
            "tools/blob.py": b"\x00\x01" + line.encode(),
            "tools/big.py": line + "x = 1\n" * 200_000,
            "tools/bundle.min.js": line,
            "tools/real.py": line,
        },
    )
    assert _findings(root) == [("SECRET002", "tools/real.py", 1, False)]


def test_a_file_another_app_ships_keeps_its_function_and_is_reported_once(tmp_path: Path) -> None:
    # the SAM app at the root does not ship b/, the serverless app in b/ does: one finding, attributed
    root = _sam_app(tmp_path, {"src/app.py": HANDLER})
    _write(
        root,
        {
            "b/serverless.yml": SLS.replace("a/handler.main", "h.main").replace("b/handler.main", "h.main"),
            "b/h.py": "def main(event, context):\n    return None\n" + f'TOKEN = "{TOKEN}"\n',
        },
    )
    result = scan(root, Config(select=("SECRET002",), today=SCAN_DATE))
    assert sorted((f.location.path, f.location.line, f.functions) for f in result.findings) == [
        ("b/h.py", 3, ("a", "b")),
    ]


def test_an_unclaimed_file_linked_out_of_the_root_is_an_error_never_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "deploy.env").write_text(f"GITHUB_TOKEN={OTHER_TOKEN}\n", encoding="utf-8")
    (tmp_path / "app").mkdir()
    root = _sam_app(tmp_path / "app", {"src/app.py": HANDLER, "scripts/readme.txt": "x\n"})
    (root / "scripts" / ".env").symlink_to(outside / "deploy.env")
    result = scan(root, Config(select=("SECRET",), today=SCAN_DATE))
    assert list(result.findings) == []
    assert sorted((e.path, e.stage, e.message.split(":")[0]) for e in result.errors) == [
        ("scripts/.env", "secrets", "not scanned for secrets"),
    ]
