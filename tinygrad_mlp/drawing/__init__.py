"""Drawing a computation graph with Graphviz: `draw_graph(output)`.

- `draw`: `draw_graph`, its argument checks and writing files;
- `placement`: where each Value belongs (module-call boxes, parameters, shared leaves) and the
  direction a graph reads best in;
- `picture`: the nodes, boxes and edges before layout, collapsing and cutting down big graphs;
- `style`: what each node says and how it looks.

The graph is read with the engine's one walk (`tinygrad_mlp.engine.walk`) and each op's own
display metadata (`op.describe(params)`); graphviz is imported when a picture is first drawn.
"""

from __future__ import annotations

from .draw import DIRECTIONS, FORMATS, INSTALL_HINT, GraphvizNotFoundError, draw_graph

__all__ = ["DIRECTIONS", "FORMATS", "INSTALL_HINT", "GraphvizNotFoundError", "draw_graph"]
