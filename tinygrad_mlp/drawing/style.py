"""What each part of a drawn graph says and how it looks (used by `picture.py`).

Value nodes are HTML-like tables: name, shape and dtype (tensors), data, gradient. Numbers are
printed in full for scalars and single-element tensors (six significant digits) and, for other
tensors, as the whole matrix (three digits an entry) when it has at most `SMALL_TENSOR` elements,
else as a one-line summary. Operation nodes show what the op says of itself,
`op.describe(params)` (`+`, `@`, `sum axis=0`); a user-defined `Function` shows its class name.
"""

from __future__ import annotations

import math
from typing import Any

import graphviz
import numpy as np

from ..engine import Scope, Value

# DejaVu Sans comes with Graphviz's dependencies (fontconfig, on Debian); naming an installed font
# makes dot measure text with the font that renderers (Chromium, librsvg) then draw it in, so the
# text fits its cells in both
FONT = "DejaVu Sans"
MARK_COLOUR = "#d32f2f"

SMALL_TENSOR = 12  # tensors with at most this many elements (and 1 or 2 axes) are drawn in full

# Gradient magnitude colour scale: log10 |grad| -> fill colour (a blue-yellow-red diverging scale).
# Blue is vanishing, pale is ordinary (0.01 to 1), red is exploding.
GRAD_SCALE: tuple[tuple[float, str], ...] = (
    (-8.0, "#313695"),
    (-6.0, "#4575b4"),
    (-4.0, "#74add1"),
    (-2.0, "#e0f3f8"),
    (0.0, "#fee090"),
    (2.0, "#f46d43"),
    (4.0, "#a50026"),
)


def value_node(
    where: graphviz.Digraph,
    name: str,
    v: Value,
    is_output: bool,
    marked: bool,
    show_data: bool,
    show_grad: bool,
    by_grad: bool,
    side_by_side: bool,
    grad: Any = None,
    grad_id: str | None = None,
) -> None:
    """Draw Value `v` as node `name`: the output bold and gold, a constant dashed and grey, a
    named leaf (a parameter) rounded and blue, another leaf green; by gradient if `by_grad`.
    `grad` shows that gradient instead of `v.grad`; `grad_id` names its cell in the SVG (the
    step-through page shows and hides it)."""
    fill, font, border, style, color = "white", "black", 1, "", "black"
    if is_output:
        fill, border = "#ffe9a8", 2
    elif v.op is None and not v.requires_grad:
        fill, font, style, color = "#f2f2f2", "#555555", "dashed", "#555555"
    elif v.op is None and v.label:
        fill, style = "#cfe2ff", "rounded"
    elif v.op is None:
        fill = "#d9f2d9"
    if by_grad:
        magnitude = grad_magnitude(v)
        if magnitude is not None:
            fill, font = grad_colour(magnitude)
    if marked:
        border, color = 3, MARK_COLOUR
    label = value_label(
        v, show_data, show_grad, side_by_side, fill, border, style, color, grad, grad_id
    )
    where.node(name, label, shape="plain", fontcolor=font)


def op_node(where: graphviz.Digraph, name: str, v: Value, marked: bool) -> None:
    """Draw the operation that made `v` as a small node; red when `marked` (it failed a check)."""
    op: Any = v.op  # a Function subclass
    text = op.describe(v.params)
    attrs = {"shape": "circle" if len(text) <= 2 else "ellipse", "fontsize": "9"}
    attrs.update(style="filled", fillcolor="#ececec", margin="0.02", width="0.3")
    if marked:
        attrs.update(fillcolor=MARK_COLOUR, fontcolor="white", color="#8e0000", penwidth="2")
    where.node(name, text, **attrs)


