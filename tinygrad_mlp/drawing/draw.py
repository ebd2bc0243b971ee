"""Drawing a computation graph with Graphviz: `draw_graph(output)`.

Every Value that `output` depends on is a node (name, shape, data, gradient), and every operation
is a small node of its own between its inputs and its result, as in micrograd's picture. Nodes
made inside a module call (`module_scope`, opened by every `Module` call) are drawn inside a
labelled box for that call, nested as the calls were; a parameter is drawn inside the box of the
module that owns it. Past `max_nodes` drawn nodes, module calls are collapsed into one node each
(innermost first), and if that is still too many, only the nodes nearest the output are drawn;
the picture says which.

Graphviz (the Python package) is imported when a picture is first drawn, not with the package.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine import Value, walk
from .placement import choose_direction

if TYPE_CHECKING:
    import graphviz

    from .picture import Picture

DEFAULT_MAX_NODES = 2000
DIRECTIONS = ("LR", "TB", "RL", "BT")
# file formats draw_graph writes: dot/gv are the DOT source (no Graphviz needed), the rest by dot
FORMATS = ("svg", "png", "pdf", "jpg", "jpeg", "gif", "ps", "eps", "svgz", "json", "dot", "gv")
INSTALL_HINT = (
    "Install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
    "(macOS), `conda install graphviz`, or see https://graphviz.org/download/. Without it, "
    "draw_graph(...) still returns the graph, and path='graph.dot' writes its DOT source."
)
# the legend's words for what is drawn in red
REPORT_RED = "an operation whose backward disagrees with its forward (check_graph)"
VALUES_RED = "the highlighted Values (highlight=)"


class GraphvizNotFoundError(RuntimeError):
    """Raised when a picture must be rendered but Graphviz's `dot` program is not on PATH."""


def draw_graph(
    output: Value,
    path: str | os.PathLike[str] | None = None,
    *,
    format: str | None = None,
    rankdir: str | None = None,
    show_data: bool = True,
    show_grad: bool = True,
    color_by_grad: bool = False,
    max_nodes: int = DEFAULT_MAX_NODES,
    highlight: Any = None,
) -> graphviz.Digraph | Path:
    """Draw the computation graph that produced `output`.

    >>> import os, tempfile
    >>> from tinygrad_mlp import MLP
    >>> model = MLP(2, [3, 1], seed=0)
    >>> loss = ((model([[1.0, 2.0]]) - 1.0) ** 2).mean(); loss.backward()
    >>> g = draw_graph(loss)                     # a graphviz.Digraph (shows itself in Jupyter)
    >>> folder = tempfile.mkdtemp()
    >>> draw_graph(loss, path=os.path.join(folder, "loss.dot")).name   # writes it, returns Path
    'loss.dot'

    `rankdir`: "LR" (left to right) or "TB" (top to bottom); by default chosen from the graph's
    shape (`choose_direction`): small scalar graphs left to right, as in micrograd's lecture,
    everything else top to bottom, so that the picture is read without scrolling sideways.
    `show_data`/`show_grad`: print values and gradients in the nodes. `color_by_grad`: fill
    each value by its gradient's magnitude on a log scale (blue: vanishing, red: exploding),
    with a legend. `max_nodes`: past this many drawn nodes, module calls collapse into one
    node each. `highlight`: Values (or a
    gradient-check report with `failed_nodes`) whose operations are drawn in red. With `path`,
    the picture is written there (format from `format=` or the file's suffix: svg, png, pdf, or
    dot/gv for the DOT source, which needs no Graphviz install) and the path is returned.
    """
    if not isinstance(output, Value):
        raise TypeError(f"draw_graph() draws a Value's graph, got {type(output).__name__}")
    if rankdir is not None and rankdir not in DIRECTIONS:
        raise ValueError(f"draw_graph(rankdir={rankdir!r}): use one of {', '.join(DIRECTIONS)}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 2:
        raise ValueError(
            f"draw_graph(max_nodes={max_nodes!r}): must be an int of at least 2 "
            f"(the output, and one node standing for the rest)"
        )
    target = _check_target(path, format) if path is not None else None
    if format is not None and target is None:
        _check_format(format)
    picture, rankdir = build_picture(output, rankdir, max_nodes, highlight)
    graph = picture.to_digraph(rankdir, show_data, show_grad, color_by_grad, max_nodes)
    if format is not None:
        graph.format = format
    if target is None:
        return graph
    return _write(graph, *target)


NOTEBOOK_MAX_NODES = 400  # a notebook shows a Value's graph collapsed past this many nodes


def mimebundle(value: Value) -> dict[str, str]:
    """What Jupyter shows for a Value (`Value._repr_mimebundle_`): its graph as SVG, and its
    repr as text; without Graphviz's `dot`, the repr and how to install Graphviz.

    >>> from tinygrad_mlp import Value
    >>> sorted(mimebundle(Value(2.0) * 3))
    ['image/svg+xml', 'text/plain']
    """
    text = repr(value)
    try:
        svg = render(draw_graph(value, max_nodes=NOTEBOOK_MAX_NODES), "svg")
    except GraphvizNotFoundError:
        missing = f"(graph not drawn: Graphviz's dot is missing. {INSTALL_HINT})"
        return {"text/plain": f"{text}\n{missing}"}
    return {"image/svg+xml": svg.decode("utf-8"), "text/plain": text}


def build_picture(
    output: Value, rankdir: str | None, max_nodes: int, highlight: Any = None
) -> tuple[Picture, str]:
    """The picture of `output`'s graph, fitted to `max_nodes`, and the direction to draw it in
    (`rankdir`, or the one `choose_direction` picks). Arguments already checked."""
    from .picture import Picture  # imports graphviz: only when a picture is drawn

    values = walk(output)
    marked = _highlighted(highlight, values)
    means = REPORT_RED if hasattr(highlight, "failed_nodes") else VALUES_RED
    picture = Picture(values, output, marked, means)
    picture.fit(max_nodes)
    return picture, rankdir or choose_direction(values)


# ----------------------------------------------------------------------------------------------
# Input checks


def _check_format(fmt: str) -> str:
    if not isinstance(fmt, str) or fmt.lower() not in FORMATS:
        raise ValueError(
            f"draw_graph: unknown format {fmt!r}; use one of {', '.join(FORMATS)} "
            f"(dot and gv write the DOT source)"
        )
    return fmt.lower()


def _check_target(path: Any, fmt: str | None) -> tuple[Path, str]:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"draw_graph(path=...) must be a str or path, got {type(path).__name__}")
    target = Path(path)
    suffix = target.suffix.lstrip(".").lower()
    if fmt is None:
        if not suffix:
            raise ValueError(
                f"draw_graph: cannot tell the format of {str(target)!r}; give it a suffix "
                f"('graph.svg') or pass format='svg'"
            )
        fmt = suffix
    fmt = _check_format(fmt)
    if suffix in FORMATS and suffix != fmt:
        raise ValueError(f"draw_graph: path {str(target)!r} ends in .{suffix} but format={fmt!r}")
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(
            f"draw_graph: folder {str(folder)!r} does not exist (path={str(target)!r})"
        )
    if target.is_dir():
        raise IsADirectoryError(f"draw_graph: path {str(target)!r} is a folder, not a file name")
    return target, fmt


