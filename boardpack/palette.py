"""The status colours, read from `palette.yaml` in the templates folder.

One file that the PDF, HTML, Word, chart, cover and return-workbook renderers all read, so a
secretary restyles the colours without touching code. It is read with the paper loader's
safety (safe YAML, no aliases, a size limit) and checked before anything is rendered: every
status present, colours as hex, words at WCAG AA on their shading, and GREEN, AMBER and RED
apart in lightness, since papers are printed in black and white and a chairman must not see
three statuses as one grey.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import DataError, Problem
from .inputs import PALETTE_FILE as FILE_NAME
from .inputs import SHIPPED_PALETTE as SHIPPED
from .inputs import palette_file
from .load import load_text, read_bounded
from .model import STATUSES


@dataclass(frozen=True)
class Colour:
    """How a status is painted: a fill and a text colour that passes WCAG AA on it (hex, no '#')."""

    fill: str
    ink: str


Palette = Mapping[str, Colour]
"""Status word -> its colours; read from templates/palette.yaml (see `boardpack.palette`)."""


def contrast_ratio(fill: str, ink: str) -> float:
    """WCAG 2 contrast ratio between two hex colours."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(fill), luminance(ink)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


MAX_BYTES = 64 * 1024
"""A palette is a few hundred bytes; anything near this is not a palette."""

MIN_INK = 4.5
"""WCAG 2 AA for normal text: the status words are small."""

MIN_GREY = 1.5
"""The least contrast between two of GREEN, AMBER and RED for them to read apart in grey."""

APART = ("GREEN", "AMBER", "RED")
"""The statuses that must differ in lightness, not only in hue."""

_HEX = re.compile(r"#?([0-9A-Fa-f]{6})")
ALLOWED_HEX = 'six hex digits in quotes, such as "#1C853F" or "1C853F"'


def printed_grey(hex_colour: str) -> str:
    """The grey a black-and-white printer (or `pdftoppm -gray`) makes of a colour, as hex.

    Printers weigh the encoded channels (ITU-R BT.601: 0.299 R + 0.587 G + 0.114 B), which
    darkens reds more than WCAG's luminance does; both measures are checked.
    """
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
    level = round(0.299 * r + 0.587 * g + 0.114 * b)
    return f"{level:02X}" * 3


def grey_contrast(one: str, other: str) -> float:
    """The lower of the WCAG contrast and the printed-grey contrast of two fills."""
    return min(contrast_ratio(one, other), contrast_ratio(printed_grey(one), printed_grey(other)))


def _read(path: Path, label: str) -> str:
    raw = read_bounded(path, label, MAX_BYTES, "the palette")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError([Problem(label, line, 0, "", "the palette is not UTF-8 text; save it as UTF-8")]) from None


def parse(text: str, path: Path, label: str) -> dict[str, Colour]:
    """Check a palette's text; raise DataError with every problem, located, and what is allowed."""
    if not text.strip():
        raise DataError([Problem(label, 1, 1, "", f"the palette is empty; it needs an entry for each status: {', '.join(STATUSES)}")])
    source = load_text(text, path, label)
    data = source.data
    if not isinstance(data, dict):
        raise DataError([source.problem((), f"a palette is a list of statuses, each with `fill:` and `ink:`; allowed statuses: {', '.join(STATUSES)}")])
    problems: list[Problem] = []
    palette: dict[str, Colour] = {}
    for status, entry in data.items():
        if status not in STATUSES:
            problems.append(source.problem((status,), f"'{status}' is not a status; allowed: {', '.join(STATUSES)}", key=True))
            continue
        if not isinstance(entry, dict):
            problems.append(source.problem((status,), "give the status `fill:` and `ink:`, each a colour of " + ALLOWED_HEX))
            continue
        colours: dict[str, str] = {}
        for key, value in entry.items():
            if key not in ("fill", "ink"):
                problems.append(source.problem((status, key), f"'{key}' is not a palette key; allowed: fill (the shading), ink (the words)", key=True))
                continue
            found = _HEX.fullmatch(value.strip()) if isinstance(value, str) else None
            if found is None:
                shown = "nothing" if value is None else repr(value)
                problems.append(source.problem((status, key), f"{shown} is not a colour; write {ALLOWED_HEX} (a # outside quotes starts a comment)"))
                continue
            colours[key] = found.group(1).upper()
        for key in ("fill", "ink"):
            if key not in entry:
                problems.append(source.problem((status,), f"{status} has no `{key}:`; give it a colour of {ALLOWED_HEX}", key=True))
        if len(colours) == 2:
            palette[status] = Colour(colours["fill"], colours["ink"])
            ratio = contrast_ratio(colours["fill"], colours["ink"])
            if ratio < MIN_INK:
                problems.append(source.problem((status, "ink"), f"#{colours['ink']} on #{colours['fill']} has contrast {ratio:.2f}; "
                                               f"words need {MIN_INK} or more (WCAG AA): darken one or lighten the other"))
    missing = [s for s in STATUSES if s not in data]
    if missing:
        problems.append(Problem(label, 1, 1, "", f"no colours for {', '.join(missing)}; every status needs an entry: {', '.join(STATUSES)}"))
    for one, other in itertools.combinations(APART, 2):
        if one in palette and other in palette:
            ratio = grey_contrast(palette[one].fill, palette[other].fill)
            if ratio < MIN_GREY:
                problems.append(source.problem((other, "fill"), f"{one} (#{palette[one].fill}) and {other} (#{palette[other].fill}) print as "
                                               f"nearly the same grey (contrast {ratio:.2f}); GREEN, AMBER and RED need {MIN_GREY} or more "
                                               "between any two, so make them differ in lightness"))
    if problems:
        raise DataError(problems)
    return {s: palette[s] for s in STATUSES}


@lru_cache(maxsize=16)
def _cached(path: Path, label: str, mtime_ns: int, size: int) -> tuple[tuple[str, Colour], ...]:
    """One read per version of a file: keyed by its modification time and size, so an edit is seen."""
    return tuple(parse(_read(path, label), path, label).items())


def load_palette(path: Path, label: str | None = None) -> Palette:
    """Read and check one palette file."""
    label = label or _label(path)
    try:
        info = path.stat()
    except OSError as exc:
        raise DataError([Problem.about(label, f"cannot read the palette: {exc.strerror}")]) from None
    return dict(_cached(path.resolve(), label, info.st_mtime_ns, info.st_size))


def palette_for(templates: Path) -> Palette:
    """The checked palette of a templates folder."""
    return load_palette(palette_file(templates))


def default_palette() -> Palette:
    """The shipped palette, for callers without a templates folder (the importer, tests)."""
    return load_palette(SHIPPED)


def _label(path: Path) -> str:
    """The file as the user would name it: relative to the current folder where possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


__all__ = ["FILE_NAME", "SHIPPED", "default_palette", "grey_contrast", "load_palette", "palette_file", "palette_for", "parse", "printed_grey"]
