#!/usr/bin/env python3
"""Build every committee paper in data/ into build/ (see README.md, or run with --help)."""

import sys

from boardpack.cli import main

if __name__ == "__main__":
    sys.exit(main())
