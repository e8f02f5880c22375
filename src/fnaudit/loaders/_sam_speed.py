"""Run aws-sam-translator faster without changing a byte of what it produces.

Profiling the translation of a 50-function template shows costs that are not SAM semantics:

- Every API event opens the API's whole OpenAPI body in an editor, which deep-copies it, and
  writes it back, which deep-copies it again: the body grows with each event, so the copies grow
  quadratically, and they are half of the translation. They cannot be skipped (a copy of a
  `Py27Dict` may reorder its keys as Python 2 did, and the editor's changes must not leak when an
  event fails), so `exact_deepcopy` makes the very same copy with less work per node: a direct
  walk of dicts, lists and `Py27Dict`s, and each Python-2 key table laid out once per layout by
  the translator's own `Py27Keys` code (`_key_table`) instead of key by key on every copy.
  Anything else goes to `copy.deepcopy` with the same memo, so sharing is kept as well.
- Each translation builds the policy-template plugin anew, which reads the bundled policy
  templates and validates them against their JSON schema. That data ships with the translator and
  the plugin keeps no state between templates, so one instance per process serves them all.
- A boto3 session per translation (the translator only reads its region) and the translator's
  version read from the installed packages for the cache key: once per process (`boto_session`,
  `translator_version`).

`translator_speedups()` installs the first two for the duration of a translation and puts the
translator's own functions back afterwards. It holds a lock meanwhile: the replaced names are
module globals of the translator, so two translations in threads must not interleave their
install and restore. `tests/loaders/test_sam_speed.py` checks every SAM template of the test
suite translates to the same output with and without them.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from types import ModuleType
from typing import Any

# The translator's private names replaced while translating: module → attribute → replacement.
# If a translator release renames one, it is left as it is (the speed-up is lost, nothing else).
_EDITOR_MODULES = ("samtranslator.swagger.swagger", "samtranslator.open_api.open_api")
_TRANSLATOR_MODULE = "samtranslator.translator.translator"
_PLUGIN_FACTORY = "make_policy_template_for_function_plugin"

_PY27_KEYS_ATTRIBUTES = frozenset({"debug", "keyorder", "size", "fill", "mask"})  # what `copy_keys` sets
_LOCK = threading.RLock()  # re-entrant: a translation inside one (none today) must not deadlock
_MISSING = object()


def exact_deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """`copy.deepcopy(value, memo)`, walking dicts, lists and the translator's `Py27Dict`s directly."""
    from samtranslator.utils.py27hash_fix import Py27Dict, Py27Keys

    memo = {} if memo is None else memo
    atomic, strings = _atomic_types(), _string_types()
    new_dict, new_keys, set_item = Py27Dict.__new__, Py27Keys.__new__, dict.__setitem__

    def copy_keys(keys: Any) -> Any:
        """`Py27Keys.__deepcopy__`: the keys added one by one, in their Python 2 order, to a new table.

        Where string keys land depends only on their values and slots in the source table, so the
        table the translator's own code builds from a layout is remembered (`_key_table`) and laid
        out again. Tables with deleted slots, or keys that are not strings, are copied its way."""
        table = keys.keyorder
        if table and (keys.fill != keys.size or not strings.issuperset(map(type, table.values()))):
            return copy.deepcopy(keys, memo)
        mask, size, fill, slots = _key_table(tuple(table.items()))
        out = new_keys(Py27Keys)
        # the attributes `Py27Keys.__init__` sets; the keys are the source's own objects, as
        # `copy.deepcopy` returns a string itself (empty and one-key tables, the most common, built directly)
        out.debug = False
        if size <= 1:
            out.keyorder = {slots[0]: next(iter(table.values()))} if size else {}
        else:
            out.keyorder = dict(zip(slots, table.values(), strict=False))
        out.size, out.fill, out.mask = size, fill, mask
        return out

    # Source objects all stay alive in `value` while it is copied, so no id in the memo can be
    # reused by another object: `copy.deepcopy`'s keep-alive list is not needed for these types.
    def walk(x: Any) -> Any:
        cls = type(x)
        if cls in atomic:
            return x
        found = memo.get(id(x), _MISSING)
        if found is not _MISSING:
            return found
        if cls is Py27Dict:
            # as `Py27Dict.__deepcopy__`: attributes (the key order) first, then the items, set
            # through `dict` so that the copied key order is not touched; registered afterwards
            out = new_dict(Py27Dict)
            attrs = x.__dict__
            keys = attrs.get("keylist")
            if len(attrs) == 1 and type(keys) is Py27Keys and id(keys) not in memo:
                out.keylist = memo[id(keys)] = copy_keys(keys)  # the usual case, without the detour
            else:
                for name, attr in attrs.items():
                    setattr(out, name, walk(attr))
            for k, v in dict.items(x):
                set_item(out, k if type(k) in atomic else walk(k), v if type(v) in atomic else walk(v))
        elif cls is Py27Keys:
            out = copy_keys(x)
        elif cls is dict:
            out = {}
            memo[id(x)] = out  # as `copy._deepcopy_dict`: registered before the items are copied
            for k, v in x.items():
                out[walk(k)] = walk(v)
            return out
        elif cls is list:
            out = []
            memo[id(x)] = out
            out.extend([walk(v) for v in x])
            return out
        else:
            return copy.deepcopy(x, memo)
        memo[id(x)] = out
        return out

    return walk(value)