def call_node(
    where: graphviz.Digraph,
    name: str,
    title: str,
    n_values: int,
    n_ops: int,
    magnitude: float | None,
    marked: bool,
) -> None:
    """Draw a collapsed module call as one node; coloured by its largest gradient if given."""
    label = f"{title}\\n{count(n_values, 'value')}, {count(n_ops, 'operation')}"
    attrs = {"shape": "box3d", "style": "filled", "fillcolor": "#dde6f3"}
    if magnitude is not None:
        attrs["fillcolor"], attrs["fontcolor"] = grad_colour(magnitude)
    if marked:
        attrs.update(color=MARK_COLOUR, penwidth="2.5")
    where.node(name, label, **attrs)


def style_box(box: graphviz.Digraph, title: str, depth: int) -> None:
    """A module call's box: titled, rounded, a shade darker for each level of nesting."""
    box.attr(label=title, labeljust="l", fontsize="10", style="rounded,filled")
    box.attr(color="#8a9bb5", fillcolor=("#f4f7fb", "#e9eff7", "#dde6f3")[depth % 3])


def scope_title(scope: Scope) -> str:
    """A module call's box title: its class and, when given, its name (`Layer layers.0`)."""
    kind = type(scope.module).__name__
    return f"{kind} {scope.name}" if scope.name and scope.name != kind else kind


def caption(lines: list[str], by_grad: bool, marked_means: str = "") -> str:
    """The picture's title, an HTML label: `lines` of text, then the colour legends (gradient
    magnitude when `by_grad`; what red means when some nodes are marked)."""
    rows = "".join(f"<tr><td align='left'>{html_escape(t)}</td></tr>" for t in lines)
    if marked_means:
        rows += (
            "<tr><td align='left'><table border='0' cellspacing='0' cellpadding='2'><tr>"
            f"<td bgcolor='{MARK_COLOUR}'><font color='white'>red</font></td>"
            f"<td>{html_escape(marked_means)}</td></tr></table></td></tr>"
        )
    if by_grad:
        cells = "".join(
            f"<td bgcolor='{colour}'><font color='{grad_colour(10.0**x)[1]}'>1e{int(x)}</font></td>"
            for x, colour in GRAD_SCALE
        )
        rows += (
            "<tr><td><table border='0' cellspacing='0' cellpadding='3'><tr>"
            f"<td>|grad|:</td>{cells}</tr></table></td></tr>"
        )
    return f"<<table border='0' cellspacing='0'>{rows}</table>>"


