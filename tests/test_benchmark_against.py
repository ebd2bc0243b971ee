"""`python -m benchmarks --against REV` imports another revision's engine beside this one.
No test here times anything."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

import tinygrad_mlp
from benchmarks import against, per_op


def _has_git_history() -> bool:
    try:
        subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=against.ROOT, check=True, capture_output=True
        )
    except (OSError, subprocess.CalledProcessError):
        return False
    return True


@pytest.mark.skipif(not _has_git_history(), reason="needs git and this repository's history")
def test_another_revision_is_imported_as_its_own_package_and_runs_the_same_chain(
    tmp_path,
) -> None:
    other = against.load_revision("HEAD", tmp_path)
    assert other.__name__.startswith("tinygrad_mlp_at_")
    assert other.Value is not tinygrad_mlp.Value
    x = np.linspace(-1.0, 1.0, per_op.WIDTH)
    theirs = per_op.engine_chain(x, length=30, value_class=other.Value)
    ours = per_op.engine_chain(x, length=30)
    assert type(theirs) is other.Value
    np.testing.assert_array_equal(theirs.grad, ours.grad)


def test_alternate_rounds_run_the_cases_in_reverse_order() -> None:
    from benchmarks.timing import interleaved

    calls: list[str] = []
    cases = {name: (lambda name=name: calls.append(name)) for name in "abc"}
    interleaved(cases, repeats=3, warmup=0, alternate=True)
    assert calls == list("abccbaabc")
    calls.clear()
    interleaved(cases, repeats=2, warmup=0)
    assert calls == list("abcabc")
