"""The faster SAM translation (`_sam_speed`) gives exactly what the translator gives on its own."""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from samtranslator.utils.py27hash_fix import Py27Dict, Py27Keys, Py27UniStr

from fnaudit.loaders import sam
from fnaudit.loaders._files import ScanRoot
from fnaudit.loaders._sam_speed import exact_deepcopy, translator_speedups
from fnaudit.loaders.base import LoadOptions, LoadOutcome
from fnaudit.loaders.discover import discover
from fnaudit.model.app import Dialect

TESTS = Path(__file__).parent.parent
_SUFFIXES = {".yaml", ".yml", ".json", ".template"}


def _sam_folders() -> list[Path]:
    """Every folder under tests/ that holds a file naming a SAM resource type or the SAM transform."""
    folders: set[Path] = set()
    for path in TESTS.rglob("*"):
        if path.suffix in _SUFFIXES and path.is_file() and "expected" not in path.name:
            text = path.read_text(errors="replace")
            if "AWS::Serverless" in text:
                folders.add(path.parent)
    return sorted(folders)


FOLDERS = _sam_folders()


def _load_sam(folder: Path) -> tuple[list[LoadOutcome], list[str]]:
    """The SAM documents of `folder` loaded, and every translator call's result as JSON (key order kept)."""
    root = ScanRoot.of(folder)
    translations: list[str] = []
    run = sam._run_translator

    def recording(rel: str, template: dict[str, Any], options: LoadOptions) -> Any:
        out, errors, culprits = run(rel, template, options)
        translations.append(json.dumps([out, [e.message for e in errors], sorted(culprits)], default=repr))
        return out, errors, culprits

    outcomes = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sam, "_run_translator", recording)
        for doc in sorted(discover(folder, root, ()).docs, key=lambda d: d.rel):
            if doc.dialect is Dialect.SAM:
                outcomes.append(sam.load(doc, root, LoadOptions()))
    return outcomes, translations


def test_every_sam_fixture_folder_is_found() -> None:
    rels = {f.relative_to(TESTS).parts[0] for f in FOLDERS}
    assert {"loaders", "rules", "apps", "parity"} <= rels
    assert len(FOLDERS) > 40


@pytest.mark.parametrize("folder", FOLDERS, ids=[str(f.relative_to(TESTS)) for f in FOLDERS])
def test_fast_translation_builds_the_same_apps(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FNAUDIT_CACHE_DIR", "off")  # every load translates: nothing comes from a cache
    fast, fast_translations = _load_sam(folder)
    monkeypatch.setattr(sam, "translator_speedups", contextlib.nullcontext)  # the translator as it ships
    full, full_translations = _load_sam(folder)
    assert fast_translations == full_translations
    assert [(o.apps, o.errors, o.consumed) for o in fast] == [(o.apps, o.errors, o.consumed) for o in full]


# --- exact_deepcopy against copy.deepcopy -----------------------------------------------------------


def _state(value: Any) -> Any:
    """Everything a copy can differ in: types, Python 2 key order and table, items (recursively)."""
    if isinstance(value, Py27Dict):
        keys = value.keylist
        table = sorted(
            (slot, "<dummy>" if k is Py27Keys.DUMMY else (type(k).__name__, k)) for slot, k in keys.keyorder.items()
        )
        return (
            "Py27Dict",
            keys.mask,
            keys.size,
            keys.fill,
            table,
            list(value),
            [(k, _state(v)) for k, v in dict.items(value)],
        )
    if isinstance(value, dict):
        return ("dict", [(k, _state(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_state(v) for v in value])
    return (type(value).__name__, value)


_KEYS = st.sampled_from(["a", "b", "paths", "get", "/x", "/y", "x-amazon", "responses", "200", "uri", "Fn::Sub", "q"])
_OPS = st.lists(st.tuples(st.booleans(), _KEYS, st.booleans()), max_size=30)


def _py27(ops: list[tuple[bool, str, bool]], nested: Any) -> Py27Dict:
    """A Py27Dict built by inserts and deletes (deleted slots change where keys land in a copy)."""
    out = Py27Dict()
    for insert, key, uni in ops:
        k = Py27UniStr(key) if uni else key
        if insert:
            out[k] = nested
        elif key in out:
            del out[key]
    return out


@settings(max_examples=300, deadline=None)
@given(ops=_OPS, inner=_OPS)
def test_exact_deepcopy_matches_deepcopy_for_py27_dicts(ops: list[tuple[bool, str, bool]], inner: Any) -> None:
    value = _py27(ops, [_py27(inner, "leaf"), {"plain": _py27(inner, 1)}, True, None])
    copied = exact_deepcopy(value)
    assert _state(copied) == _state(copy.deepcopy(value))


def test_a_copy_can_reorder_keys_as_python_2_did() -> None:
    """Keys that collide land elsewhere when re-added in iteration order: the copy must reproduce that."""
    moved = None
    for n in range(2000):
        d = Py27Dict()
        for i in range(5):
            d[f"k{(n * 7 + i * 13) % 97}"] = i
        if list(copy.deepcopy(d)) != list(d):
            moved = d
            break
    assert moved is not None
    assert list(exact_deepcopy(moved)) == list(copy.deepcopy(moved)) != list(moved)


def test_exact_deepcopy_keeps_shared_objects_shared_and_strings_itself() -> None:
    shared = Py27Dict({"Fn::Sub": "arn"})
    shared_list = ["a"]
    value = {"one": shared, "two": shared, "l1": shared_list, "l2": shared_list, "s": Py27UniStr("x"), "t": (1, [2])}
    copied = exact_deepcopy(value)
    assert copied["one"] is copied["two"] is not shared
    assert copied["l1"] is copied["l2"] is not shared_list
    assert copied["s"] is value["s"]
    assert copied["t"] == (1, [2]) and copied["t"][1] is not value["t"][1]
    memo: dict[int, Any] = {}
    first = exact_deepcopy(shared, memo)
    assert exact_deepcopy(shared, memo) is first  # a memo given is used as copy.deepcopy uses it


def test_non_string_keys_are_copied_the_translators_way() -> None:
    value = Py27Dict()
    value[1] = "one"
    value["1"] = "str"
    value[(2, 3)] = "tuple"
    assert _state(exact_deepcopy(value)) == _state(copy.deepcopy(value))


# --- the install -------------------------------------------------------------------------------------


def _installed() -> Iterator[Any]:
    import samtranslator.open_api.open_api as open_api
    import samtranslator.swagger.swagger as swagger
    import samtranslator.translator.translator as translator

    yield swagger._deepcopy
    yield open_api._deepcopy
    yield translator.make_policy_template_for_function_plugin


def test_speedups_are_installed_only_within_the_block() -> None:
    before = list(_installed())
    with translator_speedups():
        inside = list(_installed())
        assert inside[:2] == [exact_deepcopy, exact_deepcopy]
        assert inside[2]() is inside[2]()  # one policy-template plugin for every template
    assert list(_installed()) == before
    with pytest.raises(RuntimeError), translator_speedups():
        raise RuntimeError("translation failed")
    assert list(_installed()) == before


def test_an_unknown_py27_layout_keeps_the_translators_own_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    from fnaudit.loaders import _sam_speed

    monkeypatch.setattr(_sam_speed, "_known_py27", lambda: False)  # as if a release added state to Py27Keys
    before = list(_installed())
    with translator_speedups():
        inside = list(_installed())
    assert inside[:2] == before[:2]
    assert inside[2] is not before[2]  # the policy-template plugin is still shared
