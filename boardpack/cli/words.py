"""How the command line words its counts: '3 papers', 'AMBER 2, RED 1'."""

from __future__ import annotations


def counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{status or 'no status'} {n}" for status, n in counts.items()) or "no items"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
