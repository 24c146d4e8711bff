"""How the command line words its counts: '3 papers', 'AMBER 2, RED 1'."""

from __future__ import annotations

from ..text import plural as plural  # the one wording of a count, shared with the papers


def counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{status or 'no status'} {n}" for status, n in counts.items()) or "no items"
