"""The two YAML readers: libyaml for speed, PyYAML as the reference for every position and message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from boardpack import load

from .conftest import DATA, FIXTURES, ROOT, minimal

PAPERS = sorted([*DATA.glob("*.yaml"), *FIXTURES.rglob("*.yaml"), ROOT / "templates" / "palette.yaml"])

pytestmark = pytest.mark.skipif(load.FastLoader is None, reason="PyYAML without libyaml reads every file the reference way")


def _read(text: str, loader: type) -> load.Source | str:
    try:
        return load.load_with(text, Path("paper.yaml"), "paper.yaml", True, loader)
    except (load.DataError, yaml.YAMLError) as exc:
        return type(exc).__name__


@pytest.mark.parametrize("path", PAPERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_libyaml_reads_every_file_it_accepts_as_pyyaml_does(path: Path) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    fast, reference = _read(text, load.FastLoader), _read(text, load.ReferenceLoader)  # type: ignore[arg-type]
    if isinstance(fast, str):
        return  # refused: load_text then reads it the reference way
    assert not isinstance(reference, str)
    assert (fast.data, fast.value_marks, fast.key_marks, fast.problems) == (
        reference.data, reference.value_marks, reference.key_marks, reference.problems)


def test_a_mistake_is_told_by_the_reference_reader(tmp_path: Path) -> None:
    text = yaml.safe_dump(minimal(), sort_keys=False).replace("  title: HMICFRS", "  title: HMICFRS: a colon", 1)
    with pytest.raises(load.DataError) as raised:
        load.load_text(text, tmp_path / "p.yaml", "p.yaml")
    assert str(raised.value).startswith("p.yaml:2:17: unexpected ':' in a value")


@pytest.mark.parametrize("odd", ["\t", "\r\n", "\u2028", "\ufeff", "\U0001F600"])
def test_text_libyaml_might_read_differently_goes_to_pyyaml(odd: str) -> None:
    assert load.UNUSUAL.search(f"paper:\n  title: a{odd}b\n")
    assert not load.UNUSUAL.search("paper:\n  title: Café – £5 ‘quoted’\n")
