"""The helpers the Python and JavaScript fact extractors (auth checks, weaknesses, web routes) share.

They were folded from copies in each extractor; these pin the behaviour the copies had."""

from __future__ import annotations

import ast
from pathlib import Path

from fnaudit.engines.code.files import FileCache
from fnaudit.engines.code.javascript.modules import JsModule, JsModuleGraph
from fnaudit.engines.code.javascript.syntax import (
    call_args,
    callee_name,
    function_spans,
    local_requires,
    object_props,
    qualified,
    walk,
)
from fnaudit.engines.code.python.modules import ModuleGraph
from fnaudit.engines.code.python.syntax import callee_name as py_callee_name
from fnaudit.engines.code.python.syntax import def_spans
from fnaudit.engines.code.reach import keep_reached
from fnaudit.loaders.archives import Artifacts
from fnaudit.model.code import Weakness
from fnaudit.model.loc import Loc
from fnaudit.rules.dos.timeouts import whole_number


def _js(tmp_path: Path, source: str) -> JsModule:
    (tmp_path / "h.js").write_text(source, encoding="utf-8")
    with Artifacts(tmp_path) as artifacts:
        mod = JsModuleGraph(FileCache(tmp_path, artifacts)).load(tmp_path / "h.js")
    assert mod is not None
    return mod


def _weak(line: int) -> Weakness:
    return Weakness("jwt", Loc("h.js", line), f"at {line}", "high", ())


def test_keep_reached_keeps_module_level_and_reached_facts_and_a_callback_inside_a_reached_function() -> None:
    spans = [(1, 10, "outer"), (3, 5, "callback"), (12, 15, "other")]
    facts = {_weak(line) for line in (4, 8, 11, 13)}
    kept = keep_reached(facts, spans, {"outer"})
    # 4: in the unreached callback but also in the reached outer function; 11: outside every function
    assert sorted(f.loc.line for f in kept) == [4, 8, 11]
    assert sorted(f.loc.line for f in keep_reached(facts, spans, set())) == [11]


def test_python_def_spans_are_top_level_functions_and_methods_keyed_by_id(tmp_path: Path) -> None:
    source = "def a():\n    def inner():\n        pass\n\nclass C:\n    def m(self):\n        return f(x.g())\n"
    (tmp_path / "h.py").write_text(source, encoding="utf-8")
    with Artifacts(tmp_path) as artifacts:
        mod = ModuleGraph(FileCache(tmp_path, artifacts)).load(tmp_path / "h.py", tmp_path)
    assert mod is not None
    a, cls = mod.tree.body
    assert isinstance(cls, ast.ClassDef)
    assert def_spans(mod) == [(1, 3, id(a)), (6, 7, id(cls.body[0]))]
    calls = [n for n in ast.walk(mod.tree) if isinstance(n, ast.Call)]
    assert [py_callee_name(c) for c in calls] == ["f", "g"]


def test_js_requires_inside_functions_and_renamed_destructuring_only_when_asked(tmp_path: Path) -> None:
    mod = _js(
        tmp_path,
        "import jose from 'jose';\n"
        "function h() {\n  const jwt = require('jsonwebtoken');\n"
        "  const { createHmac, timingSafeEqual: tse } = require('crypto');\n}\n",
    )
    assert local_requires(mod) == {
        "jose": ("module", "jose"),
        "jwt": ("module", "jsonwebtoken"),
        "createHmac": ("symbol", "crypto", "createHmac"),
        "tse": ("symbol", "crypto", "timingSafeEqual"),
    }
    assert "tse" not in local_requires(mod, renamed=False)  # the auth-check extractor's reading, kept as it was


def test_js_qualified_names_calls_by_import_and_the_global_crypto(tmp_path: Path) -> None:
    mod = _js(
        tmp_path, "const jwt = require('jsonwebtoken');\njwt.decode(t);\ncrypto.createHmac('sha256', k);\nfoo.bar(1);\n"
    )
    calls = [n for n in walk(mod.root) if n.type == "call_expression"]
    imports = local_requires(mod)
    got = [(qualified(imports, c.child_by_field_name("function")), callee_name(c)) for c in calls]
    assert got == [("", "require"), ("jsonwebtoken.decode", "decode"), ("crypto.createHmac", "createHmac"), ("", "bar")]
    assert [len(call_args(c)) for c in calls] == [1, 1, 2, 1]


def test_js_object_props_and_function_spans(tmp_path: Path) -> None:
    mod = _js(tmp_path, "const o = { 'a-b': 1, c, m() {} };\nfunction f() {\n  return 1;\n}\nclass K {}\n")
    obj = next(n for n in walk(mod.root) if n.type == "object")
    assert {k: v.type for k, v in object_props(obj).items()} == {
        "a-b": "number",
        "c": "shorthand_property_identifier",
        "m": "method_definition",
    }
    assert object_props(obj.parent) == {}  # not an object literal
    assert [(lo, hi, key[0]) for lo, hi, key in function_spans(mod)] == [(2, 4, "h.js"), (5, 5, "h.js")]


def test_whole_number_reads_settings_as_the_dos_rules_did() -> None:
    assert [whole_number(v) for v in (30, 30.9, "30", " 7 ", True, "3s", None, -1)] == [
        30,
        30,
        30,
        7,
        None,
        None,
        None,
        -1,
    ]