@lru_cache(maxsize=4096)
def _key_table(layout: tuple[tuple[int, str], ...]) -> tuple[int, int, int, tuple[int, ...]]:
    """Mask, size, fill and the new slot of each (slot, key) of `layout` in the table
    `Py27Keys.__deepcopy__` builds from a table laid out so (no deleted slots, string keys).

    A string key's Python 2 hash depends on its value alone (`Py27UniStr` or `str`), so equal
    layouts give equal tables."""
    from samtranslator.utils.py27hash_fix import Py27Keys

    source = Py27Keys()
    source.keyorder = dict(layout)
    source.size = source.fill = len(layout)
    copied = copy.deepcopy(source)  # the translator's own copy
    slot_of = {key: slot for slot, key in copied.keyorder.items()}
    return copied.mask, copied.size, copied.fill, tuple(slot_of[key] for _, key in layout)


@lru_cache(maxsize=1)
def translator_version() -> str:
    """aws-sam-translator's version (part of the translation cache key); reading it scans the installed packages."""
    from importlib.metadata import version

    return version("aws-sam-translator")


@lru_cache(maxsize=8)
def boto_session(region: str) -> Any:
    """The boto3 session the translator is given, one per region (it only reads `region_name`).

    Building a session loads botocore's data files: a tenth of a template's translation time.
    The keys are dummies: the translator must never reach AWS with the machine's credentials."""
    import boto3

    return boto3.Session(region_name=region, aws_access_key_id="x", aws_secret_access_key="y")


@lru_cache(maxsize=1)
def _atomic_types() -> frozenset[type]:
    """Types whose deep copy is the object itself (the translator's Py27 ones say so in their `__deepcopy__`)."""
    from samtranslator.utils.py27hash_fix import Py27LongInt, Py27UniStr

    return frozenset({str, int, float, bool, type(None), Py27UniStr, Py27LongInt})


@lru_cache(maxsize=1)
def _string_types() -> frozenset[type]:
    """Key types whose Python 2 hash the translator computes from the value alone."""
    from samtranslator.utils.py27hash_fix import Py27UniStr

    return frozenset({str, Py27UniStr})


@lru_cache(maxsize=1)
def _known_py27() -> bool:
    """Whether the translator's `Py27Dict` and `Py27Keys` hold the attributes `exact_deepcopy` rebuilds.

    A translator release that adds state to them would not be copied whole: the editors then keep
    `copy.deepcopy`."""
    from samtranslator.utils.py27hash_fix import Py27Dict, Py27Keys

    return set(vars(Py27Dict())) == {"keylist"} and set(vars(Py27Keys())) == _PY27_KEYS_ATTRIBUTES


@lru_cache(maxsize=1)
def _policy_template_plugin() -> Any:
    """The translator's policy-template plugin, built (and its bundled templates validated) once."""
    import importlib

    return getattr(importlib.import_module(_TRANSLATOR_MODULE), _PLUGIN_FACTORY)()


@contextmanager
def translator_speedups() -> Iterator[None]:
    """Within the block, the translator uses `exact_deepcopy` and a shared policy-template plugin."""
    import importlib

    with _LOCK:
        plugin = _policy_template_plugin()  # under the lock: built by the translator's own factory

        def shared_plugin() -> Any:
            return plugin

        replacements: list[tuple[ModuleType, str, object]] = [
            *((importlib.import_module(m), "_deepcopy", exact_deepcopy) for m in _EDITOR_MODULES if _known_py27()),
            (importlib.import_module(_TRANSLATOR_MODULE), _PLUGIN_FACTORY, shared_plugin),
        ]
        saved = [(module, name, getattr(module, name, _MISSING)) for module, name, _ in replacements]
        try:
            for (module, name, new), (_, _, old) in zip(replacements, saved, strict=True):
                if old is not _MISSING:
                    setattr(module, name, new)
            yield
        finally:
            for module, name, old in saved:
                if old is not _MISSING:
                    setattr(module, name, old)
