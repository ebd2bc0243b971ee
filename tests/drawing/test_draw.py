"""draw_graph: what is drawn (every value and operation, boxes for module calls), the options,
collapsing big graphs, highlighting, and the errors, with and without Graphviz's `dot`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers.drawing import expected_counts, read_dot, svg_counts, svg_text
from tinygrad_mlp import MLP, Function, Value, draw_graph
from tinygrad_mlp.drawing import GraphvizNotFoundError
from tinygrad_mlp.drawing.style import GRAD_SCALE, SMALL_TENSOR, grad_colour
from tinygrad_mlp.engine import module_scope

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot not installed")


class Box:
    """A stand-in module: any object can open a module scope; `parameters()` is optional."""

    def __init__(self, params: list[Value] | None = None) -> None:
        self._params = params

    def parameters(self) -> list[Value]:
        return self._params or []


def neuron() -> tuple[Value, dict[str, Value]]:
    """micrograd's neuron: o = tanh(x1 w1 + x2 w2 + b), after backward."""
    v = {
        "x1": Value(2.0, label="x1"),
        "x2": Value(0.0, label="x2"),
        "w1": Value(-3.0, label="w1"),
        "w2": Value(1.0, label="w2"),
        "b": Value(6.8813735870195432, label="b"),
    }
    with module_scope(Box([v["w1"], v["w2"], v["b"]]), "neuron"):
        o = (v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"]).tanh()
    o.label = "o"
    o.backward()
    return o, v


# ----------------------------------------------------------------------------------------------
# What is drawn


def test_every_value_and_operation_is_a_node_and_every_input_an_edge() -> None:
    o, _ = neuron()
    dot = read_dot(draw_graph(o).source)
    assert (len(dot.nodes), len(dot.edges)) == expected_counts(o) == (15, 14)


def test_scalar_nodes_show_name_data_and_gradient_in_full() -> None:
    o, v = neuron()
    dot = read_dot(draw_graph(o).source)
    (w1,) = dot.find("w1")
    assert dot.label(w1) == "w1 | data -3 | grad 1"
    (b,) = dot.find("data 6.88137")
    assert f"grad {v['b'].grad:.6g}" in dot.label(b)
    (out,) = dot.find("o |")
    assert dot.label(out) == f"o | data {o.data:.6g} | grad 1"


def test_operations_are_drawn_as_symbols_and_user_ops_by_class_name() -> None:
    class Softplus(Function):
        @staticmethod
        def forward(x):
            return np.logaddexp(0.0, x)

        @staticmethod
        def backward(g, x, out):
            return g * (1 - np.exp(-out))

    a = Value(np.ones((2, 3)), label="a")
    out = (Softplus.apply(a @ Value(np.ones((3, 2))) * 2 - 1).T ** 2).sum(axis=0).mean()
    labels = {
        read_dot(draw_graph(out).source).label(n) for n in read_dot(draw_graph(out).source).nodes
    }
    for symbol in ("@", "*", "-", "Softplus", "T", "**2", "sum axis=0", "mean"):
        assert symbol in labels, symbol


@given(
    st.lists(
        st.tuples(st.sampled_from("+-*/t"), st.integers(0, 30), st.integers(0, 30)),
        min_size=1,
        max_size=30,
    )
)
def test_random_scalar_graphs_draw_every_node_and_edge(steps) -> None:
    nodes = [Value(1.5, label="x"), Value(-0.5, label="y")]
    for op, i, j in steps:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if op == "t":
            nodes.append(a.tanh())
        elif op == "/":
            nodes.append(a / (b * b + 1.0))
        else:
            nodes.append({"+": a + b, "-": a - b, "*": a * b * 0.5}[op])
    out = nodes[-1]
    dot = read_dot(draw_graph(out).source)
    assert (len(dot.nodes), len(dot.edges)) == expected_counts(out)


def test_a_shared_number_constant_is_drawn_beside_each_use() -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    out = a * 7.0 + b * 7.0
    dot = read_dot(draw_graph(out).source)
    sevens = [n for n in dot.nodes if dot.label(n) == "data 7"]
    assert len(sevens) == 2
    assert sorted(dst for src, dst in dot.edges if src in sevens) == sorted(
        n for n in dot.nodes if dot.label(n) == "*"
    )


def test_an_input_used_twice_by_one_op_has_two_edges() -> None:
    a = Value(3.0, label="a")
    dot = read_dot(draw_graph(a * a).source)
    (node,) = dot.find("a |")
    assert [src for src, _ in dot.edges].count(node) == 2


def test_small_tensors_are_drawn_in_full_and_big_ones_summarised() -> None:
    small = Value(np.arange(6.0).reshape(2, 3), label="small")
    big = Value(np.ones((SMALL_TENSOR + 1, 1)), label="big")
    out = (small.sum() + big.sum()) * 1.0
    out.backward()
    dot = read_dot(draw_graph(out).source)
    (s,) = dot.find("small")
    assert "(2, 3) float64" in dot.label(s)
    assert "data [0 1 2]\n[3 4 5]" in dot.label(s)
    assert "grad [1 1 1]\n[1 1 1]" in dot.label(s)
    (b,) = dot.find("big")
    assert "data mean 1, std 0" in dot.label(b)
    assert "max |g| 1, mean |g| 1" in dot.label(b)


def test_a_column_is_one_row_marked_transposed_and_one_element_is_in_full() -> None:
    col = Value(np.array([[1.0], [2.0], [3.0]]), label="col")
    out = (col * 1.23456789).sum()
    dot = read_dot(draw_graph(out).source)
    assert "data [1 2 3]ᵀ" in dot.label(dot.find("col")[0])
    assert dot.label(dot.find("0-d")[0]) == "0-d float64 | data 7.40741"


def test_tensor_gradient_is_shown_only_once_computed() -> None:
    w = Value(np.ones(3), label="w")
    out = (w * 2.0).sum()
    assert "grad" not in read_dot(draw_graph(out).source).label(
        read_dot(draw_graph(out).source).find("w")[0]
    )
    out.backward()
    dot = read_dot(draw_graph(out).source)
    assert "grad [2 2 2]" in dot.label(dot.find("w")[0])


def test_leaves_parameters_constants_and_output_look_different() -> None:
    x = Value(np.full(2, 3.0), requires_grad=False)  # a constant input
    w = Value(np.full(2, 5.0), label="w")  # a parameter
    u = Value(np.full(2, 7.0))  # an unnamed leaf
    out = ((x * w) + u).sum()
    dot = read_dot(draw_graph(out).source)
    nodes = {
        "constant": dot.find("data [3 3]"),
        "parameter": dot.find("w |"),
        "leaf": dot.find("data [7 7]"),
        "output": dot.find("data 44"),
    }
    node = {kind: found for kind, (found,) in nodes.items()}
    fills = {kind: dot.attr(n, "bgcolor") for kind, n in node.items()}
    assert len(set(fills.values())) == 4, fills
    assert dot.attr(node["constant"], "style") == "dashed"
    assert dot.attr(node["parameter"], "style") == "rounded"
    assert dot.attr(node["output"], "border") == "2"


def test_values_from_create_graph_gradients_are_drawn() -> None:
    x = Value(3.0, label="x")
    y = x**3
    y.backward(create_graph=True)
    dot = read_dot(draw_graph(x.grad * 1.0).source)
    assert dot.find("x |")[0]
    assert (len(dot.nodes), len(dot.edges)) == expected_counts(x.grad * 1.0)


def test_a_leaf_alone_is_one_node() -> None:
    dot = read_dot(draw_graph(Value(1.0, label="only")).source)
    assert list(map(dot.label, dot.nodes)) == ["only | data 1 | grad 0"]
    assert dot.edges == []
    assert "1 value, 0 operations" in dot.caption


def test_a_very_deep_graph_draws_without_recursion_error() -> None:
    x = Value(0.5, label="x")
    y = x
    for _ in range(20_000):
        y = y + x
    dot = read_dot(draw_graph(y, max_nodes=50).source)
    assert len(dot.nodes) == 50


# ----------------------------------------------------------------------------------------------
# Module boxes


def test_nodes_made_in_a_module_call_are_drawn_in_its_box_nested_as_the_calls() -> None:
    x = Value(1.0, label="x")
    outer, inner = Box(), Box()
    with module_scope(outer, "model"):
        with module_scope(inner, "layers.0"):
            h = x.tanh()
        y = h * 3.0
    out = y + 1.0
    dot = read_dot(draw_graph(out).source)
    (tanh,) = [n for n in dot.nodes if dot.label(n) == "tanh"]
    assert dot.boxes(tanh) == ("Box model", "Box layers.0")
    (times,) = [n for n in dot.nodes if dot.label(n) == "*"]
    assert dot.boxes(times) == ("Box model",)
    (plus,) = [n for n in dot.nodes if dot.label(n) == "+"]
    assert dot.boxes(plus) == ()
    assert dot.boxes(dot.find("x |")[0]) == ()  # an input is not owned by the module
    (three,) = [n for n in dot.nodes if dot.label(n) == "data 3"]
    assert dot.boxes(three) == ("Box model",)  # a shared constant sits beside its use


def test_a_parameter_is_drawn_in_the_box_of_the_module_that_owns_it() -> None:
    w, b = Value(2.0, label="w"), Value(0.5, label="b")
    layer = Box([w, b])
    x = Value(1.0, label="x")
    with module_scope(Box([w, b]), "model"):
        with module_scope(layer, "layer"):
            y = x * w + b
    dot = read_dot(draw_graph(y).source)
    assert dot.boxes(dot.find("w |")[0]) == ("Box model", "Box layer")
    assert dot.boxes(dot.find("b |")[0]) == ("Box model", "Box layer")


def test_a_parameter_used_by_two_calls_is_drawn_outside_both() -> None:
    w = Value(2.0, label="w")
    layer = Box([w])
    outs = []
    for x in (1.0, 2.0):
        with module_scope(layer, "layer"):
            outs.append(Value(x, label="x") * w)
    dot = read_dot(draw_graph(outs[0] + outs[1]).source)
    assert dot.boxes(dot.find("w |")[0]) == ()
    assert dot.clusters == ["Box layer", "Box layer"]


def test_an_mlp_draws_a_box_per_layer_inside_the_model_with_its_named_parameters() -> None:
    model = MLP(2, [4, 4, 1], activation="tanh", seed=0)
    X = np.random.default_rng(0).normal(size=(8, 2))
    loss = ((model(X) - np.ones((8, 1))) ** 2).mean()
    loss.backward()
    dot = read_dot(draw_graph(loss).source)
    assert (len(dot.nodes), len(dot.edges)) == expected_counts(loss)
    assert dot.clusters == ["MLP", "Layer layers.0", "Layer layers.1", "Layer layers.2"]
    for name, p in model.named_parameters():
        (node,) = dot.find(name + " |")
        assert dot.boxes(node) == ("MLP", "Layer " + name.rsplit(".", 1)[0])
        assert f"{p.shape} float64" in dot.label(node)
    for op in ("@", "+", "tanh"):
        in_layers = [dot.boxes(n) for n in dot.nodes if dot.label(n) == op]
        assert sorted(in_layers)[: 2 if op == "tanh" else 3] == [
            ("MLP", f"Layer layers.{i}") for i in range(2 if op == "tanh" else 3)
        ]
    (mean,) = [n for n in dot.nodes if dot.label(n) == "mean"]
    assert dot.boxes(mean) == ()


def test_many_calls_of_an_mlp_collapse_to_one_node_per_call() -> None:
    model = MLP(2, [3, 1], seed=0)
    X = np.ones((1, 2))
    total = sum((model(X * i) for i in range(30)), start=Value(np.zeros((1, 1))))
    dot = read_dot(draw_graph(total.sum(), max_nodes=130).source)
    calls = [n for n in dot.nodes if dot.label(n).startswith("MLP\\n")]
    assert len(calls) == 30
    # outside the calls: 30 inputs, 30 additions (op and value), the start, the sum (op, value)
    assert len(dot.nodes) == 30 + 30 + 60 + 1 + 2
    assert dot.find("layers.0.W") == []  # drawn as part of each call


def test_a_parameter_and_a_constant_are_drawn_beside_the_operation_they_feed() -> None:
    model = MLP(2, [3, 1], seed=0)
    loss = ((model(np.ones((4, 2))) - 1.0) ** 2).mean()
    dot = read_dot(draw_graph(loss).source)
    ops = {n for n in dot.nodes if dot.label(n) in ("@", "+", "-")}
    beside = {dot.label(a): dot.label(b) for a, b in dot.same_rank}
    for name, _ in model.named_parameters():
        (label,) = [text for text in beside if text.startswith(name + " |")]
        assert beside[label] == ("@" if name.endswith("W") else "+")
    assert beside["data 1"] == "-"
    assert all(b in ops for _, b in dot.same_rank)
    # an input used by one op but made outside the module is not pulled beside it
    assert not any(text.startswith("(4, 2)") for text in beside)


def test_box_title_is_the_class_and_the_name_given() -> None:
    class Layer:
        pass

    x = Value(1.0)
    with module_scope(Layer(), "layers.1"):
        a = x * 2.0
    with module_scope(Layer(), "Layer"):  # a name equal to the class is not repeated
        b = a * 2.0
    with module_scope(Layer()):
        c = b * 2.0
    assert read_dot(draw_graph(c).source).clusters == ["Layer layers.1", "Layer", "Layer"]


# ----------------------------------------------------------------------------------------------
# Options


def test_direction_option() -> None:
    o, _ = neuron()
    assert "rankdir=TB" in draw_graph(o, rankdir="TB").source
    assert "rankdir=LR" in draw_graph(o).source


def test_hiding_data_and_gradients() -> None:
    o, _ = neuron()
    source = draw_graph(o, show_data=False).source
    assert "data " not in source and "grad " in source
    source = draw_graph(o, show_grad=False).source
    assert "grad " not in source and "data " in source
    dot = read_dot(draw_graph(o, show_data=False, show_grad=False).source)
    assert dot.label(dot.find("w1")[0]) == "w1"


def test_colour_by_gradient_marks_vanishing_and_exploding_values_and_adds_a_legend() -> None:
    tiny, huge, plain = Value(1.0, label="tiny"), Value(1.0, label="huge"), Value(1.0, label="ok")
    out = tiny * 1e-9 + huge * 1e5 + plain * 0.1
    out.backward()
    dot = read_dot(draw_graph(out, color_by_grad=True).source)

    def fill(name: str) -> str:
        return dot.attr(dot.find(name)[0], "bgcolor")

    assert fill("tiny") == GRAD_SCALE[0][1]  # 1e-9 is past the blue end
    assert fill("huge") == GRAD_SCALE[-1][1]  # 1e5 is past the red end
    assert fill("ok") == grad_colour(0.1)[0]
    assert "|grad|" in dot.caption and "|grad|" not in read_dot(draw_graph(out).source).caption


@given(st.floats(-12, 6))
def test_gradient_colours_interpolate_the_scale_between_its_ends(exponent) -> None:
    fill, font = grad_colour(10.0**exponent)
    channels = [int(fill[i : i + 2], 16) for i in (1, 3, 5)]
    anchors = [x for x, _ in GRAD_SCALE]
    if exponent <= anchors[0] or exponent >= anchors[-1]:
        assert fill == GRAD_SCALE[0 if exponent <= anchors[0] else -1][1]
        assert font == "white"
        return
    i = int(np.searchsorted(anchors, exponent))  # anchors[i - 1] < exponent <= anchors[i]
    lo, hi = GRAD_SCALE[i - 1][1], GRAD_SCALE[i][1]
    for c, a, b in zip(
        channels,
        (int(lo[j : j + 2], 16) for j in (1, 3, 5)),
        (int(hi[j : j + 2], 16) for j in (1, 3, 5)),
    ):
        assert min(a, b) <= c <= max(a, b)


def test_a_zero_or_infinite_gradient_takes_an_end_of_the_scale() -> None:
    assert grad_colour(0.0)[0] == GRAD_SCALE[0][1]
    assert grad_colour(float("inf"))[0] == GRAD_SCALE[-1][1]
    assert grad_colour(float("nan"))[0] == GRAD_SCALE[-1][1]


def test_highlight_draws_failed_operations_in_red() -> None:
    o, v = neuron()
    t = o.parents[0]  # the sum that feeds tanh

    class Report:
        failed_nodes = [t]

    for highlight in (Report(), [t], t):
        dot = read_dot(draw_graph(o, highlight=highlight).source)
        red = [n for n in dot.nodes if 'fillcolor="#d32f2f"' in dot.nodes[n][0]]
        assert [dot.label(n) for n in red] == ["+"]
        (plus,) = red
        assert (plus, dot.find(f"data {t.data:.6g}")[0]) in dot.edges


def test_highlight_rejects_values_outside_the_graph_and_non_values() -> None:
    o, _ = neuron()
    with pytest.raises(ValueError, match="1 of the Values are not in this graph"):
        draw_graph(o, highlight=[Value(1.0)])
    with pytest.raises(TypeError, match="item 0 is str"):
        draw_graph(o, highlight=["w1"])
    with pytest.raises(TypeError, match="got int"):
        draw_graph(o, highlight=3)


# ----------------------------------------------------------------------------------------------
# Big graphs


def calls(n_calls: int, inner: int) -> Value:
    """`n_calls` calls of one module (2 nested boxes each), `inner` ops in each inner box."""
    w = Value(0.5, label="w")
    outer_mod, inner_mod = Box([w]), Box([w])
    total = Value(0.0, label="start")
    for i in range(n_calls):
        with module_scope(outer_mod, "outer"):
            with module_scope(inner_mod, "inner"):
                h = Value(float(i), requires_grad=False, label=f"x{i}")
                for _ in range(inner):
                    h = (h * w).tanh()
            h = h.exp()
        total = total + h
    return total


def test_past_max_nodes_the_innermost_module_calls_collapse_first() -> None:
    out = calls(n_calls=4, inner=10)
    full_nodes, _ = expected_counts(out)
    assert len(read_dot(draw_graph(out, max_nodes=full_nodes).source).nodes) == full_nodes
    dot = read_dot(draw_graph(out, max_nodes=full_nodes - 1).source)
    # each outer box keeps its exp (value + op) and holds one node for the inner call
    collapsed = [n for n in dot.nodes if "box3d" in dot.nodes[n][0]]
    assert len(collapsed) == 4
    assert all(dot.boxes(n) == ("Box outer",) for n in collapsed)
    assert all(dot.label(n).startswith("Box inner\\n21 values, 20 operations") for n in collapsed)
    assert "collapsed: each Box call is drawn as one node" in dot.caption
    # w is owned by every call's module: it is drawn inside each collapsed call, not apart
    assert dot.find("w |") == []
    outside = 1 + 4 * 2  # start, then per call: the add's op and value
    assert len(dot.nodes) == outside + 4 * (1 + 2)


def test_collapsing_further_makes_each_outer_call_one_node() -> None:
    out = calls(n_calls=4, inner=10)
    dot = read_dot(draw_graph(out, max_nodes=20).source)
    collapsed = [n for n in dot.nodes if "box3d" in dot.nodes[n][0]]
    assert len(collapsed) == 4 and dot.clusters == []
    assert len(dot.nodes) == 1 + 4 * 2 + 4
    assert len(dot.edges) == 4 * 3  # (call -> +), (previous total -> +), (+ -> total)


def test_in_a_big_picture_a_leaf_used_far_apart_is_drawn_beside_each_use() -> None:
    def chain(steps: int) -> Value:
        x = Value(0.5, label="x")
        y = x
        for _ in range(steps):
            y = y * 0.9 + x  # x is used at every step, further and further from the inputs
        return y

    small = read_dot(draw_graph(chain(20)).source)  # 20 * 4 + 2 nodes: one x
    assert len(small.find("x |")) == 1
    big_out = chain(150)  # 150 * 4 + 2 nodes: past the size where long edges slow dot down
    big = read_dot(draw_graph(big_out).source)
    nodes, edges = expected_counts(big_out)
    assert len(big.find("x |")) == 150 + 1  # beside each add, and the first multiplication
    assert (len(big.nodes), len(big.edges)) == (nodes + 150, edges)
    assert "used far apart, so drawn beside each use: x" in big.caption


@given(
    n_calls=st.integers(1, 6),
    inner=st.integers(1, 6),
    share=st.booleans(),
    max_nodes=st.integers(2, 120),
)
def test_a_drawing_never_exceeds_max_nodes_and_keeps_the_output(
    n_calls, inner, share, max_nodes
) -> None:
    w = Value(0.5, label="w")
    outer_mod, inner_mod = Box([w]), Box([w])
    total = Value(0.0, label="start")
    for i in range(n_calls):
        with module_scope(outer_mod if share else Box([w]), "outer"):
            with module_scope(inner_mod if share else Box([w]), "inner"):
                h = Value(float(i), requires_grad=False, label=f"x{i}")
                for _ in range(inner):
                    h = (h * w).tanh()
            h = h + 1.0
        total = total + h
    total.backward()
    full, _ = expected_counts(total)
    dot = read_dot(draw_graph(total, max_nodes=max_nodes).source)
    assert len(dot.nodes) <= max_nodes
    if max_nodes >= full:
        assert len(dot.nodes) == full
    assert dot.find(f"data {total.data:.6g} | grad 1")  # the output is always drawn
    assert all(a in dot.nodes and b in dot.nodes for a, b in dot.edges)


def test_without_module_boxes_only_the_nodes_nearest_the_output_are_drawn() -> None:
    x = Value(1.0, label="x")
    y = x
    for _ in range(1000):
        y = y.tanh()
    dot = read_dot(draw_graph(y, max_nodes=30).source)
    assert len(dot.nodes) == 30
    assert dot.find("… 1,972 more values and operations")
    assert "only the 29 nodes nearest the output are drawn" in dot.caption
    assert dot.find(f"data {y.data:.6g}")  # the output is among them


# ----------------------------------------------------------------------------------------------
# Writing files, and bad input


@needs_dot
def test_writing_svg_gives_valid_xml_with_every_node_and_edge(tmp_path: Path) -> None:
    o, v = neuron()
    path = draw_graph(o, path=tmp_path / "neuron.svg")
    assert path == tmp_path / "neuron.svg"
    nodes, edges, clusters = svg_counts(path)
    assert (nodes, edges) == expected_counts(o)
    assert clusters == 1
    text = svg_text(path)
    for name in (
        "x1",
        "w1",
        "neuron",
        "tanh",
        f"data {v['b'].data:.6g}",
        f"grad {v['w1'].grad:.6g}",
    ):
        assert name in text, name


@needs_dot
def test_format_argument_and_suffix(tmp_path: Path) -> None:
    o, _ = neuron()
    path = draw_graph(o, path=tmp_path / "n.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    path = draw_graph(o, path=tmp_path / "picture", format="svg")
    assert svg_counts(path)[:2] == expected_counts(o)
    g = draw_graph(o, format="pdf")
    assert g.format == "pdf"


def test_dot_source_is_written_without_graphviz(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", "")
    o, _ = neuron()
    path = draw_graph(o, path=tmp_path / "n.dot")
    dot = read_dot(path.read_text())
    assert (len(dot.nodes), len(dot.edges)) == expected_counts(o)


def test_without_dot_the_graph_is_still_returned_but_svg_gives_one_clear_error(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("PATH", "")
    o, _ = neuron()
    g = draw_graph(o)
    assert (len(read_dot(g.source).nodes), len(read_dot(g.source).edges)) == expected_counts(o)
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz"):
        draw_graph(o, path=tmp_path / "n.svg")
    assert list(tmp_path.iterdir()) == []  # no partial file


def test_drawing_something_that_is_not_a_value_names_its_type() -> None:
    with pytest.raises(TypeError, match="draws a Value's graph, got ndarray"):
        draw_graph(np.ones(3))
    with pytest.raises(TypeError, match="got float"):
        draw_graph(1.0)


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    o, _ = neuron()
    missing = tmp_path / "no" / "such"
    with pytest.raises(FileNotFoundError, match="folder .*no/such' does not exist"):
        draw_graph(o, path=missing / "g.svg")


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"path": "g.bmpx"}, ValueError, "unknown format 'bmpx'"),
        ({"path": "g"}, ValueError, "cannot tell the format"),
        ({"format": "x11"}, ValueError, "unknown format 'x11'"),
        ({"path": "g.png", "format": "svg"}, ValueError, "ends in .png but format='svg'"),
        ({"path": 3}, TypeError, "must be a str or path, got int"),
        ({"rankdir": "up"}, ValueError, "rankdir='up'"),
        ({"max_nodes": 1}, ValueError, "max_nodes=1): must be an int of at least 2"),
        ({"max_nodes": 2.5}, ValueError, "max_nodes=2.5"),
    ],
)
def test_bad_options_give_clear_errors(kwargs, error, words, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    o, _ = neuron()
    with pytest.raises(error, match=re.escape(words)):
        draw_graph(o, **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_as_path_is_refused(tmp_path: Path) -> None:
    o, _ = neuron()
    (tmp_path / "d.svg").mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder"):
        draw_graph(o, path=tmp_path / "d.svg")


# ----------------------------------------------------------------------------------------------
# The command line: tinygrad-mlp graph


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "tinygrad_mlp", "graph", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


@needs_dot
def test_cli_draws_an_mlp_loss_graph_with_every_node_and_edge(tmp_path: Path) -> None:
    args = ["--dataset", "moons", "--hidden", "4,4"]
    done = run_cli(*args, "--out", str(tmp_path / "graph.svg"))
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout and "graph.svg" in done.stdout
    assert run_cli(*args, "--out", str(tmp_path / "graph.dot")).returncode == 0
    dot = read_dot((tmp_path / "graph.dot").read_text())
    nodes, edges, clusters = svg_counts(tmp_path / "graph.svg")
    assert (nodes, edges) == (len(dot.nodes), len(dot.edges))
    assert dot.clusters == ["MLP", "Layer layers.0", "Layer layers.1", "Layer layers.2"]
    assert clusters == 4
    text = svg_text(tmp_path / "graph.svg")
    assert "layers.0.W" in text and "(8, 4) float64" in text


def test_cli_options_reach_the_drawing(tmp_path: Path) -> None:
    out = tmp_path / "g.dot"
    done = run_cli(
        "--hidden",
        "3",
        "--direction",
        "TB",
        "--no-data",
        "--color-by-grad",
        "--examples",
        "5",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    source = out.read_text()
    assert "rankdir=TB" in source and "data " not in source and "|grad|" in source
    assert "(5, 3) float64" in source


def test_cli_without_dot_says_how_to_install_graphviz_in_one_line(tmp_path: Path) -> None:
    done = run_cli("--out", str(tmp_path / "g.svg"), env={**os.environ, "PATH": ""})
    assert done.returncode == 1
    assert "apt-get install graphviz" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "out, extra, words",
    [
        ("missing/g.svg", [], "folder .*missing' does not exist"),
        ("g.bmpx", [], "unknown format 'bmpx'"),
        ("g.svg", ["--dataset", "digits", "--loss", "hinge"], "hinge is for two classes"),
    ],
)
def test_cli_mistakes_are_one_clear_line(tmp_path: Path, out: str, extra, words: str) -> None:
    done = run_cli(*extra, "--out", str(tmp_path / out))
    assert done.returncode == 1
    assert re.search(words, done.stderr) and "Traceback" not in done.stderr
