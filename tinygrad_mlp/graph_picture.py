"""The picture of a computation graph, before Graphviz lays it out (used by `graph.draw_graph`).

Which nodes there are (a node per Value, a node per operation, a copy of a shared number constant
beside each use), which module-call box each goes in, and, for big graphs, which module calls are
collapsed into one node or which nodes are left out.
"""

from __future__ import annotations

from typing import Any

import graphviz

from .engine import _SHARED_CONSTANTS, Scope, Value
from .graph_labels import (
    GRAD_SCALE,
    grad_colour,
    grad_magnitude,
    html_escape,
    op_text,
    value_label,
)

QUICK_LAYOUT_FROM = 400  # drawn nodes from which dot trades layout polish for speed

_VALUE, _OP = "value", "op"


def walk(output: Value) -> list[Value]:
    """Every Value `output` depends on (itself included), inputs first. Iterative: any depth."""
    seen = {id(output)}
    stack = [output]
    found = []
    while stack:
        v = stack.pop()
        found.append(v)
        for p in v._prev:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    found.sort(key=lambda v: v._index)
    return found


def _is_shared_constant(v: Value) -> bool:
    """One of the number constants the engine shares between all graphs (the `2` in `x * 2`):
    drawn as a copy beside each of its uses, not as one node with edges all over the picture."""
    return v.data.__class__ is float and _SHARED_CONSTANTS.get(v.data) is v


def _chain(scope: Scope | None) -> list[Scope]:
    """`scope` and its enclosing scopes, outermost first."""
    chain = []
    while scope is not None:
        chain.append(scope)
        scope = scope.parent
    chain.reverse()
    return chain


def _common_scope(a: Scope | None, b: Scope | None) -> Scope | None:
    common = None
    for x, y in zip(_chain(a), _chain(b)):
        if x is not y:
            break
        common = x
    return common


class _Owners:
    """Which module call a parameter (a leaf made outside any call) is drawn in: the innermost
    call of a module whose `parameters()` holds it, common to all its uses."""

    def __init__(self) -> None:
        self._params: dict[int, set[int]] = {}

    def _owns(self, module: Any, v: Value) -> bool:
        key = id(module)
        params = self._params.get(key)
        if params is None:
            getter = getattr(module, "parameters", None)
            items = getter() if callable(getter) else ()
            params = self._params[key] = {id(p) for p in items if isinstance(p, Value)}
        return id(v) in params

    def place(self, v: Value, uses: list[Scope | None]) -> tuple[Scope | None, int | None]:
        """(the call to draw `v` in, or None; when `v` belongs to several calls of its modules
        instead, the depth of the outermost of them: collapsed that deep, they absorb it)."""
        placed: Scope | None = None
        shallowest = None
        for i, scope in enumerate(uses):
            while scope is not None and not self._owns(scope.module, v):
                scope = scope.parent
            if scope is None:
                return None, None
            depth = len(_chain(scope)) - 1
            shallowest = depth if shallowest is None else min(shallowest, depth)
            placed = scope if i == 0 else _common_scope(placed, scope)
        return placed, (shallowest if placed is None else None)


Box = tuple[Scope, graphviz.Digraph]  # a module call and the cluster drawn for it


