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
    code = "from lib import run\n" + "".join(f"\ndef h{i}(event, context):\n    return run(event['body'])\n" for i in range(5))
    write_app(tmp_path, yml, {"app.py": code, "lib.py": "import os\n\ndef run(x):\n    os.system(x)\n"})
    result = run(tmp_path)
    assert sorted(parsed) == ["app.py", "lib.py"]
    assert len(result.findings) == 5
