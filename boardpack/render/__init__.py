"""Renderers: one per output format, each reading the same derived `PaperView`."""
