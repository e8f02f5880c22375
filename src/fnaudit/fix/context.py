"""What a fixer may read: the scan's result and the files' text. No I/O besides reading the scanned files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fnaudit.findings import Finding
from fnaudit.fix.sources import Sources
from fnaudit.model.app import App, Function
from fnaudit.pipeline import ScanResult


@dataclass(frozen=True, slots=True)
class FixContext:
    result: ScanResult
    sources: Sources
    today: dt.date

    def function(self, finding: Finding) -> Function | None:
        if finding.function_id is None:
            return None
        return next((f for a in self.result.apps for f in a.functions if f.id == finding.function_id), None)

    def app(self, finding: Finding) -> App | None:
        """The app of the finding's function, else the app whose IaC file the finding points at."""
        for app in self.result.apps:
            if finding.function_id and any(f.id == finding.function_id for f in app.functions):
                return app
        return next((a for a in self.result.apps if a.source == finding.location.path), None)

    def findings(self, rule_id: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.result.active_findings if f.rule_id == rule_id)
