"""What a build can be asked for: the formats it makes and the templates it reads."""

from __future__ import annotations

from pathlib import Path

FORMATS = ("pdf", "docx", "html", "xlsx", "csv")
"""Every output format a build can make, in the order it makes them."""

ROOT = Path(__file__).resolve().parent.parent.parent
"""The project folder: the package's parent."""

DEFAULT_TEMPLATES = ROOT / "templates"
"""The templates folder shipped with boardpack."""
