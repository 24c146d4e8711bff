#!/usr/bin/env python3
"""Build every committee paper in data/ into build/ (see README.md, or run with --help)."""

from boardpack.cli import main_entry

if __name__ == "__main__":
    main_entry()
