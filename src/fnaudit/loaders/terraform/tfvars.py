"""Variable values from `terraform.tfvars`, `terraform.tfvars.json` and `*.auto.tfvars(.json)` of the root
module, in Terraform's order (later files win). Values are literals; anything else is ignored."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fnaudit.errors import InputError, ScanError
from fnaudit.loaders._files import ScanRoot, read_text
from fnaudit.loaders.terraform.expr import Evaluator
from fnaudit.loaders.terraform.hcl import HclError, parse_file
from fnaudit.loaders.terraform.values import Unknown

if TYPE_CHECKING:
    from fnaudit.loaders.terraform.module import Loaded


class _NoRefs:
    def reference(self, root: str, steps: list[Any], text: str) -> Any:
        return Unknown(text, "tfvars hold literal values only")

    def read_file(self, path: Any) -> str | None:
        return None


def read_tfvars(
    root: ScanRoot,
    folder: Path,
    loaded: Loaded,
    var_files: tuple[str, ...] = (),
    cli_vars: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Values in Terraform's order of precedence: terraform.tfvars, *.auto.tfvars (by name), then each
    --var-file, then --var (a later source wins)."""
    names = ["terraform.tfvars", "terraform.tfvars.json"]
    autos = sorted(p.name for p in folder.iterdir() if p.name.endswith((".auto.tfvars", ".auto.tfvars.json")))
    out: dict[str, Any] = {}
    paths = [folder / n for n in [*names, *autos]] + [Path(f) for f in var_files]
    for path in paths:
        given = str(path) in var_files
        if not path.is_file():
            if given:
                loaded.errors.append(ScanError(str(path), "--var-file: no such file; its values are not used", "load"))
            continue
        rel = root.rel(path) if root.contains(path.resolve()) else str(path)
        if not given:
            loaded.files.append(rel)
        try:
            text = read_text(path)
            if path.name.endswith(".json"):
                data = json.loads(text)
                if isinstance(data, dict):
                    out.update(data)
                continue
            for attr in _attributes(rel, text):
                out[attr[0]] = attr[1]
        except (InputError, HclError, ValueError) as exc:
            loaded.errors.append(ScanError(rel, f"{exc}; its values are not used", "load"))
    for key, raw in (cli_vars or {}).items():
        out[key] = _cli_value(raw)
    return out


def _cli_value(raw: str) -> Any:
    """`--var k=v`: Terraform reads v as HCL for lists, maps, numbers and booleans, else as a string."""
    try:
        attrs = _attributes("--var", f"v = {raw}\n")
    except HclError:
        return raw
    value = attrs[0][1] if attrs else raw
    return raw if isinstance(value, Unknown) else value


def _attributes(rel: str, text: str) -> list[tuple[str, Any]]:
    from fnaudit.loaders.terraform.hcl import _body_attrs

    source = text.encode("utf-8", "surrogateescape")
    attrs = _body_attrs(rel, source)
    ev = Evaluator(_NoRefs(), source)
    return [(name, ev.eval(a.expr)) for name, a in attrs.items()]


__all__ = ["parse_file", "read_tfvars"]
