"""The loss graph of a model on a few examples, as the `graph` and `demo` commands show it:
drawn as a picture (`draw_loss_graph`) or written as the step-through page (`explain_loss`).
Graphviz and the page's code are loaded when first used."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .nn import MLP
from .train import loss_of

__all__ = ["draw_loss_graph", "explain_loss"]


def draw_loss_graph(
    model: MLP, X: np.ndarray, y: np.ndarray, loss: str, path: str, **options: Any
) -> str:
    """Backpropagate `model`'s `loss` on (X, y) and draw that graph to `path` (its suffix says
    the format: svg, png, pdf, dot); returns the path written. `options` go to `draw_graph`.
    Raises the renderer's error when Graphviz's `dot` is missing.

    >>> import os, tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> from tinygrad_mlp.runs import build_model, load_dataset
    >>> split = load_dataset("moons", samples=20)
    >>> path = draw_loss_graph(build_model(2, 2, hidden=[3]), split.X_train[:4], split.y_train[:4],
    ...                        "cross_entropy", os.path.join(folder.name, "graph.dot"))
    >>> open(path).read().startswith("digraph")
    True
    >>> folder.cleanup()
    """
    from .drawing import draw_graph  # loaded when a graph is drawn

    value = loss_of(model, X, y, loss)
    value.backward()
    return os.fspath(draw_graph(value, path=path, **options))


def explain_loss(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    loss: str,
    path: str,
    rankdir: str | None = None,
    max_nodes: int | None = None,
) -> str:
    """Write the step-through page of `model`'s `loss` on (X, y) to `path` (see `explain`);
    returns the path written.

    >>> import os, tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> from tinygrad_mlp.runs import build_model, load_dataset
    >>> split = load_dataset("moons", samples=20)
    >>> path = explain_loss(build_model(2, 2, hidden=[3]), split.X_train[:4], split.y_train[:4],
    ...                     "cross_entropy", os.path.join(folder.name, "backprop.html"))
    >>> open(path).read().startswith("<!DOCTYPE html>")
    True
    >>> folder.cleanup()
    """
    from .explain import explain

    value = loss_of(model, X, y, loss)
    if max_nodes is None:
        return os.fspath(explain(value, path, rankdir=rankdir))
    return os.fspath(explain(value, path, rankdir=rankdir, max_nodes=max_nodes))
