"""What a fix is: line edits to the user's files, tied to the finding they resolve."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace lines `start` … `end - 1` of `path` (1-based; `start == end` inserts before line `start`) with
    `lines` (each without its line ending: the file's own ending is used). `path` is relative to the scan root."""

    path: str
    start: int
    end: int
    lines: tuple[str, ...]

    def overlaps(self, other: Edit) -> bool:
        """Two edits that cannot both apply. Insertions at one place can (they go in in plan order)."""
        if self.path != other.path:
            return False
        inserts, other_inserts = self.start == self.end, other.start == other.end
        if inserts and other_inserts:
            return False
        if inserts:
            return other.start < self.start < other.end
        if other_inserts:
            return self.start < other.start < self.end
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Fix:
    """A change that resolves one finding (and maybe others the same edits resolve)."""

    rule_id: str
    fingerprint: str  # of the finding it resolves
    function: str | None
    summary: str  # one line: what changes ("runtime python3.8 → python3.13")
    edits: tuple[Edit, ...]
    notes: tuple[str, ...] = ()  # what a reviewer should check or test
    commands: tuple[str, ...] = ()  # what to run by hand (store a secret, refresh a lockfile); never holds a secret
    resolves: tuple[str, ...] = ()  # fingerprints of other findings the same edits resolve
    # True when the finding goes only once `commands` have run (a lockfile only its package manager can
    # refresh): the second scan of --write then checks only that nothing new appeared, and the exit code
    # still counts the finding.
    pending: bool = False
    # Secret values the edits remove or touch: held in memory only, masked wherever a diff is shown (`patch`).
    masked: tuple[str, ...] = field(default=(), repr=False)

    @property
    def fingerprints(self) -> tuple[str, ...]:
        return (self.fingerprint, *self.resolves)


@dataclass(frozen=True, slots=True)
class NoFix:
    """A finding fnaudit could fix in general but not here, and why (a person acts on the reason)."""

    rule_id: str
    fingerprint: str
    function: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Plan:
    fixes: tuple[Fix, ...] = ()
    unfixed: tuple[NoFix, ...] = ()

    @property
    def fixed_fingerprints(self) -> frozenset[str]:
        """The findings the patch itself resolves (not those that wait for a command to run)."""
        return frozenset(fp for f in self.fixes if not f.pending for fp in f.fingerprints)
