"""Files the JavaScript analyser cannot read become one error each; the rest of the app is still analysed."""

from __future__ import annotations

from pathlib import Path

from tests.code.helpers import code_errors, flows, fn, run, write_app

GOOD = "exports.handler = async (event) => { require('child_process').exec('ls ' + event.body); };\n"
FUNCTIONS = """\
good:
  handler: good.handler
  runtime: nodejs22.x
  events:
    - httpApi: POST /good
broken:
  handler: broken.handler
  runtime: nodejs22.x
  events:
    - httpApi: POST /broken
"""


def _app(tmp_path: Path, broken: str | bytes, name: str = "broken.js") -> Path:
    functions = FUNCTIONS.replace("broken.handler", f"{Path(name).stem}.handler")
    return write_app(tmp_path, functions, {"good.js": GOOD, name: broken})


def test_syntax_error(tmp_path: Path) -> None:
    result = run(_app(tmp_path, "exports.handler = async (event) => {\n  const x = ;\n};\n"))
    (err,) = code_errors(result)
    assert err.path == "broken.js" and "line 2" in err.message and "syntax error" in err.message
    assert fn(result, "broken").code_facts is None
    assert flows(result, "good") == [("command", 1)]


def test_typescript_syntax_error(tmp_path: Path) -> None:
    result = run(_app(tmp_path, "export const handler = async (event: ) => {};\n", "broken.ts"))
    (err,) = code_errors(result)
    assert err.path == "broken.ts" and "TypeScript syntax error" in err.message
    assert flows(result, "good") == [("command", 1)]


def test_huge_minified_file(tmp_path: Path) -> None:
    line = "var a" + "=1,a".join(str(i) for i in range(200_000)) + ";"
    result = run(_app(tmp_path, "exports.handler=function(e){" + line * 2 + "};"))
    (err,) = code_errors(result)
    assert err.path == "broken.js" and "MiB limit" in err.message
    assert flows(result, "good") == [("command", 1)]


def test_latin1_file(tmp_path: Path) -> None:
    result = run(_app(tmp_path, "// caf\xe9\nexports.handler = async () => {};\n".encode("latin-1")))
    (err,) = code_errors(result)
    assert err.path == "broken.js" and "UTF-8" in err.message and "line 1" in err.message
    assert flows(result, "good") == [("command", 1)]


def test_broken_imported_module_is_one_error_and_the_handler_is_still_analysed(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        FUNCTIONS.split("broken:")[0],
        {
            "good.js": "const lib = require('./lib');\n" + GOOD,
            "lib.js": "module.exports = {\n",
        },
    )
    result = run(tmp_path)
    assert [e.path for e in code_errors(result)] == ["lib.js"]
    assert flows(result, "good") == [("command", 2)]
