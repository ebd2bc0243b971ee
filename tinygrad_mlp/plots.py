"""Plots of a training run, written as SVG with matplotlib: learning curves and decision regions.

Figures are drawn on `matplotlib.figure.Figure` objects directly (no pyplot, no global backend
switch), so these functions work on a headless machine and do not disturb an interactive
session. The SVG is reproducible: same inputs, same bytes.

matplotlib is imported when a plot is first drawn, so `import tinygrad_mlp` does not load it.

>>> import os, tempfile
>>> from tinygrad_mlp import MLP, data
>>> X, y = data.moons(n=200, seed=0)
>>> model = MLP(2, [16, 16, 2], seed=0)
>>> history = model.fit(X, y, epochs=20, progress=False)
>>> folder = tempfile.TemporaryDirectory()
>>> path = plot_history(history, os.path.join(folder.name, "curves.svg"))
>>> path = plot_decision_boundary(model, X, y, os.path.join(folder.name, "boundary.svg"))
>>> sorted(os.listdir(folder.name))
['boundary.svg', 'curves.svg']
>>> folder.cleanup()
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .labels import zero_one
from .losses import classify
from .nn import Module

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_history", "plot_decision_boundary"]

# Small, readable SVG: text kept as text, fixed ids, no timestamp.
# Any: matplotlib's stubs type rc keys as a Literal of every setting's name
_SVG_STYLE: Any = {"svg.fonttype": "none", "svg.hashsalt": "tinygrad_mlp", "font.size": 9}
_CLASS_COLORS = [
    "#4c72b0",
    "#dd8452",
    "#55a868",
    "#c44e52",
    "#8172b3",
    "#937860",
    "#da8bc3",
    "#8c8c8c",
    "#ccb974",
    "#64b5cd",
]


def _write(fig: Figure, path: str | os.PathLike[str]) -> str:
    import matplotlib

    path = os.fspath(path)
    with matplotlib.rc_context(_SVG_STYLE):
        fig.savefig(path, format="svg", metadata={"Date": None})
    return path


def plot_history(
    history: Mapping[str, Sequence[float]],
    path: str | os.PathLike[str],
    title: str | None = None,
    test: Mapping[str, float] | None = None,
) -> str:
    """Loss (left) and, when recorded, accuracy (right) per epoch, training and validation.

    `history` is what `fit` returns (or any dict with "loss" and optionally "accuracy",
    "val_loss", "val_accuracy"). `test`, the final test figures ({"loss": ..., "accuracy":
    ...}), is marked at the last epoch. A loss that spans less than a decade is drawn on a
    linear axis (a log axis would have no labelled tick). Returns the path written.
    """
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FormatStrFormatter, NullFormatter

    if not history.get("loss"):
        raise ValueError("plot_history: the history has no 'loss' values to plot")
    panels = [m for m in ("loss", "accuracy") if history.get(m)]
    with matplotlib.rc_context(_SVG_STYLE):
        fig = Figure(figsize=(4.2 * len(panels), 3.2), layout="constrained")
        for ax, metric in zip(fig.subplots(1, len(panels), squeeze=False)[0], panels):
            for prefix, style in (("", "-"), ("val_", "--")):
                values = history.get(prefix + metric)
                if values:
                    epochs = np.arange(1, len(values) + 1)
                    label = "validation" if prefix else "training"
                    ax.plot(epochs, values, style, label=label)
            if test is not None and metric in test:
                last = len(history[metric])
                ax.plot([last], [test[metric]], "D", color="#c44e52", label="test (final)")
            ax.set_xlabel("epoch")
            ax.set_ylabel(metric)
            shown = [v for key in (metric, "val_" + metric) for v in history.get(key, [])]
            if metric == "loss" and min(shown) > 0 and max(shown) >= 10 * min(shown):
                ax.set_yscale("log")
                # plain numbers (0.01, not $10^{-2}$): mathtext costs seconds on first use
                ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
                ax.yaxis.set_minor_formatter(NullFormatter())
            ax.grid(alpha=0.3)
            ax.legend()
        if title:
            fig.suptitle(title)
    return _write(fig, path)


def plot_decision_boundary(
    model: Module,
    X: Any,
    y: Any,
    path: str | os.PathLike[str],
    threshold: float = 0.0,
    resolution: int = 120,
    title: str | None = None,
    X_test: Any = None,
    y_test: Any = None,
) -> str:
    """The class the model predicts at each point of the plane, with the data on top.

    `X` must have 2 features. Classes come from `losses.classify(outputs, threshold)`: the
    largest output, or for one output whether it exceeds `threshold`. With `X_test, y_test`,
    the test points are drawn too, as triangles (the training points are circles); a legend
    names the classes and the two kinds of points. Returns the path written.
    """
    import matplotlib
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).reshape(len(y))
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2-D points, shape (n, 2); got {X.shape}")
    sets = [(X, zero_one(y), "o", "training")]
    if X_test is not None:
        X_test = np.asarray(X_test, dtype=np.float64)
        if X_test.ndim != 2 or X_test.shape[1] != 2 or y_test is None:
            raise ValueError("plot_decision_boundary: X_test must be (n, 2) points, with y_test")
        sets.append((X_test, zero_one(np.asarray(y_test).reshape(len(y_test))), "^", "test"))
    everything = np.vstack([points for points, *_ in sets])
    low, high = everything.min(axis=0), everything.max(axis=0)
    pad = 0.1 * (high - low) + 1e-9
    xs = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
    ys = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    regions = classify(model.predict(grid), threshold).reshape(grid_x.shape)
    k = int(max([regions.max(), *(labels.max() for _, labels, *_ in sets)])) + 1
    colors = ListedColormap([_CLASS_COLORS[i % len(_CLASS_COLORS)] for i in range(k)])
    with matplotlib.rc_context(_SVG_STYLE):
        fig = Figure(figsize=(4.0, 3.6), layout="constrained")
        ax = fig.subplots()
        # The regions as one small raster image: a few kB, where contour paths of a class map
        # (a staircase along every boundary) would take tens.
        ax.imshow(
            regions,
            cmap=colors,
            vmin=-0.5,
            vmax=k - 0.5,
            alpha=0.3,
            origin="lower",
            extent=(xs[0], xs[-1], ys[0], ys[-1]),
            aspect="auto",
            interpolation="nearest",
        )
        for points_all, labels, marker, _ in sets:
            for c in range(k):  # one marker style per class and set: the SVG states it once
                points = points_all[labels == c]
                ax.plot(
                    points[:, 0],
                    points[:, 1],
                    marker,
                    linestyle="none",
                    markersize=3 if marker == "o" else 4,
                    markeredgecolor="white" if marker == "o" else "black",
                    markeredgewidth=0.3,
                    color=_CLASS_COLORS[c % len(_CLASS_COLORS)],
                )
        handles = [
            Line2D(
                [],
                [],
                marker="s",
                linestyle="none",
                color=_CLASS_COLORS[c % 10],
                label=f"class {c}",
            )
            for c in range(k)
        ]
        if len(sets) > 1:
            handles += [
                Line2D([], [], marker=marker, linestyle="none", color="#8c8c8c", label=name)
                for _, _, marker, name in sets
            ]
        ax.legend(handles=handles, loc="upper right", fontsize=7, framealpha=0.8)
        ax.set_xlim(xs[0], xs[-1])
        ax.set_ylim(ys[0], ys[-1])
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        ax.set_title(title or "decision regions")
    return _write(fig, path)