def _highlighted(highlight: Any, values: list[Value]) -> set[int]:
    """ids of the Values to draw in red: from Values or a report with `failed_nodes`."""
    if highlight is None:
        return set()
    if hasattr(highlight, "failed_nodes"):
        highlight = highlight.failed_nodes
    if isinstance(highlight, Value):
        highlight = [highlight]
    if not isinstance(highlight, Iterable):
        raise TypeError(
            f"draw_graph(highlight=...) takes Values or a report with failed_nodes, "
            f"got {type(highlight).__name__}"
        )
    marked = set()
    for i, v in enumerate(highlight):
        if not isinstance(v, Value):
            raise TypeError(
                f"draw_graph(highlight=...): item {i} is {type(v).__name__}, not a Value"
            )
        marked.add(id(v))
    missing = len(marked - {id(v) for v in values})
    if missing:
        raise ValueError(
            f"draw_graph(highlight=...): {missing} of the Values are not in this graph"
        )
    return marked


# ----------------------------------------------------------------------------------------------
# Writing files


def _write(graph: graphviz.Digraph, path: Path, fmt: str) -> Path:
    """Render to `path` in `fmt`; written whole or not at all (no partial file on failure)."""
    data = render(graph, fmt)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def render(graph: graphviz.Digraph, fmt: str) -> bytes:
    """The picture in `fmt` (svg, png, ...; dot/gv: the DOT source), made by Graphviz's `dot`;
    `GraphvizNotFoundError` where `dot` is missing."""
    if fmt in ("dot", "gv"):
        data = graph.source.encode()
    else:
        import graphviz

        if shutil.which("dot") is None:
            raise GraphvizNotFoundError(
                f"draw_graph: writing {fmt} needs Graphviz's `dot` program, which is not on "
                f"PATH. {INSTALL_HINT}"
            )
        try:
            data = graph.pipe(format=fmt)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFoundError(
                f"draw_graph: Graphviz's `dot` program could not be run. {INSTALL_HINT}"
            ) from None
        except graphviz.CalledProcessError as exc:
            stderr = exc.stderr.decode(errors="replace") if exc.stderr else ""
            raise RuntimeError(f"draw_graph: dot failed to render {fmt}: {stderr}") from None
        if fmt == "svg":
            data = fit_svg_text(data)
    return data


SVG_TEXT_SCALE = 0.93
_FONT_SIZE = re.compile(rb'font-size="([0-9.]+)"')


def fit_svg_text(svg: bytes) -> bytes:
    """Set the SVG's text 7% smaller than dot laid it out, so that it fits its cells.

    dot measures text with Pango, hinted at whole pixels, which makes DejaVu Sans about 5%
    narrower than browsers and librsvg draw it unhinted (measured: a 310 pt cell held 326 pt of
    text in Chromium); drawn at 93%, every label fits in both (tests/drawing/test_text_fits.py).

    >>> fit_svg_text(b'<text font-size="10.00">x</text>')
    b'<text font-size="9.30">x</text>'
    """

    def smaller(match: re.Match[bytes]) -> bytes:
        return b'font-size="%.2f"' % (float(match.group(1)) * SVG_TEXT_SCALE)

    return _FONT_SIZE.sub(smaller, svg)
