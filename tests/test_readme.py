"""Every Python block of the README runs on its own, as a reader would paste it."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def block_id(i: int) -> str:
    first = BLOCKS[i].strip().splitlines()[0]
    return f"{i}: {first[:40]}"


@pytest.mark.parametrize("i", range(len(BLOCKS)), ids=block_id)
def test_readme_block_runs_on_its_own(i: int, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # a block that writes files writes them here
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a block may show a KinkWarning or numpy's warnings
        exec(compile(BLOCKS[i], f"README.md block {i}", "exec"), {"__name__": f"readme_{i}"})


def test_the_readme_has_python_blocks() -> None:
    assert len(BLOCKS) >= 5
