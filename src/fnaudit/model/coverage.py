"""Coverage: what the scan did with every file under the root, and what each function was credited.

A scan must never drop a file in silence: the report lists every file discovery walked with one state
(analysed by which engines, unattributed, skipped and why, failed with the error), the folders it did
not walk, and per function the code files analysed and the lockfiles credited (or why none).
`assemble` is pure: the pipeline hands it what the engines recorded and a `probe` for the few files
nothing read (is it binary, too large), so it can be tested without a tree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class FileState(StrEnum):
    ANALYSED = "analysed"
    UNATTRIBUTED = "unattributed"  # code, a lockfile or a manifest that no function claims
    SKIPPED = "skipped"
    FAILED = "failed"


class Kind(StrEnum):
    """What an unread file is, as far as attribution goes."""

    CODE = "code"
    LOCKFILE = "lockfile"
    MANIFEST = "manifest"
    OTHER = "other"


# Why a file nothing read was skipped, when the probe says so. Only these are problems worth a line
# in the table; "not a kind fnaudit reads" (README.md, images of a website) is ordinary.
BINARY = "binary file"
TOO_LARGE = "too large to analyse"
NOT_READ = "not a kind of file fnaudit reads"
NOT_SELECTED = "not analysed: no selected rule needs it (see --select)"


@dataclass(frozen=True, slots=True)
class FileCoverage:
    path: str  # relative to the scan root
    state: FileState
    by: tuple[str, ...] = ()  # analysed: which engines (code, deps, iac, secrets), sorted
    kind: Kind | None = None  # unattributed: code, lockfile or manifest
    reason: str | None = None  # skipped: why; failed: the error's message; analysed: a note, if any


@dataclass(frozen=True, slots=True)
class FolderCoverage:
    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class FunctionCoverage:
    function_id: str
    name: str
    code_files: tuple[str, ...]  # the function's module graph the code engine analysed
    lockfiles: tuple[str, ...]  # lockfiles and manifests its packages were credited from
    code_note: str | None = None  # why no code file was analysed
    lockfile_note: str | None = None  # why no lockfile was credited


@dataclass(frozen=True, slots=True)
class Coverage:
    functions: tuple[FunctionCoverage, ...] = ()
    files: tuple[FileCoverage, ...] = ()
    folders: tuple[FolderCoverage, ...] = ()

    def unattributed(self, kind: Kind) -> int:
        return sum(1 for f in self.files if f.state is FileState.UNATTRIBUTED and f.kind is kind)

    @property
    def problems(self) -> tuple[FileCoverage, ...]:
        """Files that failed or were too large to analyse: unlike README.md or an image, worth a look."""
        return tuple(
            f
            for f in self.files
            if f.state is FileState.FAILED or (f.state is FileState.SKIPPED and f.reason == TOO_LARGE)
        )


def assemble(
    walked: Iterable[str],
    analysed: Mapping[str, Iterable[str]],
    skipped: Mapping[str, str],
    failed: Mapping[str, str],
    kind_of: Callable[[str], Kind],
    probe: Callable[[str], str | None],
    functions: Iterable[FunctionCoverage] = (),
    folders: Iterable[FolderCoverage] = (),
) -> Coverage:
    """One state per walked, skipped or analysed file, sorted by path.

    `analysed`: file → engines that read it; `skipped`: file → why discovery left it out (excluded,
    named like a template but none); `failed`: file → the message of an error that cost something;
    `kind_of` classifies a file nothing read; `probe` says BINARY or TOO_LARGE for it, or None.
    A failure wins over analysis (part of the file was lost), analysis over a discovery skip (a
    template-named YAML the secrets engine read was still read; the skip is kept as the note).
    """
    out: list[FileCoverage] = []
    # a file an engine read that the walk did not list (the target was one template) is listed too
    for path in sorted(set(walked) | set(skipped) | set(analysed)):
        by = tuple(sorted(set(analysed.get(path, ()))))
        if path in failed:
            out.append(FileCoverage(path, FileState.FAILED, by, reason=failed[path]))
        elif by:
            out.append(FileCoverage(path, FileState.ANALYSED, by, reason=skipped.get(path)))
        elif path in skipped:
            out.append(FileCoverage(path, FileState.SKIPPED, reason=skipped[path]))
        else:
            problem = probe(path)
            kind = kind_of(path)
            if problem is not None:
                out.append(FileCoverage(path, FileState.SKIPPED, reason=problem))
            elif kind is not Kind.OTHER:
                out.append(FileCoverage(path, FileState.UNATTRIBUTED, kind=kind, reason="no function claims it"))
            else:
                out.append(FileCoverage(path, FileState.SKIPPED, reason=NOT_READ))
    return Coverage(
        functions=tuple(sorted(functions, key=lambda f: f.function_id)),
        files=tuple(out),
        folders=tuple(sorted(folders, key=lambda f: f.path)),
    )