class Picture:
    """The nodes to draw (values, operations, collapsed modules), their boxes and edges."""

    def __init__(self, values: list[Value], output: Value, marked: set[int]) -> None:
        self.output = output
        self.n_values = len(values)
        self.n_ops = 0
        # items: one per node of the full drawing; kind, the Value it shows, its scope
        self.kind: list[str] = []
        self.ref: list[Value] = []
        self.scope: list[Scope | None] = []
        self.edges: list[tuple[int, int]] = []
        # parameters used by several calls of their modules: item -> depth of the outermost call
        self.shared: dict[int, int] = {}
        self.marked = marked
        node_of: dict[int, int] = {}
        uses: dict[int, list[Scope | None]] = {}
        copies = set()
        for v in values:
            if v._op is not None:
                self.n_ops += 1
                for p in v._prev:
                    if p._op is None and p._scope is None:
                        uses.setdefault(id(p), []).append(v._scope)
            elif _is_shared_constant(v) and v is not output:
                copies.add(id(v))
        owners = _Owners()
        add = self._add
        for v in values:
            if id(v) in copies:
                continue
            scope, shared = v._scope, None
            if v._op is None and scope is None and id(v) in uses:
                scope, shared = owners.place(v, uses[id(v)])
            node_of[id(v)] = add(_VALUE, v, scope)
            if shared is not None:
                self.shared[node_of[id(v)]] = shared
        edges = self.edges
        for v in values:
            if v._op is None:
                continue
            op_node = add(_OP, v, v._scope)
            edges.append((op_node, node_of[id(v)]))
            for p in v._prev:
                src = add(_VALUE, p, v._scope) if id(p) in copies else node_of[id(p)]
                edges.append((src, op_node))
        self.out_node = node_of[id(output)]
        self.level: int | None = None  # module calls this deep (0 = outermost) are collapsed
        self._box_of: dict[int, str] = {}  # scope id -> the collapsed node it is drawn in
        self.keep: set[int] | None = None  # drawn nodes when truncated

    def _add(self, kind: str, v: Value, scope: Scope | None) -> int:
        self.kind.append(kind)
        self.ref.append(v)
        self.scope.append(scope)
        return len(self.kind) - 1

    # -- collapsing -------------------------------------------------------------------------

    def fit(self, max_nodes: int) -> None:
        """Collapse module calls, innermost first, until at most `max_nodes` nodes remain;
        if collapsing every call is not enough, keep only the nodes nearest the output."""
        per_scope: dict[int, int] = {}
        scopes: dict[int, Scope] = {}
        for s in self.scope:
            if s is not None:
                key = id(s)
                if key in per_scope:
                    per_scope[key] += 1
                else:
                    per_scope[key] = 1
                    scopes[key] = s
        total = len(self.kind)
        if total > max_nodes and scopes:
            chains = {key: _chain(s) for key, s in scopes.items()}
            outside = total - sum(per_scope.values())
            for level in range(max(len(c) for c in chains.values()) - 1, -1, -1):
                absorbed = sum(1 for depth in self.shared.values() if depth >= level)
                boxes = {id(c[level]) for c in chains.values() if len(c) > level}
                inside = sum(n for k, n in per_scope.items() if len(chains[k]) <= level)
                total = outside - absorbed + inside + len(boxes)
                if total <= max_nodes or level == 0:
                    break
            self.level = level
            kinds = {type(c[level].module).__name__ for c in chains.values() if len(c) > level}
            self.collapsed_kinds = sorted(kinds)
            numbers: dict[int, int] = {}  # collapsed call -> its number, in order of creation
            self._box_of = {
                k: f"m{numbers.setdefault(id(c[level]), len(numbers))}"
                for k, c in chains.items()
                if len(c) > level
            }
        if total > max_nodes:
            self._truncate(max_nodes)

    def drawn_id(self, item: int) -> str | None:
        """The graphviz node an item ends up in: itself, or the collapsed module holding it
        (None: a parameter shared by several collapsed calls, drawn as part of each)."""
        if self.level is None:
            return f"n{item}"
        s = self.scope[item]
        if s is not None:
            return self._box_of.get(id(s), f"n{item}")
        if self.shared.get(item, -1) >= self.level:
            return None
        return f"n{item}"

    def _truncate(self, max_nodes: int) -> None:
        """Keep the `max_nodes - 1` nodes nearest the output; the rest become one node."""
        inputs: dict[str, list[str]] = {}
        for a, b in self.edges:
            src, dst = self.drawn_id(a), self.drawn_id(b)
            if src is not None and dst is not None:
                inputs.setdefault(dst, []).append(src)
        start = self.drawn_id(self.out_node)
        keep = {start}
        queue = [start]
        for node in queue:
            for src in inputs.get(node, ()):
                if src not in keep and len(keep) < max_nodes - 1:
                    keep.add(src)
                    queue.append(src)
        self.keep = keep

    # -- to graphviz ------------------------------------------------------------------------

    def to_digraph(
        self, rankdir: str, show_data: bool, show_grad: bool, by_grad: bool, max_nodes: int
    ) -> graphviz.Digraph:
        self.side_by_side = rankdir in ("LR", "RL")  # a value's cells follow the flow
        root = graphviz.Digraph("graph", format="svg")
        root.attr(rankdir=rankdir, nodesep="0.12", ranksep="0.25", fontname="Helvetica")
        root.attr("node", fontname="Helvetica", fontsize="10", height="0.3")
        root.attr("edge", arrowsize="0.6", color="#555555")
        boxes: dict[int, Box] = {}
        members: dict[str, list[int]] = {}
        for item in range(len(self.kind)):
            node = self.drawn_id(item)
            if node is not None:
                members.setdefault(node, []).append(item)
        drawn = set(members)
        if self.keep is not None:
            drawn = self.keep
        hidden = [n for n in members if n not in drawn]
        root.attr(label=self._caption(len(drawn) + bool(hidden), by_grad, max_nodes))
        root.attr(labelloc="t", labeljust="l", fontsize="11")
        if len(drawn) >= QUICK_LAYOUT_FROM:  # network simplex to convergence is most of dot's time
            root.attr(nslimit="1", nslimit1="1", mclimit="0.5")
        for node, items in members.items():
            if node not in drawn:
                continue
            first = items[0]
            scope = self.scope[first]
            if node[0] == "m":
                scope = _chain(scope)[self.level]
                where = self._box(root, boxes, scope.parent)
                self._module_node(where, node, scope, items, by_grad)
                continue
            where = self._box(root, boxes, scope)
            if self.kind[first] == _OP:
                self._op_node(where, node, self.ref[first])
            else:
                v = self.ref[first]
                self._value_node(where, node, v, show_data, show_grad, by_grad)
        if hidden:
            n_hidden = sum(len(members[n]) for n in hidden)
            label = f"… {n_hidden:,} more values and operations"
            root.node("more", label, shape="note", style="filled", fillcolor="#eeeeee")
        merged = self.level is not None or self.keep is not None
        seen = set()  # when nodes are merged, edges between the same two nodes are drawn once
        for a, b in self.edges:
            src, dst = self.drawn_id(a), self.drawn_id(b)
            if src is None or dst is None:
                continue
            if src not in drawn:
                src = "more"
            if dst not in drawn:
                dst = "more"
            if merged:
                if src == dst or (src, dst) in seen:
                    continue
                seen.add((src, dst))
            root.edge(src, dst)
        self._place_beside(root, boxes, drawn)
        self._attach(root, boxes)
        return root

    def _place_beside(self, root: graphviz.Digraph, boxes: dict[int, Box], drawn: set[str]) -> None:
        """Put a parameter on the rank of the one operation it feeds in its module's box, and
        a constant beside its use: the data flows straight through a layer, weights and numbers
        come in from the side (else each layer's box starts a rank early, and the boxes of
        consecutive layers, unable to share a rank, are laid out as a staircase)."""
        uses: dict[int, int] = {}
        for a, _ in self.edges:
            uses[a] = uses.get(a, 0) + 1
        for a, b in self.edges:
            v, scope = self.ref[a], self.scope[a]
            if self.kind[a] != _VALUE or v._op is not None or uses[a] != 1 or v is self.output:
                continue
            if scope is not self.scope[b] or (scope is None and v.requires_grad):
                continue
            src, dst = f"n{a}", f"n{b}"
            if self.drawn_id(a) != src or self.drawn_id(b) != dst:
                continue  # merged into a collapsed module call
            if src in drawn and dst in drawn:
                where = root if scope is None else boxes[id(scope)][1]
                where.body.append(f"\t{{rank=same; {src}; {dst}}}\n")

    def _box(
        self, root: graphviz.Digraph, boxes: dict[int, Box], scope: Scope | None
    ) -> graphviz.Digraph:
        """The cluster drawn for a module call (made on first use, with its enclosing ones)."""
        if scope is None:
            return root
        found = boxes.get(id(scope))
        if found is not None:
            return found[1]
        self._box(root, boxes, scope.parent)
        box = graphviz.Digraph(f"cluster_{len(boxes)}")
        boxes[id(scope)] = (scope, box)
        depth = len(_chain(scope)) - 1
        box.attr(label=scope_title(scope), labeljust="l", fontsize="10", style="rounded,filled")
        box.attr(color="#8a9bb5", fillcolor=("#f4f7fb", "#e9eff7", "#dde6f3")[depth % 3])
        return box

    def _attach(self, root: graphviz.Digraph, boxes: dict[int, Box]) -> None:
        """Put each box inside its enclosing one, innermost first (a subgraph is copied)."""
        for scope, box in sorted(boxes.values(), key=lambda sb: -len(_chain(sb[0]))):
            parent = root if scope.parent is None else boxes[id(scope.parent)][1]
            parent.subgraph(box)

    def _value_node(
        self,
        where: graphviz.Digraph,
        node: str,
        v: Value,
        show_data: bool,
        show_grad: bool,
        by_grad: bool,
    ) -> None:
        fill, font, border, style, color = "white", "black", 1, "", "black"
        if v is self.output:
            fill, border = "#ffe9a8", 2
        elif v._op is None and not v.requires_grad:
            fill, font, style, color = "#f2f2f2", "#555555", "dashed", "#555555"
        elif v._op is None and v.label:
            fill, style = "#cfe2ff", "rounded"  # a parameter or a named input
        elif v._op is None:
            fill = "#d9f2d9"
        if by_grad:
            magnitude = grad_magnitude(v)
            if magnitude is not None:
                fill, font = grad_colour(magnitude)
        if id(v) in self.marked and v._op is None:
            border, color = 3, "#d32f2f"
        label = value_label(v, show_data, show_grad, self.side_by_side, fill, border, style, color)
        where.node(node, label, shape="plain", fontcolor=font)

    def _op_node(self, where: graphviz.Digraph, node: str, v: Value) -> None:
        text = op_text(v)
        attrs = {"shape": "circle" if len(text) <= 2 else "ellipse", "fontsize": "9"}
        attrs.update(style="filled", fillcolor="#ececec", margin="0.02", width="0.3")
        if id(v) in self.marked:
            attrs.update(fillcolor="#d32f2f", fontcolor="white", color="#8e0000", penwidth="2")
        where.node(node, text, **attrs)

    def _module_node(
        self, where: graphviz.Digraph, node: str, scope: Scope, items: list[int], by_grad: bool
    ) -> None:
        n_ops = sum(1 for i in items if self.kind[i] == _OP)
        counts = f"{_count(len(items) - n_ops, 'value')}, {_count(n_ops, 'operation')}"
        label = f"{scope_title(scope)}\\n{counts}"
        attrs = {"shape": "box3d", "style": "filled", "fillcolor": "#dde6f3"}
        if by_grad:
            magnitudes = [grad_magnitude(self.ref[i]) for i in items if self.kind[i] == _VALUE]
            known = [m for m in magnitudes if m is not None]
            if known:
                attrs["fillcolor"], attrs["fontcolor"] = grad_colour(max(known))
        if any(id(self.ref[i]) in self.marked for i in items):
            attrs.update(color="#d32f2f", penwidth="2.5")
        where.node(node, label, **attrs)

    def _caption(self, n_drawn: int, by_grad: bool, max_nodes: int) -> str:
        """An HTML label: what is drawn, whether it was collapsed, and the colour legend."""
        lines = [f"{_count(self.n_values, 'value')}, {_count(self.n_ops, 'operation')}"]
        if self.level is not None:
            lines.append(
                f"collapsed: each {' / '.join(self.collapsed_kinds)} call is drawn as one node, "
                f"to fit max_nodes={max_nodes:,} ({len(self.kind):,} nodes in full)"
            )
        if self.keep is not None:
            lines.append(f"only the {n_drawn - 1:,} nodes nearest the output are drawn")
        rows = "".join(f"<tr><td align='left'>{html_escape(t)}</td></tr>" for t in lines)
        if by_grad:
            cells = "".join(
                f"<td bgcolor='{colour}'><font color='{grad_colour(10.0**x)[1]}'>"
                f"1e{int(x)}</font></td>"
                for x, colour in GRAD_SCALE
            )
            rows += (
                "<tr><td><table border='0' cellspacing='0' cellpadding='3'><tr>"
                f"<td>|grad|:</td>{cells}</tr></table></td></tr>"
            )
        return f"<<table border='0' cellspacing='0'>{rows}</table>>"


def scope_title(scope: Scope) -> str:
    """A module call's box title: its class and, when given, its name (`Layer layers.0`)."""
    kind = type(scope.module).__name__
    return f"{kind} {scope.name}" if scope.name and scope.name != kind else kind


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
