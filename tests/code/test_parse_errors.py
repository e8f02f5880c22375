"""Files the engine cannot analyse are error entries; the other functions are still analysed."""

from __future__ import annotations

from pathlib import Path

from tests.code.helpers import code_errors, flows, run, write_app

GOOD = "import os\n\ndef handler(event, context):\n    os.system('ls ' + event['body'])\n"
YML = """\
good:
  handler: good.handler
  events:
    - httpApi: GET /good
broken:
  handler: broken.handler
  events:
    - httpApi: GET /broken
"""


def _check(tmp_path: Path, broken: str | bytes, expect: str) -> None:
    write_app(tmp_path, YML, {"good.py": GOOD, "broken.py": broken})
    result = run(tmp_path)
    errors = code_errors(result)
    assert len(errors) == 1, errors
    assert errors[0].path == "broken.py"
    assert expect in errors[0].message
    assert flows(result, "good") == [("command", 4)]
    broken_fn = next(f for f in result.functions if f.name == "broken")
    assert broken_fn.code_facts is None
    assert [f.function for f in result.findings] == ["good"]


def test_syntax_error(tmp_path: Path) -> None:
    _check(tmp_path, "def handler(event, context):\n    return (\n", "syntax error")


def test_syntax_error_names_the_line(tmp_path: Path) -> None:
    write_app(tmp_path, YML, {"good.py": GOOD, "broken.py": "x = 1\n\ndef handler(event, context:\n    pass\n"})
    (err,) = code_errors(run(tmp_path))
    assert err.message.startswith("line 3: ")


def test_file_over_two_megabytes(tmp_path: Path) -> None:
    big = "def handler(event, context):\n    pass\n" + "# padding\n" * 220_000
    _check(tmp_path, big, "MiB limit")


def test_latin1_file(tmp_path: Path) -> None:
    _check(tmp_path, "# caf\xe9\ndef handler(event, context):\n    pass\n".encode("latin-1"), "not valid UTF-8")


def test_a_broken_imported_module_is_reported_once(tmp_path: Path) -> None:
    yml = "a:\n  handler: a.handler\n  events:\n    - httpApi: GET /a\nb:\n  handler: b.handler\n  events:\n    - httpApi: GET /b\n"
    files = {
        "a.py": "import util\n\ndef handler(event, context):\n    return util.f()\n",
        "b.py": "import util\nimport os\n\ndef handler(event, context):\n    os.system(event['body'])\n",
        "util.py": "def f(:\n",
    }
    write_app(tmp_path, yml, files)
    result = run(tmp_path)
    assert [e.path for e in code_errors(result)] == ["util.py"]
    assert flows(result, "b") == [("command", 5)]


def test_each_file_is_parsed_once_per_scan(tmp_path: Path, monkeypatch) -> None:
    from fnaudit.engines.code import files
    from fnaudit.engines.code.python import modules

    parsed: list[str] = []

    def counting(f: files.SourceFile):
        parsed.append(f.rel)
        return files.parse_python(f)

    monkeypatch.setattr(modules, "parse_python", counting)
    yml = "".join(f"f{i}:\n  handler: app.h{i}\n  events:\n    - httpApi: GET /{i}\n" for i in range(5))
    code = "from lib import run\n" + "".join(
        f"\ndef h{i}(event, context):\n    return run(event['body'])\n" for i in range(5)
    )
    write_app(tmp_path, yml, {"app.py": code, "lib.py": "import os\n\ndef run(x):\n    os.system(x)\n"})
    result = run(tmp_path)
    assert sorted(parsed) == ["app.py", "lib.py"]
    assert len(result.findings) == 5


# ---- PEP 263: Python files are decoded as the interpreter decodes them (issue 11) ----------------

LATIN1_SQLI = (
    "# -*- coding: latin-1 -*-\n"
    "import sqlite3\n"
    "\n"
    "GREETING = 'caf\xe9'\n"
    "\n"
    "def handler(event, context):\n"
    "    conn = sqlite3.connect('/tmp/db')\n"
    "    conn.execute(\"SELECT * FROM t WHERE name = '\" + event['body'] + \"'\")\n"
)


def test_latin1_coding_declaration_is_decoded_and_analysed(tmp_path: Path) -> None:
    write_app(tmp_path, YML, {"good.py": GOOD, "broken.py": LATIN1_SQLI.encode("latin-1")})
    result = run(tmp_path)
    assert code_errors(result) == []
    assert flows(result, "broken") == [("sql", 8)]
    assert flows(result, "good") == [("command", 4)]


def test_vim_fileencoding_declaration_on_line_two(tmp_path: Path) -> None:
    src = "#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nimport os\nEURO = '\u20ac'\n\ndef handler(event, context):\n    os.system(event['body'])\n"
    write_app(tmp_path, YML, {"good.py": GOOD, "broken.py": src.encode("cp1252")})
    result = run(tmp_path)
    assert code_errors(result) == []
    assert flows(result, "broken") == [("command", 7)]


def test_unknown_codec_is_an_error_naming_it_and_the_rest_is_analysed(tmp_path: Path) -> None:
    src = b"# -*- coding: klingon-8 -*-\ndef handler(event, context):\n    pass\n"
    _check(tmp_path, src, "unknown codec 'klingon-8'")
    (err,) = code_errors(run(tmp_path))
    assert err.message.startswith("line 1: not analysed: ")


def test_bytes_invalid_in_the_declared_encoding_name_line_and_encoding(tmp_path: Path) -> None:
    src = b"# coding: ascii\nimport os\n# caf\xc3\xa9\ndef handler(event, context):\n    pass\n"
    _check(tmp_path, src, "not valid ascii (byte 0xc3)")
    (err,) = code_errors(run(tmp_path))
    assert err.message.startswith("line 3: ")


# ---- reads stay in the function's code folder (issue 11) ---------------------------------------


def test_imported_module_symlinked_out_of_the_root_is_an_error_and_never_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "helpers.py").write_text("import os\n\ndef run(x):\n    os.system(x)\n", encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()
    write_app(
        root,
        YML,
        {
            "good.py": GOOD,
            "broken.py": "import helpers\n\ndef handler(event, context):\n    helpers.run(event['body'])\n",
        },
    )
    (root / "helpers.py").symlink_to(outside / "helpers.py")
    result = run(root)
    (err,) = code_errors(result)
    assert err.path == "helpers.py"
    assert err.message.startswith("not analysed: a symbolic link to outside the function's code folder")
    assert flows(result, "broken") == []  # the link target is never read: no flow into it
    assert flows(result, "good") == [("command", 4)]


def test_js_imported_module_symlinked_out_of_the_root_is_an_error(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "lib.js").write_text("exports.run = (x) => require('child_process').exec(x);\n", encoding="utf-8")
    root = tmp_path / "root"
    (root / "src").mkdir(parents=True)
    (root / "src" / "lib.js").symlink_to(outside / "lib.js")
    yml = "web:\n  handler: src/index.handler\n  runtime: nodejs20.x\n  events:\n    - httpApi: GET /x\n"
    write_app(
        root, yml, {"src/index.js": "const lib = require('./lib');\nexports.handler = async (e) => lib.run(e.body);\n"}
    )
    (err,) = code_errors(run(root))
    assert err.path == "src/lib.js" and "symbolic link to outside" in err.message
