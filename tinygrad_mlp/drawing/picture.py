"""The picture of a computation graph, before Graphviz lays it out (used by `draw.draw_graph`).

Which nodes there are (a node per Value, a node per operation, a copy of a shared number constant
beside each use), which module-call box each goes in, and, for big graphs, which module calls are
collapsed into one node or which nodes are left out.
"""

from __future__ import annotations

from typing import Any

import graphviz
import numpy as np

from ..engine import Scope, Value, is_shared_constant, scope_chain
from .placement import Owners, spread_leaves
from .style import (
    FONT,
    call_node,
    caption,
    count,
    grad_magnitude,
    op_node,
    scope_title,
    style_box,
    value_node,
)

QUICK_LAYOUT_FROM = 400  # drawn nodes from which dot trades layout polish for speed

_VALUE, _OP = "value", "op"
MORE = -1  # the drawn node standing for everything left out of a truncated picture


def _name(node: int) -> str:
    """Graphviz name of a drawn node: an item `n7`, a collapsed call `m0`, or `more`."""
    if node >= 0:
        return f"n{node}"
    return "more" if node == MORE else f"m{-2 - node}"


Box = tuple[Scope, graphviz.Digraph]  # a module call and the cluster drawn for it


class Picture:
    """The nodes to draw (values, operations, collapsed modules), their boxes and edges."""

    def __init__(
        self, values: list[Value], output: Value, marked: set[int], marked_means: str = ""
    ) -> None:
        self.output = output
        self.marked_means = marked_means  # the legend's words for the red nodes
        self.n_values = len(values)
        self.n_ops = 0
        # items: one per node of the full drawing; kind, the Value it shows, its scope
        self.kind: list[str] = []
        self.ref: list[Value] = []
        self.scope: list[Scope | None] = []
        # edge k goes from item edge_src[k] to item edge_dst[k] (flat lists: cheap to build,
        # and to hand to numpy when a big graph is cut down)
        self.edge_src: list[int] = []
        self.edge_dst: list[int] = []
        self.leaf_uses: list[tuple[int, int]] = []
        # parameters used by several calls of their modules: item -> depth of the outermost call
        self.shared: dict[int, int] = {}
        self.marked = marked
        node_of: dict[int, int] = {}
        uses: dict[int, list[Scope | None]] = {}
        copies = set()
        for v in values:
            if v.op is not None:
                self.n_ops += 1
                for p in v.parents:
                    if p.op is None and p.scope is None:
                        uses.setdefault(id(p), []).append(v.scope)
            elif is_shared_constant(v) and v is not output:
                copies.add(id(v))
        self.spread = []
        if len(values) + self.n_ops >= QUICK_LAYOUT_FROM:
            spread = spread_leaves(values)
            self.spread = [v for v in spread if v is not output and id(v) not in copies]
            copies.update(id(v) for v in self.spread)
        owners = Owners()
        kind, ref, scopes = self.kind, self.ref, self.scope
        for v in values:
            if id(v) in copies:
                continue
            scope, shared = v.scope, None
            if v.op is None and scope is None and id(v) in uses:
                scope, shared = owners.place(v, uses[id(v)])
            node_of[id(v)] = len(kind)
            if shared is not None:
                self.shared[len(kind)] = shared
            kind.append(_VALUE)
            ref.append(v)
            scopes.append(scope)
        src_of, dst_of = self.edge_src.append, self.edge_dst.append
        leaf_uses = self.leaf_uses  # (leaf item, op item), for placing leaves beside their op
        for v in values:
            if v.op is None:
                continue
            op_node = len(kind)
            kind.append(_OP)
            ref.append(v)
            scopes.append(v.scope)
            src_of(op_node)
            dst_of(node_of[id(v)])
            for p in v.parents:
                if id(p) in copies:
                    src = len(kind)
                    kind.append(_VALUE)
                    ref.append(p)
                    scopes.append(v.scope)
                else:
                    src = node_of[id(p)]
                src_of(src)
                dst_of(op_node)
                if p.op is None:
                    leaf_uses.append((src, op_node))
        self.out_node = node_of[id(output)]
        self.level: int | None = None  # module calls this deep (0 = outermost) are collapsed
        # the drawn node of each item: the item's own number, a collapsed call (-2, -3, ...),
        # or None for a parameter drawn as part of every collapsed call that uses it
        self.node: list[int | None] = list(range(len(kind)))
        self.keep: set[int] | None = None  # drawn nodes when truncated (MORE stands for the rest)

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
            chains = {key: scope_chain(s) for key, s in scopes.items()}
            outside = total - sum(per_scope.values())
            for level in range(max(len(c) for c in chains.values()) - 1, -1, -1):
                absorbed = sum(1 for depth in self.shared.values() if depth >= level)
                boxes = {id(c[level]) for c in chains.values() if len(c) > level}
                inside = sum(n for k, n in per_scope.items() if len(chains[k]) <= level)
                total = outside - absorbed + inside + len(boxes)
                if total <= max_nodes or level == 0:
                    break
            self._collapse(level, chains)
        if total > max_nodes:
            self._truncate(max_nodes)

    def _collapse(self, level: int, chains: dict[int, list[Scope]]) -> None:
        """Draw each module call `level` deep (with everything inside it) as one node."""
        self.level = level
        kinds = {type(c[level].module).__name__ for c in chains.values() if len(c) > level}
        self.collapsed_kinds = sorted(kinds)
        self.collapsed: list[Scope] = []  # collapsed node -2 - k is the call collapsed[k]
        number: dict[int, int] = {}
        box_of: dict[int, int] = {}
        for key, enclosing in chains.items():
            if len(enclosing) > level:
                call = enclosing[level]
                if id(call) not in number:
                    number[id(call)] = -2 - len(self.collapsed)
                    self.collapsed.append(call)
                box_of[key] = number[id(call)]
        node, shared = self.node, self.shared
        for i, s in enumerate(self.scope):
            if s is not None:
                node[i] = box_of.get(id(s), i)
            elif shared.get(i, -1) >= level:
                node[i] = None

    def _truncate(self, max_nodes: int) -> None:
        """Keep the `max_nodes - 1` nodes nearest the output; the rest become one node.

        A breadth-first walk back from the output over the drawn nodes' edges, sorted by
        destination with numpy so that the walk, not the graph, sets the cost."""
        absent = np.iinfo(np.int64).min  # a parameter absorbed into collapsed calls
        node = np.array([absent if n is None else n for n in self.node], dtype=np.int64)
        src = node[np.array(self.edge_src, dtype=np.int64)]
        dst = node[np.array(self.edge_dst, dtype=np.int64)]
        present = (src != absent) & (dst != absent)
        src, dst = src[present], dst[present]
        order = np.argsort(dst, kind="stable")
        src, dst = src[order].tolist(), dst[order]
        start: int = self.node[self.out_node]  # type: ignore[assignment]  # the output is drawn
        keep = {start}
        queue = [start]
        for n in queue:
            lo, hi = np.searchsorted(dst, (n, n + 1))
            for s in src[lo:hi]:
                if s not in keep and len(keep) < max_nodes - 1:
                    keep.add(s)
                    queue.append(s)
            if len(keep) >= max_nodes - 1:
                break
        self.keep = keep

    # -- to graphviz ------------------------------------------------------------------------

    def to_digraph(
        self,
        rankdir: str,
        show_data: bool,
        show_grad: bool,
        by_grad: bool,
        max_nodes: int,
        grads: dict[int, Any] | None = None,
    ) -> graphviz.Digraph:
        """The Graphviz graph. `grads` (id of a Value -> its gradient) shows those gradients
        instead of `.grad`, each in a cell with the SVG id `grad_N` (N: the Value's item)."""
        self.grads = grads
        self.side_by_side = rankdir in ("LR", "RL")  # a value's cells follow the flow
        root = graphviz.Digraph("graph", format="svg")
        root.attr(rankdir=rankdir, nodesep="0.12", ranksep="0.25", fontname=FONT)
        root.attr("node", fontname=FONT, fontsize="10", height="0.3")
        root.attr("edge", arrowsize="0.6", color="#555555")
        keep = self.keep
        members: dict[int, list[int]] = {}
        n_hidden = 0
        for i, n in enumerate(self.node):
            if n is None:
                continue
            if keep is not None and n not in keep:
                n_hidden += 1
            elif n in members:
                members[n].append(i)
            else:
                members[n] = [i]
        n_drawn = len(members) + (n_hidden > 0)
        root.attr(label=self._caption(n_drawn, by_grad, max_nodes))
        root.attr(labelloc="t", labeljust="l", fontsize="11")
        if n_drawn >= QUICK_LAYOUT_FROM:
            # most of dot's time on big graphs: network simplex run to convergence (limited
            # here) and curved routing around the rows of parameters beside their ops (lines)
            root.attr(nslimit="0.2", nslimit1="1", mclimit="0.5", splines="line")
        boxes: dict[int, Box] = {}
        for n, items in members.items():
            first = items[0]
            if n < 0:
                call = self.collapsed[-2 - n]
                where = self._box(root, boxes, call.parent)
                self._module_node(where, _name(n), call, items, by_grad)
                continue
            where = self._box(root, boxes, self.scope[first])
            if self.kind[first] == _OP:
                v = self.ref[first]
                op_node(where, _name(n), v, id(v) in self.marked)
            else:
                v = self.ref[first]
                self._value_node(where, _name(n), v, show_data, show_grad, by_grad, first)
        if n_hidden:
            label = f"… {n_hidden:,} more values and operations"
            root.node(_name(MORE), label, shape="note", style="filled", fillcolor="#eeeeee")
        self._draw_edges(root)
        self._place_beside(root, boxes)
        self._attach(root, boxes)
        return root

    def _draw_edges(self, root: graphviz.Digraph) -> None:
        node, keep, edge = self.node, self.keep, root.edge
        merged = self.level is not None or keep is not None
        seen = set()  # when nodes are merged, edges between the same two nodes are drawn once
        for a, b in zip(self.edge_src, self.edge_dst):
            src, dst = node[a], node[b]
            if src is None or dst is None:
                continue
            if keep is not None:
                if src not in keep:
                    src = MORE
                if dst not in keep:
                    dst = MORE
            if merged:
                if src == dst or (src, dst) in seen:
                    continue
                seen.add((src, dst))
            edge(_name(src), _name(dst))

    def _place_beside(self, root: graphviz.Digraph, boxes: dict[int, Box]) -> None:
        """Put a parameter on the rank of the one operation it feeds in its module's box, and
        a constant beside its use: the data flows straight through a layer, weights and numbers
        come in from the side (else each layer's box starts a rank early, and the boxes of
        consecutive layers, unable to share a rank, are laid out as a staircase)."""
        uses: dict[int, int] = {}
        for a, _ in self.leaf_uses:
            uses[a] = uses.get(a, 0) + 1
        node, keep = self.node, self.keep
        for a, b in self.leaf_uses:
            v, scope = self.ref[a], self.scope[a]
            if uses[a] != 1 or v is self.output or scope is not self.scope[b]:
                continue
            if node[a] != a or node[b] != b or (keep is not None and not {a, b} <= keep):
                continue  # merged into a collapsed call, or left out
            if scope is None and v.requires_grad:
                continue  # an input of the whole graph stays where dot puts it
            where = root if scope is None else boxes[id(scope)][1]
            where.body.append(f"\t{{rank=same; {_name(a)}; {_name(b)}}}\n")

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
        style_box(box, scope_title(scope), depth=len(scope_chain(scope)) - 1)
        return box

    def _attach(self, root: graphviz.Digraph, boxes: dict[int, Box]) -> None:
        """Put each box inside its enclosing one, innermost first (a subgraph is copied)."""
        for scope, box in sorted(boxes.values(), key=lambda sb: -len(scope_chain(sb[0]))):
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
        item: int,
    ) -> None:
        marked = id(v) in self.marked and v.op is None
        options = (show_data, show_grad, by_grad, self.side_by_side)
        if self.grads is None:
            value_node(where, node, v, v is self.output, marked, *options)
        else:
            grad, grad_id = self.grads.get(id(v)), f"grad_{item}"
            value_node(where, node, v, v is self.output, marked, *options, grad, grad_id)

    def drawn_name(self, item: int) -> str | None:
        """The Graphviz name of the node that shows item `item` (None: not drawn)."""
        n = self.node[item]
        if n is None:
            return None
        if self.keep is not None and n not in self.keep:
            return _name(MORE)
        return _name(n)

    def _module_node(
        self, where: graphviz.Digraph, node: str, scope: Scope, items: list[int], by_grad: bool
    ) -> None:
        n_ops = sum(1 for i in items if self.kind[i] == _OP)
        magnitude = None
        if by_grad:
            found = [grad_magnitude(self.ref[i]) for i in items if self.kind[i] == _VALUE]
            known = [m for m in found if m is not None]
            magnitude = max(known) if known else None
        marked = any(id(self.ref[i]) in self.marked for i in items)
        call_node(where, node, scope_title(scope), len(items) - n_ops, n_ops, magnitude, marked)

    def _caption(self, n_drawn: int, by_grad: bool, max_nodes: int) -> str:
        """What is drawn, whether it was collapsed or cut, and the colour legend."""
        lines = [f"{count(self.n_values, 'value')}, {count(self.n_ops, 'operation')}"]
        if self.level is not None:
            lines.append(
                f"collapsed: each {' / '.join(self.collapsed_kinds)} call is drawn as one node, "
                f"to fit max_nodes={max_nodes:,} ({len(self.kind):,} nodes in full)"
            )
        if self.keep is not None:
            lines.append(f"only the {n_drawn - 1:,} nodes nearest the output are drawn")
        if self.spread:
            names = ", ".join(v.label or "unnamed" for v in self.spread[:3])
            more = f" and {len(self.spread) - 3:,} more" if len(self.spread) > 3 else ""
            lines.append(f"used far apart, so drawn beside each use: {names}{more}")
        return caption(lines, by_grad, self.marked_means if self.marked else "")
