"""The step-through page: `explain(output, path)` writes one HTML file that walks the forward
pass and then the backward pass of `output`'s graph one operation at a time.

- `steps`: the steps, with the engine's numbers and the words that explain them;
- `page`: the HTML file (the graph drawn by `draw_graph`, the steps, and the page's script and
  styles, `page.js` and `page.css`, all inside the one file).
"""

from __future__ import annotations

from .page import explain
from .steps import Flow, Step, Steps, walkthrough

__all__ = ["Flow", "Step", "Steps", "explain", "walkthrough"]
