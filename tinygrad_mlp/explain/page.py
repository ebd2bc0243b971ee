"""`explain(output, path)`: the step-through page of backpropagation, one self-contained file.

The page holds the graph as `draw_graph` draws it (module calls as boxes; big graphs collapsed
the same way), with every gradient cell naming the Value it shows, the steps (`steps.py`) as
JSON, and its script and styles (`page.js`, `page.css`, package data) inline: no network
request, nothing to install, and it works opened from disk.
"""

from __future__ import annotations

import html
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from ..drawing.draw import DEFAULT_MAX_NODES, DIRECTIONS, build_picture, render
from ..engine import Value
from .steps import Steps, walkthrough

PLAY_INTERVAL_MS = 700  # Play: one step this often


def explain(
    output: Value,
    path: str | os.PathLike[str] = "backprop.html",
    *,
    title: str | None = None,
    rankdir: str | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Path:
    """Write the step-through page of `output`'s forward and backward pass; returns its path.

    >>> import os, tempfile
    >>> from tinygrad_mlp import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> loss = (a * b + a).tanh()
    >>> page = explain(loss, os.path.join(tempfile.mkdtemp(), "backprop.html"))
    >>> page.read_text().count('role="status"'), a.grad      # no .grad was changed
    (1, 0.0)

    Buttons Previous, Next, Play/Pause and Reset (and the arrow keys) walk the forward pass,
    one operation at a time, then the backward pass: each step highlights the operation and its
    inputs and says, in the status area, the op's local derivative, the incoming gradient, and
    what flows to each input (summed where an input is used more than once). The numbers are
    the engine's: the gradients of one real backward pass (`grad`; no `.grad` is changed) and
    each op's own `backward`. `rankdir` and `max_nodes` are `draw_graph`'s. Needs Graphviz's
    `dot` (`GraphvizNotFoundError` otherwise).
    """
    if rankdir is not None and rankdir not in DIRECTIONS:
        raise ValueError(f"explain(rankdir={rankdir!r}): use one of {', '.join(DIRECTIONS)}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 2:
        raise ValueError(f"explain(max_nodes={max_nodes!r}): must be an int of at least 2")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"explain(path=...) must be a str or path, got {type(path).__name__}")
    target = Path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"explain: folder {str(target.parent)!r} does not exist")
    steps = walkthrough(output)
    text = page_html(steps, output, title, rankdir, max_nodes)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:  # written whole or not at all
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def page_html(
    steps: Steps, output: Value, title: str | None, rankdir: str | None, max_nodes: int
) -> str:
    """The page as one string: the SVG, the steps as JSON, the script and the styles."""
    picture, direction = build_picture(output, rankdir, max_nodes)
    grads = {id(v): g for v, g in zip(steps.values, steps.grads) if g is not None}
    graph = picture.to_digraph(direction, True, True, False, max_nodes, grads=grads)
    svg = render(graph, "svg").decode("utf-8")
    svg = svg[svg.index("<svg") :]  # the XML prolog and doctype are not HTML
    data = {"values": _drawn(steps, picture), "interval": PLAY_INTERVAL_MS}
    data["steps"] = [
        {"phase": s.phase, "node": s.node, "inputs": s.inputs, "lines": s.lines, "final": s.final}
        for s in steps.steps
    ]
    name = title or f"Backpropagation through {steps.names[-1]}, step by step"
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return TEMPLATE.format(
        title=html.escape(name),
        css=_asset("page.css"),
        svg=svg,
        data=payload,
        script=_asset("page.js"),
    )


def _drawn(steps: Steps, picture: Any) -> list[dict[str, Any]]:
    """For each Value: the drawn nodes showing it, its op's node, and its gradient cells."""
    position = {id(v): i for i, v in enumerate(steps.values)}
    found: list[dict[str, Any]] = [
        {"name": n, "leaf": v.op is None, "nodes": [], "op": None, "grad": []}
        for v, n in zip(steps.values, steps.names)
    ]
    for item, (kind, v) in enumerate(zip(picture.kind, picture.ref)):
        entry = found[position[id(v)]]
        name = picture.drawn_name(item)
        if name is None:
            continue
        if kind == "op":
            entry["op"] = name
        else:
            if name not in entry["nodes"]:
                entry["nodes"].append(name)
            if name == f"n{item}" and id(v) in picture.grads:
                entry["grad"].append(f"grad_{item}")
    return found


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{css}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<div class="controls">
<button id="reset" type="button">Reset</button>
<button id="prev" type="button">Previous</button>
<button id="play" type="button">Play</button>
<button id="next" type="button">Next</button>
<span id="counter"></span>
<span class="keys">keys: ← previous, → next, Home, End</span>
</div>
<div class="legend">
<span class="l-op">the operation</span>
<span class="l-value">its result</span>
<span class="l-input">its inputs</span>
<span class="l-pending">not computed yet</span>
</div>
<div id="status" role="status" aria-live="polite"></div>
</header>
<main id="graph">
{svg}
</main>
<script type="application/json" id="steps">{data}</script>
<script>
{script}</script>
</body>
</html>
"""
