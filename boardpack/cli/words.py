"""How the command line words its status counts: 'AMBER 2, RED 1' (a count in words is `text.plural`)."""

from __future__ import annotations


def counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{status or 'no status'} {n}" for status, n in counts.items()) or "no items"
