"""From the rendered account back to the account: every location of a scan result, rewritten.

The scan ran on a private folder (`<region>/template.json`, `<region>/packages/<function>.zip`); the report
must name what a person can find in the console. A template line becomes its resource's ARN and
configuration key (`Loc(arn, 0, key)`); a package and the files in it become the function's ARN
(`arn:aws:lambda:…:function:orders!/app.py`, the zip-member convention of repository artifacts); the
template itself (an app's source, function ids) becomes `aws:<account>:<region>`. The rewrite walks the
result's frozen records generically, so a field added to the model later is relocated too.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Sequence
from enum import Enum
from pathlib import PurePath
from typing import Any

from fnaudit.account.render import RenderedRegion
from fnaudit.errors import ScanError
from fnaudit.model.loc import Loc

# `<region>/template.json`, `<region>/packages/<function>.zip`, `<region>/layers/<layer>-<version>` (+ `/file`)
_SYNTHETIC = re.compile(
    r"[a-z]{2}[a-z0-9-]*-\d/(?:template\.json|packages/[A-Za-z0-9_-]+\.zip|layers/[A-Za-z0-9_-]+-\d+(?=/|$))"
)
_ATOMS = (int, float, bool, type(None), Enum, PurePath, bytes)
_LINE = re.compile(r"^line (\d+): ")  # how loaders place an error in a template


class Relocator:
    def __init__(self, regions: Sequence[RenderedRegion]) -> None:
        self.templates = {r.template: r for r in regions}
        self.names: dict[str, str] = {r.template: r.label for r in regions}
        for r in regions:
            self.names.update(r.packages)
        self._memo: dict[int, Any] = {}

    def text(self, s: str) -> str:
        if "/template.json" not in s and "/packages/" not in s and "/layers/" not in s:
            return s
        return _SYNTHETIC.sub(lambda m: self.names.get(m.group(0), m.group(0)), s)

    def loc(self, loc: Loc) -> Loc:
        region = self.templates.get(loc.path)
        if region is not None:
            where = region.where(loc.line)
            return Loc(where.arn, 0, where.key)
        path = self.text(loc.path)
        return loc if path == loc.path else dataclasses.replace(loc, path=path)

    def error(self, error: ScanError) -> ScanError:
        """A loader's `line N:` in the rendered template becomes the resource and key of that line."""
        region = self.templates.get(error.path)
        m = _LINE.match(error.message) if region is not None else None
        if region is None or m is None:
            return ScanError(self.text(error.path), self.text(error.message), error.stage, error.loss)
        where = region.where(int(m.group(1)))
        rest = self.text(error.message[m.end() :])
        return ScanError(where.arn, f"{where.key}: {rest}" if where.key else rest, error.stage, error.loss)

    def walk(self, obj: Any) -> Any:
        """`obj` with every location and synthetic path rewritten; untouched parts are shared, not copied."""
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, _ATOMS):
            return obj
        if isinstance(obj, Loc):
            return self.loc(obj)
        if isinstance(obj, ScanError):
            return self.error(obj)
        key = id(obj)
        if key in self._memo:
            return self._memo[key][1]
        out = self._rebuilt(obj)
        self._memo[key] = (obj, out)  # the original is kept alive, so its id is not reused while the memo lives
        return out

    def _rebuilt(self, obj: Any) -> Any:
        if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
            items = tuple(self.walk(x) for x in obj)
            return obj if all(a is b for a, b in zip(items, obj, strict=True)) else items
        if type(obj) is list:
            return [self.walk(x) for x in obj]
        if type(obj) in (set, frozenset):
            return type(obj)(self.walk(x) for x in obj)
        if type(obj) is dict:  # plain dicts only: loaders' line-keeping mappings hold template data, not results
            pairs = [(self.walk(k), self.walk(v)) for k, v in obj.items()]
            if all(a is k and b is v for (a, b), (k, v) in zip(pairs, obj.items(), strict=True)):
                return obj
            return dict(pairs)
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            changes = {}
            for f in dataclasses.fields(obj):
                value = getattr(obj, f.name)
                new = self.walk(value)
                if new is not value:
                    changes[f.name] = new
            if not changes:
                return obj
            out = copy.copy(obj)
            for name, value in changes.items():
                object.__setattr__(out, name, value)  # frozen records: a copy is changed before anyone sees it
            return out
        return obj
