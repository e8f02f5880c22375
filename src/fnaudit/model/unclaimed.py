"""Code no function claims: entry points found in files that no function of any app ships.

A script folder, a legacy handler, code deployed from an S3 artifact but kept in the repository: a
file-by-file scanner reads them, so fnaudit analyses their entry points too (engines/code/unclaimed.py).
They are kept apart from `App.functions` on purpose: an entry has no role, trigger or deployment
settings, so the IAM, DOS and AUTH rules must never see it; only the CODE rules read its facts and
report them with no function and `attribution: "unclaimed"`.
"""

from __future__ import annotations

from dataclasses import dataclass

from fnaudit.model.code import CodeFacts
from fnaudit.model.loc import Loc

UNCLAIMED = "unclaimed"  # `Hit.attribution` / `Finding.attribution` of a finding about code no function ships
COVERAGE_NOTE = "no function claims it"  # coverage: the note of an unclaimed code file analysed from its entries


@dataclass(frozen=True, slots=True)
class UnclaimedEntry:
    """One entry point of an unclaimed file, analysed with the whole event as the untrusted source."""

    file: str  # relative to the scan root
    symbol: str  # the handler function / export, or the web app variable (`app`)
    language: str  # python | node
    loc: Loc  # where the entry is defined
    kind: str  # handler | web-app | chalice-app
    code_facts: CodeFacts
