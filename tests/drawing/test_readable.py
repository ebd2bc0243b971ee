"""draw_graph's defaults make a picture readable as it is: the direction follows the graph's
shape, the text is set in an installed font, and the colours have legends."""

from __future__ import annotations

import numpy as np

from tests.helpers.drawing import read_dot
from tinygrad_mlp import MLP, Function, Value, check_graph, draw_graph, losses
from tinygrad_mlp.drawing.placement import LEFT_TO_RIGHT_DEPTH
from tinygrad_mlp.drawing.style import FONT


def test_a_small_scalar_graph_reads_left_to_right() -> None:
    a, b, c = Value(2.0), Value(-3.0), Value(10.0)
    assert "rankdir=LR" in draw_graph(a * b + c).source


def test_a_deep_scalar_graph_reads_top_to_bottom() -> None:
    x = Value(0.5)
    for _ in range(LEFT_TO_RIGHT_DEPTH + 1):
        x = x * 1.5
    assert "rankdir=TB" in draw_graph(x).source


def test_a_tensor_graph_reads_top_to_bottom() -> None:
    loss = losses.mse(MLP(2, [3, 1], seed=0)(np.ones((4, 2))), np.zeros((4, 1)))
    assert "rankdir=TB" in draw_graph(loss).source


def test_an_explicit_direction_is_kept() -> None:
    assert "rankdir=LR" in draw_graph(Value([1.0, 2.0]).sum(), rankdir="LR").source


def test_every_text_names_the_installed_font() -> None:
    source = draw_graph(Value(2.0) * 3).source
    assert source.count(f'fontname="{FONT}"') == 2  # the graph's and the nodes'
    assert "Helvetica" not in source


def test_a_check_graph_highlight_has_a_legend_saying_what_red_means() -> None:
    class Wrong(Function):
        @staticmethod
        def forward(x):
            return x * 2.0

        @staticmethod
        def backward(g, x, out):
            return g * 3.0

    loss = Wrong.apply(Value(np.array([1.0, 2.0]))).sum()
    caption = read_dot(draw_graph(loss, highlight=check_graph(loss)).source).caption
    assert "red" in caption and "backward disagrees with its forward" in caption


def test_no_legend_for_red_when_nothing_is_highlighted() -> None:
    assert "red" not in read_dot(draw_graph(Value(2.0) * 3).source).caption


def test_an_op_node_is_labelled_by_the_ops_own_describe() -> None:
    class Scale(Function):
        @staticmethod
        def forward(x, factor):
            return x * factor

        @staticmethod
        def backward(g, x, out, factor):
            return g * factor

        @classmethod
        def describe(cls, params):
            return f"×{params['factor']}"

    dot = read_dot(draw_graph(Scale.apply(Value(2.0), factor=4.0)).source)
    assert dot.find("×4.0")
