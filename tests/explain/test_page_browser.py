"""The step-through page in a real browser (Chromium, driven by Playwright): every step shows
its words and the engine's numbers, the controls work, and the page needs no network."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from tests.helpers.browser import Watched, browser
from tinygrad_mlp import MLP, Value, explain, losses
from tinygrad_mlp.drawing.style import value_cells
from tinygrad_mlp.engine import walk
from tinygrad_mlp.explain import walkthrough
from tinygrad_mlp.nn import ScalarMLP, ScalarNeuron

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot not installed")


def neuron() -> Value:
    n = ScalarNeuron(2, "tanh")
    for p, number in zip(n.parameters(), [-3.0, 1.0, 6.8813735870195432]):
        p.data = number
    o = n([Value(2.0, label="x1"), Value(0.0, label="x2")])
    o.label = "o"
    return o


def two_layer() -> Value:
    y = ScalarMLP(2, [3, 1], activation="tanh", seed=1)([Value(0.5, label="x1"), -1.0])
    loss = (y - 1.0) ** 2
    loss.label = "loss"
    return loss


def tensor_mlp() -> Value:
    X = np.random.default_rng(0).normal(size=(4, 2))
    loss = losses.mse(
        MLP(2, [3, 1], seed=0)(Value(X, requires_grad=False, label="X")), np.ones((4, 1))
    )
    loss.label = "loss"
    return loss


def reused() -> Value:
    a = Value(3.0, label="a")
    b = a * a
    return b + a


GRAPHS = {"neuron": neuron, "two_layer": two_layer, "tensor_mlp": tensor_mlp, "reused": reused}

# Collects, for every step, what the page shows: the status lines, the gradient cells that are
# visible, the nodes still pending and the highlighted ones, by clicking Next (a real click
# event on the real button) through every step.
WALK = """() => {
  const seen = [];
  const next = document.getElementById("next");
  const steps = JSON.parse(document.getElementById("steps").textContent).steps;
  for (let k = 0; k < steps.length; k++) {
    if (k > 0) next.click();
    seen.push({
      step: Number(document.body.dataset.step),
      lines: [...document.querySelectorAll("#status p")].map(p => p.textContent),
      grads: [...document.querySelectorAll("#graph g[id^='a_grad_']")]
        .filter(g => getComputedStyle(g).visibility === "visible").map(g => g.id.slice(2)),
      pending: [...document.querySelectorAll("#graph g.node.pending title")]
        .map(t => t.textContent),
      op: [...document.querySelectorAll("#graph g.step-op title")].map(t => t.textContent),
      inputs: [...document.querySelectorAll("#graph g.step-input title")].map(t => t.textContent),
    });
  }
  return seen;
}"""


@pytest.fixture(scope="module")
def chromium():
    with browser() as launched:
        yield launched


@pytest.fixture(scope="module")
def outputs() -> dict[str, Value]:
    return {name: make() for name, make in GRAPHS.items()}


@pytest.fixture(scope="module")
def pages(outputs, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    return {name: explain(out, folder / f"{name}.html") for name, out in outputs.items()}


@pytest.fixture(scope="module")
def walked(chromium, pages) -> dict[str, tuple[Watched, list[dict], dict]]:
    """Each page opened and clicked through once: (the watched page, what each step showed,
    the page's own data)."""
    found = {}
    for name, path in pages.items():
        watched = Watched(chromium.new_page(viewport={"width": 1280, "height": 900})).open(path)
        data = json.loads(watched.page.inner_text("#steps"))
        found[name] = (watched, watched.page.evaluate(WALK), data)
    return found


@pytest.mark.parametrize("name", GRAPHS)
def test_clicking_through_every_step_logs_no_error_and_requests_nothing(walked, name) -> None:
    watched, seen, data = walked[name]
    assert len(seen) == len(data["steps"]) and [s["step"] for s in seen] == list(range(len(seen)))
    assert watched.errors == []
    assert watched.other_requests == []


@pytest.mark.parametrize("name", GRAPHS)
def test_each_step_shows_its_words_and_numbers_in_the_status_area(walked, outputs, name) -> None:
    _, seen, _ = walked[name]
    expected = walkthrough(outputs[name]).steps
    assert [s["lines"] for s in seen] == [step.lines for step in expected]


@pytest.mark.parametrize("name", GRAPHS)
def test_a_gradient_is_shown_from_the_step_it_is_final(walked, name) -> None:
    _, seen, data = walked[name]
    final = {}
    for k, step in enumerate(data["steps"]):
        for i in step["final"]:
            final[i] = k
    for k, shown in enumerate(seen):
        expected = {c for i, v in enumerate(data["values"]) for c in v["grad"] if final[i] <= k}
        assert set(shown["grads"]) == expected, k


@pytest.mark.parametrize("name", GRAPHS)
def test_at_the_last_step_every_gradient_shown_is_the_one_backward_computes(
    walked, outputs, name
) -> None:
    watched, _, data = walked[name]
    output = outputs[name]
    output.backward()
    values = walk(output)
    checked = 0
    for v, entry in zip(values, data["values"]):
        for cell in entry["grad"]:
            text = watched.page.text_content(f"#a_{cell}")
            wanted = " ".join(value_cells(v, True, True)[-1])  # the lines of its gradient
            assert text.split() == wanted.split()
            checked += 1
    assert checked == sum(1 for v in values if v.requires_grad)


@pytest.mark.parametrize("name", GRAPHS)
def test_forward_steps_show_each_value_appearing(walked, name) -> None:
    _, seen, data = walked[name]
    for k, step in enumerate(data["steps"]):
        if step["phase"] != "forward":
            continue
        drawn = data["values"][step["node"]]["nodes"][0]
        assert drawn in seen[k - 1]["pending"] and drawn not in seen[k]["pending"]
    assert seen[-1]["pending"] == []


@pytest.mark.parametrize("name", GRAPHS)
def test_a_backward_step_highlights_its_operation_and_inputs(walked, name) -> None:
    _, seen, data = walked[name]
    values = data["values"]
    for k, step in enumerate(data["steps"]):
        if step["phase"] == "backward" and values[step["node"]]["op"] and k > 0:
            if data["steps"][k - 1]["phase"] == "backward" or step["inputs"]:
                assert seen[k]["op"] == [values[step["node"]]["op"]]
                wanted = {n for i in step["inputs"] for n in values[i]["nodes"]}
                assert set(seen[k]["inputs"]) == wanted


def test_an_input_used_twice_is_said_to_add_up(walked) -> None:
    _, seen, _ = walked["reused"]
    assert any("a is used 3 times" in line for s in seen for line in s["lines"])


def test_the_buttons_and_arrow_keys_move_between_steps(walked) -> None:
    page = walked["neuron"][0].page
    page.click("#reset")
    step = lambda: int(page.get_attribute("body", "data-step"))  # noqa: E731
    assert step() == 0
    page.click("#next")
    page.click("#next")
    assert step() == 2
    page.click("#prev")
    assert step() == 1
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert step() == 3
    page.keyboard.press("ArrowLeft")
    assert step() == 2
    page.click("#reset")
    assert step() == 0


def test_play_steps_on_by_itself_and_pause_stops_it(walked) -> None:
    page = walked["neuron"][0].page
    page.click("#reset")
    page.click("#play")
    assert page.text_content("#play") == "Pause"
    page.wait_for_selector("body[data-step='2']", timeout=5000)
    page.click("#play")
    assert page.text_content("#play") == "Play"
    stopped = page.get_attribute("body", "data-step")
    page.wait_for_timeout(900)
    assert page.get_attribute("body", "data-step") == stopped


def test_the_status_area_is_announced_to_screen_readers(walked) -> None:
    page = walked["neuron"][0].page
    assert page.get_attribute("#status", "role") == "status"


def test_a_screenshot_of_a_backward_step(walked, tmp_path) -> None:
    """A picture a person can look at: the two-layer network in the middle of its backward
    pass (also written to $TINYGRAD_MLP_SCREENSHOTS when set)."""
    watched, _, data = walked["two_layer"]
    page = watched.page
    page.click("#reset")
    middle = (
        data["steps"].index(next(s for s in data["steps"] if s["phase"] == "backward"))
        + len(data["steps"])
    ) // 2
    for _ in range(middle):
        page.keyboard.press("ArrowRight")
    folder = Path(os.environ.get("TINYGRAD_MLP_SCREENSHOTS", tmp_path))
    shot = folder / "explain_two_layer.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    assert page.locator("#graph g.step-op").count() == 1


def test_a_graph_of_a_few_thousand_nodes_stays_responsive(chromium, tmp_path) -> None:
    model = ScalarMLP(2, [16, 16, 1], seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    path = explain(loss, tmp_path / "big.html")
    watched = Watched(chromium.new_page(viewport={"width": 1280, "height": 900})).open(path)
    page = watched.page
    n_nodes = page.locator("#graph g.node").count()
    assert n_nodes > 1000
    start = time.perf_counter()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    assert page.get_attribute("body", "data-phase") == "backward"
    assert time.perf_counter() - start < 11  # 11 steps: well under a second each
    assert watched.errors == [] and watched.other_requests == []


def test_a_collapsed_graph_is_walked_to_the_end_without_errors(chromium, tmp_path) -> None:
    loss = (ScalarMLP(2, [4, 4, 1], seed=0)([0.5, -1.0]) - 1.0) ** 2
    path = explain(loss, tmp_path / "collapsed.html", max_nodes=20)
    watched = Watched(chromium.new_page()).open(path)
    page = watched.page
    assert "collapsed" in page.text_content("#graph")  # the caption says so
    page.keyboard.press("End")
    assert page.get_attribute("body", "data-phase") == "backward"
    assert watched.errors == [] and watched.other_requests == []
