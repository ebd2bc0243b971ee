"""In Jupyter a Value shows the picture of its graph; without Graphviz, how to install it."""

from __future__ import annotations

import shutil

import pytest

from tinygrad_mlp import Value

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot not installed")


@needs_dot
def test_a_value_displays_its_graph_as_svg() -> None:
    bundle = (Value(2.0, label="a") * 3)._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    assert ">a<" in bundle["image/svg+xml"]


def test_without_graphviz_the_display_says_how_to_install_it(monkeypatch) -> None:
    monkeypatch.setenv("PATH", "")
    v = Value(2.0) * 3
    bundle = v._repr_mimebundle_()
    assert set(bundle) == {"text/plain"}
    assert bundle["text/plain"].startswith(repr(v))
    assert "apt-get install graphviz" in bundle["text/plain"]
