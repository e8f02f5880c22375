"""What every loader takes and gives: a parsed source document in, apps and errors out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fnaudit.errors import ScanError
from fnaudit.loaders._files import ScanRoot
from fnaudit.model.app import App, Dialect


@dataclass(frozen=True, slots=True)
class LoadOptions:
    stage: str | None = None  # serverless --stage (None: the file's provider.stage, else "dev")
    params: Mapping[str, str] = field(default_factory=dict)  # serverless --param k=v; CFN parameter values
    env: Mapping[str, str] = field(default_factory=dict)  # values for ${env:…}
    region: str = "us-east-1"
    nesting: tuple[str, ...] = ()  # templates of the parents a nested application is loaded through
    tf_vars: Mapping[str, str] = field(default_factory=dict)  # Terraform --var K=V
    tf_var_files: tuple[str, ...] = ()  # Terraform --var-file paths (as the user gave them)


@dataclass(frozen=True, slots=True)
class SourceDoc:
    """An IaC file, read and parsed once: `data` is line-aware (see `_yaml.py`)."""

    path: Path  # absolute
    rel: str  # relative to the scan root
    text: str
    data: Any
    dialect: Dialect


@dataclass(slots=True)
class LoadOutcome:
    apps: list[App] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    consumed: set[str] = field(default_factory=set)  # other files read as part of these apps (rel paths)


class Loader:
    """Protocol of a loader module: `load(doc, root, options) -> LoadOutcome`. Never raises for bad input."""

    @staticmethod
    def load(doc: SourceDoc, root: ScanRoot, options: LoadOptions) -> LoadOutcome:  # pragma: no cover
        raise NotImplementedError
