"""docs/primer.ipynb runs from top to bottom, in a fresh kernel, on this checkout's package."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "docs" / "primer.ipynb"

nbformat = pytest.importorskip("nbformat", reason="the notebook test needs nbformat (dev extra)")
nbclient = pytest.importorskip("nbclient", reason="the notebook test needs nbclient (dev extra)")
pytest.importorskip("ipykernel", reason="the notebook test needs ipykernel (dev extra)")
pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot not installed")


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook after a run, and how long the run took."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    old = os.environ.get("PYTHONPATH")
    # the kernel inherits this environment: it imports this checkout's package
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), old) if p)
    try:
        folder = {"metadata": {"path": str(NOTEBOOK.parent)}}  # docs/: `import figures`
        client = nbclient.NotebookClient(nb, timeout=60, kernel_name="python3", resources=folder)
        start = time.perf_counter()
        client.execute()
        took = time.perf_counter() - start
    finally:
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old
    return nb, took


def outputs(nb) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def test_the_notebook_runs_without_an_error_in_under_a_minute(executed) -> None:
    nb, took = executed
    assert [o for o in outputs(nb) if o.output_type == "error"] == []
    assert took < 60


def test_the_notebook_prints_the_engines_derivatives(executed) -> None:
    nb, _ = executed
    text = "".join(o.get("text", "") for o in outputs(nb) if o.output_type == "stream")
    assert "backward gives 0.786448; 1 - tanh² = 0.786448" in text
    assert "'x1': -1.5, 'x2': 0.5" in text  # micrograd's gradients of the neuron


def test_the_notebook_shows_its_graph_figures_and_step_through_page(executed) -> None:
    nb, _ = executed
    kinds = [set(o.get("data", {})) for o in outputs(nb) if o.output_type == "execute_result"]
    assert sum("image/svg+xml" in k for k in kinds) == 4  # the graph and three figures
    assert sum("text/html" in k for k in kinds) == 1  # the step-through page
    html = next(o.data["text/html"] for o in outputs(nb) if "text/html" in o.get("data", {}))
    assert "role=&quot;status&quot;" in html
