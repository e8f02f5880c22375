"""Per-scan state of the engines: the caches one scan fills and no other scan sees (issue 12).

Engines used to keep caches in module globals (the secrets engine's per-file results keyed by
mtime, the dependency engine's folder and IaC caches, the IAM engine's action sets, the code engine's
parse cache and analysers), so two scans in
one process (threads of a server, the fleet, a long-running live-account scan) shared them: a file
rewritten within the clock's resolution kept its old verdict, a folder made between two scans stayed
missing, and a cache cleared by one thread could vanish under another. Now the pipeline makes one
`ScanState` per scan and passes it on `EngineContext.state`; it dies with the scan.

What stays at module level is immutable data loaded once and pure memoisation whose result depends
only on its arguments (the IAM catalogue and managed policies, detector tables, botocore models,
version parsing): the same for every scan, so sharing it is safe.

A copy sent to a forked worker with the context starts empty (`__getstate__`): caches are cheap to
refill, costly or impossible to pickle (lru_cache wrappers), and a worker's fills die with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fnaudit.engines.code import CodeScan
    from fnaudit.engines.iam.blast import Breakdown
    from fnaudit.engines.iam.catalogue import Catalogue
    from fnaudit.engines.iam.evaluate import ActionSets
    from fnaudit.engines.secrets.scanner import Found


@dataclass(frozen=True, slots=True)
class IamTools:
    """The IAM catalogue (immutable, loaded once per process) with this scan's memoised expansions."""

    catalogue: Catalogue
    sets: ActionSets
    breakdown: Breakdown


@dataclass(slots=True)
class ScanState:
    """Caches of one scan, by engine. Keys need no size or mtime: within one scan a file is read once."""

    # secrets: (real path, path from the scan root) → what the file holds (the verdict depends on both)
    secrets: dict[tuple[str, str], tuple[Found, ...]] = field(default_factory=dict)
    # deps: (folder, confining folder) → the folder resolved when it is a directory inside, else None
    dirs: dict[tuple[Path, Path], Path | None] = field(default_factory=dict)
    # deps: IaC file (path from the scan root) → its document as written, None when unreadable
    iac: dict[str, Any] = field(default_factory=dict)
    # deps: IaC file → the layers it builds from a local folder (logical name → folder)
    layers: dict[str, dict[str, str]] = field(default_factory=dict)
    # iam: the catalogue handle and expansions, made on first use in this scan
    iam: IamTools | None = None
    # code: the parsed files and the language analysers (with their summary caches) of this scan
    code: CodeScan | None = None

    def __getstate__(self) -> dict[str, Any]:
        # A worker's copy starts empty (see the module docstring). Not `{}`: a falsy state skips __setstate__.
        return {"empty": True}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.secrets, self.dirs, self.iac, self.layers, self.iam, self.code = {}, {}, {}, {}, None, None
