"""Rich-text parsing: plain paragraphs are tokenised directly, exactly as markdown-it would.

A field with no Markdown in it skips the parser (`markdown.plain_paragraphs`); every output
reads those tokens, so they must equal the parser's, attribute for attribute.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from boardpack import markdown

ROOT = Path(__file__).resolve().parent.parent


def _by_parser(text: str) -> tuple[list[Any], dict[str, Any]]:
    env: dict[str, Any] = {}
    tokens = markdown.parser().parse(markdown.clean_text(text), env)
    markdown.sanitise(tokens)
    return tokens, env


# Letters and the punctuation of ordinary prose, the spaces and breaks that make paragraphs,
# and the unusual whitespace whose trimming differs between Python and CommonMark.
PROSE = st.lists(st.sampled_from(list("ab Z09.,;:'\"()?%$@/-=+\n") + ["\n\n", "  ", "    ", "\u00a0", "\u2003", "\v", "\u2028",
                                                                       "\u200b", "\u3000", "\x85", "é", "1."]),
                 max_size=40).map("".join)
PLAIN = st.lists(st.sampled_from(["word", "a", " ", "\n", "\n\n", " \n", ".", "\u00a0", "\u2003", "\v", "\u2028", "\u3000",
                                  "\x85", "\u200b"]), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(PROSE)
def test_prose_is_tokenised_as_markdown_it_tokenises_it(text: str) -> None:
    assert markdown.parse(text) == _by_parser(text)[0]


@settings(max_examples=300, deadline=None)
@given(PLAIN)
def test_plain_paragraphs_are_the_tokens_markdown_it_gives(text: str) -> None:
    source = markdown.clean_text(text)
    direct = markdown.plain_paragraphs(source)
    if direct is not None:
        assert direct == _by_parser(text)[0]


def test_prose_without_markup_takes_the_direct_path() -> None:
    text = "The force has agreed a plan.\nIt reports in March.\n\n  A second paragraph, 50% done; see p. 4 (draft)."
    direct = markdown.plain_paragraphs(text)
    assert direct is not None
    assert [t.type for t in direct] == ["paragraph_open", "inline", "paragraph_close"] * 2
    assert direct == _by_parser(text)[0]


def test_markup_goes_to_the_parser() -> None:
    for text in ("some **bold**", "- a bullet", "1. first", "a [link](https://example.org)", "text[^1]\n\n[^1]: note",
                 "line one  \nline two", "    code", "Heading\n===", "a &amp; b", "a\tb", "> quoted"):
        assert markdown.plain_paragraphs(text) is None, text


def _fields(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if isinstance(v, str) and k in ("text", "comment", "rationale", "summary", "position",
                                                                           "notes", "update")] + [
            f for k, v in node.items() if not isinstance(v, str) for f in _fields(v)]
    if isinstance(node, list):
        return [f for v in node for f in _fields(v)]
    return []


def test_every_field_of_the_reference_papers_parses_as_markdown_it_parses_it() -> None:
    fields = [f for path in sorted((ROOT / "data").glob("*.yaml")) for f in _fields(yaml.safe_load(path.read_text(encoding="utf-8")))]
    assert len(fields) > 100
    direct = 0
    for text in fields:
        assert markdown.parse(text) == _by_parser(text)[0], text[:80]
        direct += markdown.plain_paragraphs(markdown.clean_text(text)) is not None
    assert direct > len(fields) // 3  # the direct path is the common one


def test_parsed_tokens_are_shared_and_left_unchanged_by_the_html_renderer() -> None:
    text = "A word" + "x" * 200 + " and a line\vbreak."
    before = [t.as_dict() for t in markdown.parse(text)]
    html = markdown.to_html(text)
    assert "<br" in html and "\u200b" in html  # the renderer broke the long word and the line
    assert [t.as_dict() for t in markdown.parse(text)] == before
