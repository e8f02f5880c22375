"""The literal defaults of a root module's variables: the Terraform counterpart of a template parameter's
`Default`, read by the secrets engine (SECRET004) the way it reads CloudFormation parameters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fnaudit.errors import InputError
from fnaudit.loaders._files import read_text
from fnaudit.loaders.terraform.expr import Evaluator
from fnaudit.loaders.terraform.hcl import HclError, parse_file
from fnaudit.loaders.terraform.module import tf_files
from fnaudit.loaders.terraform.values import Unknown


@dataclass(frozen=True, slots=True)
class VariableDefault:
    name: str
    value: str
    rel: str  # file relative to the scan root
    line: int  # the `default` line
    sensitive: bool  # `sensitive = true`: Terraform hides it in its output, like NoEcho


class _Literal:
    def reference(self, root: str, steps: list[Any], text: str) -> Any:
        return Unknown(text)

    def read_file(self, path: Any) -> str | None:
        return None


def variable_defaults(root: Path, folder_rel: str) -> list[VariableDefault]:
    folder = root / folder_rel if folder_rel else root
    out: list[VariableDefault] = []
    if not folder.is_dir():
        return out
    for path in tf_files(folder):
        rel = path.relative_to(root).as_posix()
        try:
            blocks = parse_file(rel, read_text(path))
        except (HclError, InputError):
            continue  # the loader reported it
        for block in blocks:
            default = block.attrs.get("default")
            if block.type != "variable" or not block.labels or default is None:
                continue
            value = (
                default.json_value if default.expr is None else Evaluator(_Literal(), default.source).eval(default.expr)
            )
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                sensitive = block.attrs.get("sensitive")
                flag = sensitive is not None and (
                    sensitive.json_value is True
                    or (
                        sensitive.expr is not None
                        and Evaluator(_Literal(), sensitive.source).eval(sensitive.expr) is True
                    )
                )
                out.append(VariableDefault(block.labels[0], str(value), rel, default.line, flag))
    return out
