"""What an import made: the paper, its text, and its findings (`Problem`s located by table, row and column)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...derive import count_statuses
from ...errors import Problem
from ...model import Paper


@dataclass
class Imported:
    """What an import made: the paper, its file text, and what the importer was unsure of."""

    label: str
    paper: Paper
    text: str
    findings: list[Problem]
    """Warnings located at a place of the old paper (`table T, row R, column C`), as every stage reports."""
    path: Path | None = None
    skipped: list[str] = field(default_factory=list)
    """Derived parts of the old paper that were left out on purpose (summary sentences, changes)."""

    @property
    def warnings(self) -> list[Problem]:
        return [f for f in self.findings if f.severity == "warning"]

    def summary(self) -> list[str]:
        items = [item for report in self.paper.reports for item in report.items]
        tasks = sum(len(item.tasks) for item in items)
        counts = ", ".join(f"{status or 'no status'} {n}" for status, n in count_statuses(items).items()) or "no items"
        lines = [f"{len(self.paper.reports)} report(s), {len(items)} item(s) ({counts}), {tasks} task(s); layout {self.paper.paper.layout}"]
        for n, report in enumerate(self.paper.reports, start=1):
            report_counts = ", ".join(f"{s or 'no status'} {c}" for s, c in count_statuses(report.items).items()) or "no items"
            lines.append(f"  {n:>2}. {report.title}: {len(report.items)} item(s) ({report_counts})")
        return lines
