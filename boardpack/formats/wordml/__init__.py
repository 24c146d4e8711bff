"""Markdown <-> WordprocessingML: the one mapping between rich-text fields and Word paragraphs.

The Word renderer writes Markdown fields as Word paragraphs (`Words`), and the Word importer
(`boardpack.intake.word`) reads Word paragraphs back as Markdown (`Reader`). Both directions
live in this package and share their vocabulary (`vocabulary`: styles, lead-ins, the rationale
mark), so what boardpack writes it reads back as it was. `write` holds the Word out, `rich` the
structure a cell reads as and its Markdown, `read` the Word in:

| Markdown | WordprocessingML |
| --- | --- |
| paragraph | `w:p` in the field's style |
| `- item` (nested by indent) | `List Bullet` paragraph with the bullet `w:numPr` at the item's level |
| `1. item` | `List Number` paragraph with its own `w:num` (start override) |
| second paragraph of an item | `List Continue` paragraph |
| `**bold**`, `*italic*` | `w:b`, `w:i` |
| `[words]{.underline}` | `w:u` (and the `Lead In` character style for lead-ins) |
| `[text](https://...)` | `w:hyperlink` to an external relationship |
| `text[^1]` + `[^1]: note` | `w:footnoteReference` to a note in footnotes.xml |
| hard line break | `w:br` |

Reading is more forgiving than writing, because hand-made papers are: typed bullets ("•",
"○", "-"), any Word numbering, formatting from character styles, HYPERLINK fields, tracked
insertions and content controls are all understood. Reading never fetches, runs or follows
anything: a link is a string.
"""
