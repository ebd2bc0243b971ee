"""viz/gallery.py: one command redraws every picture; each is valid SVG holding every node and
edge of its graph with the names and numbers it should show; the committed pictures are current."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.helpers.drawing import all_values, expected_counts, read_dot, svg_counts, svg_text
from tinygrad_mlp import draw_graph
from tinygrad_mlp.drawing.style import grad_colour

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("gallery", ROOT / "viz" / "gallery.py")
gallery = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gallery)

NAMES = list(gallery.PICTURES)
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot not installed")


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> Path:
    """The gallery drawn by its one command into a fresh folder."""
    out = tmp_path_factory.mktemp("gallery")
    done = subprocess.run(
        [sys.executable, str(ROOT / "viz" / "gallery.py"), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return out


@needs_dot
def test_one_command_draws_every_picture(drawn: Path) -> None:
    assert sorted(p.name for p in drawn.iterdir()) == sorted(f"{n}.svg" for n in NAMES)


@needs_dot
@pytest.mark.parametrize("name", NAMES)
def test_each_picture_is_valid_svg_with_every_node_and_edge_of_its_graph(drawn, name) -> None:
    output, _ = gallery.PICTURES[name]()
    nodes, edges, _ = svg_counts(drawn / f"{name}.svg")  # parses as XML, or raises
    assert (nodes, edges) == expected_counts(output)


@needs_dot
@pytest.mark.parametrize("name", NAMES)
def test_the_committed_pictures_are_what_the_script_draws(drawn, name) -> None:
    committed = ROOT / "viz" / f"{name}.svg"
    assert committed.exists(), f"run `python viz/gallery.py` to draw {committed.name}"
    assert svg_counts(committed) == svg_counts(drawn / f"{name}.svg")
    assert svg_text(committed) == svg_text(drawn / f"{name}.svg")


@pytest.mark.parametrize("name", NAMES)
def test_committed_pictures_are_small(name) -> None:
    assert (ROOT / "viz" / f"{name}.svg").stat().st_size < 200_000


@needs_dot
def test_the_neuron_shows_weighted_inputs_bias_and_activation_with_their_numbers(drawn) -> None:
    o, _ = gallery.neuron()
    text = svg_text(drawn / "neuron.svg")
    for words in ("x1", "x2", "w.0", "w.1", "b", "tanh", "ScalarNeuron"):
        assert words in text, words
    assert "data 6.88137" in text and f"data {o.data:.6g}" in text
    assert "grad -1.5" in text and "grad 0.5" in text  # do/dx1 = w1 (1 - o^2) = -3 * 0.5


@needs_dot
def test_the_two_layer_network_shows_every_weight_with_its_gradient(drawn) -> None:
    loss, _ = gallery.two_layer()
    params = [v for v in all_values(loss) if v.label and v.label.startswith("layers.")]
    assert len(params) == 3 * 3 + 4
    text = svg_text(drawn / "two_layer.svg")
    for p in params:
        assert p.label in text
        assert f"grad {p.grad:.6g}" in text
    assert text.count("ScalarNeuron neurons.") == 4 and text.count("ScalarLayer layers.") == 2


@needs_dot
def test_the_tensor_mlp_has_a_box_per_module_call_with_its_parameters(drawn) -> None:
    loss, options = gallery.tensor_mlp()
    dot = read_dot(draw_graph(loss, **options).source)
    assert dot.clusters == ["MLP", "Layer layers.0", "Layer layers.1", "Layer layers.2"]
    assert svg_counts(drawn / "tensor_mlp.svg")[2] == 4
    text = svg_text(drawn / "tensor_mlp.svg")
    for name in ("layers.0.W", "layers.0.b", "layers.2.W", "(8, 4) float64", "loss"):
        assert name in text


def test_the_deep_tanh_network_is_coloured_from_vanishing_to_large_gradients() -> None:
    loss, options = gallery.vanishing()
    dot = read_dot(draw_graph(loss, **options).source)
    colour = {dot.label(n).split(" |")[0]: dot.attr(n, "bgcolor") for n in dot.nodes}
    weights = {v.label: v for v in all_values(loss) if v.label and v.label.endswith(".W")}
    largest = [float(np.abs(weights[f"layers.{i}.W"].grad).max()) for i in range(len(weights))]
    assert largest[0] < 1e-6 < 1 < largest[-1]  # the gradient vanishes towards the input
    for i, g in enumerate(largest):
        assert colour[f"layers.{i}.W"] == grad_colour(g)[0]
    assert colour["layers.0.W"] != colour[f"layers.{len(weights) - 1}.W"]
    assert "|grad|" in dot.caption


def test_the_picture_functions_are_seeded() -> None:
    for make in gallery.PICTURES.values():
        a, _ = make()
        b, _ = make()
        assert np.array_equal(np.asarray(a.data), np.asarray(b.data))
