"""docs/figures.py: the primer's figures, their numbers from the engine, all written by one
command; the committed ones are there."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("figures", ROOT / "docs" / "figures.py")
figures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(figures)

XS = np.linspace(-4, 4, 81)


def test_the_cheat_sheet_derivatives_from_backward_are_the_textbook_ones() -> None:
    curves = figures.activation_curves(XS)
    tanh, sigmoid = np.tanh(XS), 1 / (1 + np.exp(-XS))
    expected = {
        "relu": (XS > 0).astype(float),
        "tanh": 1 - tanh**2,
        "sigmoid": sigmoid * (1 - sigmoid),
        "softmax": sigmoid * (1 - sigmoid),  # first output of softmax([x, 0]) is sigmoid(x)
        "linear": np.ones_like(XS),
    }
    for name, want in expected.items():
        assert np.allclose(curves[name][1], want, atol=1e-12), name


def test_the_cheat_sheet_has_every_activation_the_library_has() -> None:
    from tinygrad_mlp.nn import ACTIVATIONS

    assert list(figures.activation_curves(XS)) == list(ACTIVATIONS)


def test_each_descent_step_moves_against_the_gradient_by_eta() -> None:
    eta = figures.ETAS["good"]
    path = figures.descend(eta, steps=3)
    sx2, sxt = float((figures.X_ONE**2).sum()), float((figures.X_ONE * figures.T_ONE).sum())
    for (w, _), (w_next, _) in zip(path, path[1:]):
        assert w_next == pytest.approx(w - eta * (w * sx2 - sxt))


def test_a_too_large_learning_rate_diverges_and_a_good_one_converges() -> None:
    costs = {words: [c for _, c in figures.descend(eta)] for words, eta in figures.ETAS.items()}
    assert costs["too large"][-1] > costs["too large"][0]
    assert costs["good"][-1] < costs["too small"][-1] < costs["too small"][0]


def test_one_command_writes_every_figure(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "figures.py"), str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    names = {p.name for p in tmp_path.iterdir()}
    assert {"activations.svg", "gradient_descent.svg", "learning_curves.svg"} <= names


@pytest.mark.parametrize(
    "name", ["activations.svg", "gradient_descent.svg", "learning_curves.svg", "explain.png"]
)
def test_the_figures_are_committed(name) -> None:
    assert (ROOT / "docs" / name).stat().st_size > 1000
