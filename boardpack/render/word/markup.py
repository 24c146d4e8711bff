"""Plain text as escaped WordprocessingML for the Word templates: a field, a coloured run, a status fill.

Shared by the paper's Word context, its summary and the cover report, so text typed in the data
reaches Word escaped, one way.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from ...derive import StatusView
from ...formats.wordml.write import HEX_COLOUR
from ...formats.wordml.write import shield as _shield
from ...text import clean_text  # form feeds and vertical tabs become '\v', which the writers turn into line breaks


def plain(text: str | None) -> Markup:
    """A plain field as escaped markup; newlines and vertical tabs become line breaks."""
    if not text:
        return Markup("")
    return Markup(_shield(str(escape(clean_text(text).replace("\v", "\n")))))  # noqa: S704 - escaped here


def run(text: str | None, color: str | None = None) -> Markup:
    """One run for a `{{r ...}}` tag, coloured (status ink) when asked."""
    if not text:
        return Markup("")
    props = f'<w:rPr><w:color w:val="{color.upper()}"/></w:rPr>' if color and HEX_COLOUR.fullmatch(color) else ""
    return Markup(f'<w:r>{props}<w:t xml:space="preserve">{plain(text)}</w:t></w:r>')  # noqa: S704 - text escaped by plain


def fill(status: StatusView | None) -> str:
    return status.fill.upper() if status and HEX_COLOUR.fullmatch(status.fill) else "auto"
