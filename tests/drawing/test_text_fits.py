"""The text of every drawn node fits inside the node's box when Chromium draws the SVG (dot
measures the text one way, browsers draw it another: see `drawing.draw.fit_svg_text`)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.helpers.browser import browser
from tinygrad_mlp import MLP, Value, draw_graph, losses

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("gallery", ROOT / "viz" / "gallery.py")
gallery = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gallery)

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot not installed")

# For each node: how far its widest text sticks out of the node's outline (negative: inside).
OVERFLOW = """() => [...document.querySelectorAll("g.node")].map(g => {
  const shapes = [...g.querySelectorAll("polygon, path, ellipse")].map(s => s.getBBox());
  if (!shapes.length) return [g.querySelector("title").textContent, -1];
  const left = Math.min(...shapes.map(b => b.x));
  const right = Math.max(...shapes.map(b => b.x + b.width));
  const over = [...g.querySelectorAll("text")].map(t => {
    const b = t.getBBox();
    return Math.max(left - b.x, b.x + b.width - right);
  });
  return [g.querySelector("title").textContent, Math.max(-1, ...over)];
})"""


def wide_tensors() -> Value:
    X = np.random.default_rng(0).normal(size=(8, 2)) * 1e-3
    return losses.mse(MLP(2, [8, 1], seed=0)(X), np.ones((8, 1)))


PICTURES = [*gallery.PICTURES, "wide"]


@pytest.fixture(scope="module")
def chromium():
    with browser() as launched:
        yield launched


@pytest.mark.parametrize("name", PICTURES)
def test_every_label_fits_its_node_in_chromium(chromium, tmp_path, name) -> None:
    if name == "wide":
        output, options = wide_tensors(), {}
        output.backward()
    else:
        output, options = gallery.PICTURES[name]()
    path = draw_graph(output, path=tmp_path / f"{name}.svg", **options)
    page = chromium.new_page()
    page.goto(f"file://{path}")
    overflow = dict(page.evaluate(OVERFLOW))
    page.close()
    assert len(overflow) > 5
    assert {node: over for node, over in overflow.items() if over > 0.5} == {}
