"""Layouts that a writer and its reader share: Word's paragraphs (`wordml`) and the owners' return workbook (`returns_sheet`).

`render/` writes them and `intake/` reads them; neither imports the other.
"""
