"""Plots: valid, reproducible SVG files with the content asked for, and clear errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from tinygrad_mlp import MLP, data
from tinygrad_mlp.plots import plot_decision_boundary, plot_history

SVG = "{http://www.w3.org/2000/svg}"
HISTORY = {
    "loss": [1.0, 0.5, 0.25],
    "accuracy": [0.5, 0.75, 1.0],
    "val_loss": [1.1, 0.6, 0.4],
    "val_accuracy": [0.5, 0.7, 0.9],
}


def texts(path) -> list[str]:
    return [t.text or "" for t in ET.parse(path).getroot().iter(f"{SVG}text")]


def test_history_plot_is_valid_svg_with_both_panels_and_legends(tmp_path) -> None:
    path = plot_history(HISTORY, tmp_path / "curves.svg", title="moons")
    words = " ".join(texts(path))
    for word in ("loss", "accuracy", "epoch", "training", "validation", "moons"):
        assert word in words


def test_history_plot_without_accuracy_has_one_panel(tmp_path) -> None:
    path = plot_history({"loss": [3.0, 2.0]}, tmp_path / "curves.svg")
    assert "accuracy" not in " ".join(texts(path))


def test_plots_are_reproducible_byte_for_byte(tmp_path) -> None:
    a = plot_history(HISTORY, tmp_path / "a.svg")
    b = plot_history(HISTORY, tmp_path / "b.svg")
    assert open(a, "rb").read() == open(b, "rb").read()


def test_decision_boundary_draws_the_regions_and_every_point(tmp_path) -> None:
    X, y = data.spirals(n=60, seed=0)
    model = MLP(2, [8, 3], seed=0)
    path = plot_decision_boundary(model, X, y, tmp_path / "boundary.svg")
    root = ET.parse(path).getroot()
    assert len(list(root.iter(f"{SVG}image"))) == 1  # the regions, as one raster
    markers = [u for u in root.iter(f"{SVG}use") if "fill" in u.get("style", "")]
    assert len(markers) == 60 + 3  # every point, and one legend marker per class


def test_decision_boundary_legend_names_the_classes(tmp_path) -> None:
    X, y = data.spirals(n=30, seed=0)
    path = plot_decision_boundary(MLP(2, [4, 3], seed=0), X, y, tmp_path / "b.svg")
    words = texts(path)
    assert {"class 0", "class 1", "class 2"} <= set(words)
    assert "test" not in words


def test_decision_boundary_tells_training_from_test_points(tmp_path) -> None:
    X, y = data.moons(n=40, seed=0)
    Xt, yt = data.moons(n=10, seed=1)
    path = plot_decision_boundary(
        MLP(2, [4, 2], seed=0), X, y, tmp_path / "b.svg", X_test=Xt, y_test=yt
    )
    root = ET.parse(path).getroot()
    markers = [u for u in root.iter(f"{SVG}use") if "fill" in u.get("style", "")]
    assert len(markers) == 40 + 10 + 2 + 2  # points, classes' and sets' legend markers
    assert {"training", "test"} <= set(texts(path))


def test_a_loss_within_one_decade_still_has_labelled_ticks(tmp_path) -> None:
    path = plot_history({"loss": [0.52, 0.41, 0.35, 0.33]}, tmp_path / "narrow.svg")
    numbers = [t for t in texts(path) if t.replace(".", "", 1).replace("−", "").isdigit()]
    loss_ticks = [float(t) for t in numbers if "." in t]
    assert len(loss_ticks) >= 3 and min(loss_ticks) < 0.35 < 0.5 < max(loss_ticks)


def test_history_plot_marks_the_final_test_loss(tmp_path) -> None:
    path = plot_history(HISTORY, tmp_path / "c.svg", test={"loss": 0.3, "accuracy": 0.9})
    assert "test (final)" in texts(path)


def test_decision_boundary_needs_two_features(tmp_path) -> None:
    with pytest.raises(ValueError, match=r"2-D points, shape \(n, 2\); got \(4, 3\)"):
        plot_decision_boundary(MLP(3, [2]), np.zeros((4, 3)), np.zeros(4), tmp_path / "b.svg")


def test_history_without_loss_is_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="no 'loss'"):
        plot_history({}, tmp_path / "c.svg")
