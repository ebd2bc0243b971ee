"""`import tinygrad_mlp` imports numpy and the package only: graphviz, matplotlib and tqdm are
imported when first used (drawing a graph, writing a plot, showing a progress bar)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("graphviz", "matplotlib", "tqdm")


def loaded_after(statement: str, watched: tuple[str, ...] = HEAVY) -> list[str]:
    """Which of `watched` a fresh interpreter has in sys.modules after running `statement`."""
    code = f"{statement}; import sys; print(' '.join(m for m in {watched!r} if m in sys.modules))"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_import_tinygrad_mlp_loads_no_graphviz_matplotlib_or_tqdm() -> None:
    assert loaded_after("import tinygrad_mlp") == []


@pytest.mark.parametrize(
    "module",
    ["tinygrad_mlp.data", "tinygrad_mlp.train", "tinygrad_mlp.plots", "tinygrad_mlp.runs",
     "tinygrad_mlp.cli"],
)  # fmt: skip
def test_the_tools_and_faces_load_matplotlib_and_tqdm_only_when_used(module: str) -> None:
    assert loaded_after(f"import {module}", ("matplotlib", "tqdm")) == []


def test_the_watch_sees_a_module_that_is_loaded() -> None:
    # what the tests above rely on: a module that is imported is reported
    assert loaded_after("import tqdm", ("tqdm",)) == ["tqdm"]
