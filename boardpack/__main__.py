"""`python -m boardpack`: the command line, as `generate.py` runs it."""

from .cli import main_entry

main_entry()