def count(n: int, noun: str) -> str:
    """`1 value`, `2 values`."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def value_label(
    v: Value,
    show_data: bool,
    show_grad: bool,
    along: bool,
    fill: str,
    border: int = 1,
    style: str = "",
    color: str = "black",
    grad: Any = None,
    grad_id: str | None = None,
) -> str:
    """A value node's label: a Graphviz HTML table with a cell each for the name (bold),
    shape/dtype, data and gradient; side by side when `along` (left-to-right drawings, as in
    micrograd's picture), stacked otherwise. A table, not a record: records cannot take part
    in the same-rank placement that puts a parameter beside the operation it feeds."""
    cells = value_cells(v, show_data, show_grad, grad) or [[" "]]
    html = ["<br/>".join(html_escape(line) for line in lines) for lines in cells]
    if v.label:
        html[0] = f"<b>{html[0]}</b>"
    td = ["<td>"] * len(html)
    if grad_id is not None and show_grad and v.requires_grad:  # the gradient is the last cell
        # an id reaches the SVG only with an href (as <g id="a_ID">); the href is this cell
        td[-1] = f'<td id="{grad_id}" href="#{grad_id}" tooltip="gradient">'
    if along:
        rows = "<tr>" + "".join(f"{t}{c}</td>" for t, c in zip(td, html)) + "</tr>"
        rules = 'columns="*"'
    else:
        rows, rules = "".join(f"<tr>{t}{c}</td></tr>" for t, c in zip(td, html)), 'rows="*"'
    style = f' style="{style}"' if style else ""
    return (
        f'<<table border="{border}" cellborder="0" cellspacing="0" cellpadding="3" {rules} '
        f'bgcolor="{fill}" color="{color}"{style}>{rows}</table>>'
    )


def value_cells(v: Value, show_data: bool, show_grad: bool, grad: Any = None) -> list[list[str]]:
    """The lines of each part of a value node: name, shape/dtype, data, gradient (plain text);
    the gradient `grad` when given, else `v.grad`."""
    fields = []
    if v.label:
        fields.append([v.label])
    scalar = v.is_scalar
    if not scalar:
        fields.append([f"{shape_text(v.shape)} {v.dtype}"])
    if show_data:
        fields.append(_numbers("data", v.data))
    if show_grad and v.requires_grad:
        g = v.grad if grad is None else grad
        g = g.data if isinstance(g, Value) else g
        if g is not None:
            fields.append(_numbers("grad", g))
    return fields


def _numbers(kind: str, x: Any) -> list[str]:
    lines = [_number(x)] if x.__class__ is float else tensor_lines(x, kind)
    lines[0] = f"{kind} {lines[0]}"
    return lines


def shape_text(shape: tuple[int, ...]) -> str:
    """`(32, 3)` as numpy writes it; a 0-d array is `0-d`."""
    return str(tuple(shape)) if shape else "0-d"


def tensor_lines(a: np.ndarray, kind: str) -> list[str]:
    """The whole tensor, a row a line (a column as one row marked ᵀ), when it is small; else a
    one-line summary (mean and std for data, the largest and mean |g| for a gradient)."""
    a = np.asarray(a)
    if a.size == 1:
        return [_number(float(a.reshape(())))]
    if 0 < a.size <= SMALL_TENSOR and a.ndim in (1, 2):
        if a.ndim == 2 and a.shape[1] == 1:
            return ["[" + " ".join(_short_number(x) for x in a[:, 0]) + "]ᵀ"]
        rows = a.reshape(1, -1) if a.ndim == 1 else a
        return ["[" + " ".join(_short_number(x) for x in row) + "]" for row in rows]
    if a.size == 0:
        return ["(empty)"]
    if kind == "grad":
        mags = np.abs(a)
        return [f"max |g| {_short_number(mags.max())}, mean |g| {_short_number(mags.mean())}"]
    return [f"mean {_short_number(a.mean())}, std {_short_number(a.std())}"]


def grad_magnitude(v: Value) -> float | None:
    """|grad| for a scalar, max |grad| for a tensor; None where there is no gradient."""
    if not v.requires_grad:
        return None
    g = v.grad.data if isinstance(v.grad, Value) else v.grad
    if g is None:
        return None
    if g.__class__ is float:
        return abs(g)
    return float(np.max(np.abs(g))) if np.size(g) else None


def grad_colour(magnitude: float) -> tuple[str, str]:
    """(fill colour, font colour) for a gradient magnitude on the fixed log scale `GRAD_SCALE`."""
    if not math.isfinite(magnitude):
        return GRAD_SCALE[-1][1], "white"
    x = math.log10(magnitude) if magnitude > 0 else GRAD_SCALE[0][0]
    lo_x, lo_c = GRAD_SCALE[0]
    if x <= lo_x:
        return lo_c, "white"
    for hi_x, hi_c in GRAD_SCALE[1:]:
        if x <= hi_x:
            t = (x - lo_x) / (hi_x - lo_x)
            fill = _mix(lo_c, hi_c, t)
            return fill, ("white" if x < -5 or x > 2.5 else "black")
        lo_x, lo_c = hi_x, hi_c
    return GRAD_SCALE[-1][1], "white"


def html_escape(text: str) -> str:
    """Escape text for a Graphviz HTML-like label."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _number(x: float) -> str:
    return f"{x:.6g}"


def _short_number(x: Any) -> str:
    return f"{float(x):.3g}"


def _mix(a: str, b: str, t: float) -> str:
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb))
