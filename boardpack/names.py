"""Names that mean something in the data folder, known without loading anything else."""

OWNERS_FILE = "owners.yaml"
"""The owners directory (`owners.py`): in the data folder beside the papers, and not a paper."""


def is_owners_file(name: str) -> bool:
    return name.lower() == OWNERS_FILE
