"""Test helpers for drawn graphs: count a graph's nodes and edges independently of the renderer,
and read them back from DOT source and from SVG files."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from tinygrad_mlp import Value
from tinygrad_mlp.engine import is_shared_constant

SVG_G = "{http://www.w3.org/2000/svg}g"
_LABEL = re.compile(r'label=(?:"((?:[^"\\]|\\.)*)"|(\w+))')
_NODE = re.compile(r"^(\w+) \[")
_EDGE = re.compile(r"^(\w+) -> (\w+)")
_ATTRS = re.compile(r"^\w+=")


def all_values(output: Value) -> list[Value]:
    """Every Value `output` depends on, itself included (a plain stack walk)."""
    seen, stack, found = {id(output)}, [output], []
    while stack:
        v = stack.pop()
        found.append(v)
        for p in v.parents:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return found


def expected_counts(output: Value) -> tuple[int, int]:
    """(nodes, edges) of the full picture: a node per Value and per operation, where an engine-
    shared number constant is drawn once per use; an edge per input of each op, and op -> out."""
    values = all_values(output)
    ops = [v for v in values if v.op is not None]

    def shared(v: Value) -> bool:
        return v is not output and is_shared_constant(v)

    uses_of_shared = sum(1 for v in ops for p in v.parents if shared(p))
    nodes = sum(1 for v in values if not shared(v)) + len(ops) + uses_of_shared
    edges = sum(len(v.parents) + 1 for v in ops)
    return nodes, edges


@dataclass
class Dot:
    """A DOT source read back: node id -> (statement, enclosing cluster labels), and edges."""

    nodes: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)
    clusters: list[str] = field(default_factory=list)
    same_rank: list[tuple[str, ...]] = field(default_factory=list)
    caption: str = ""

    def label(self, node: str) -> str:
        """A node's label as text; an HTML table's cells joined by " | ", lines by newlines."""
        statement = self.nodes[node][0]
        if "label=<" in statement:
            return _html_text(statement)
        return _label_of(_LABEL.search(statement))

    def attr(self, node: str, name: str) -> str | None:
        """The first `name=value` in a node's statement (inside its HTML label too)."""
        match = re.search(rf'\b{name}=(?:"([^"]*)"|([^\s\]]+))', self.nodes[node][0])
        return None if match is None else _label_of(match)

    def boxes(self, node: str) -> tuple[str, ...]:
        return self.nodes[node][1]

    def find(self, text: str) -> list[str]:
        """Nodes whose label contains `text`."""
        return [n for n in self.nodes if text in self.label(n)]


def _html_text(statement: str) -> str:
    start = statement.index("label=<") + len("label=<")
    depth, end = 1, start
    while depth:
        depth += {"<": 1, ">": -1}.get(statement[end], 0)
        end += 1
    html = statement[start : end - 1]
    html = html.replace("</td><td>", " | ").replace("</td></tr><tr><td>", " | ")
    html = html.replace("<br/>", "\n")
    text = re.sub(r"<[^>]*>", "", html)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _label_of(match: re.Match[str] | None) -> str:
    if match is None:
        return ""
    return match.group(1) if match.group(1) is not None else match.group(2)


def read_dot(source: str) -> Dot:
    dot = Dot()
    stack: list[str] = []
    for line in source.splitlines()[1:]:
        s = line.strip()
        if s.startswith("{rank=same;"):
            dot.same_rank.append(tuple(n.strip() for n in s[11:-1].split(";") if n.strip()))
        elif s.startswith("subgraph "):
            stack.append("")
        elif s == "}":
            if stack:
                stack.pop()
        elif _ATTRS.match(s):  # `key=value ...`: attributes of the graph or cluster around it
            match = _LABEL.search(s)
            if stack and match:
                stack[-1] = _label_of(match)
                dot.clusters.append(stack[-1])
            elif not stack and "label=<" in s:
                dot.caption = s
        elif (m := _EDGE.match(s)) is not None:
            dot.edges.append((m.group(1), m.group(2)))
        elif (m := _NODE.match(s)) is not None and m.group(1) not in ("graph", "node", "edge"):
            dot.nodes[m.group(1)] = (s, tuple(stack))
    return dot


def svg_counts(path: str | Path) -> tuple[int, int, int]:
    """(nodes, edges, clusters) in a Graphviz SVG file, which must be valid XML."""
    root = ET.parse(path).getroot()
    classes = [g.get("class") for g in root.iter(SVG_G)]
    return classes.count("node"), classes.count("edge"), classes.count("cluster")


def svg_text(path: str | Path) -> str:
    """All the text drawn in an SVG file, one string."""
    root = ET.parse(path).getroot()
    return "\n".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
