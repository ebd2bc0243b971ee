"""A liveness plan for the program's arrays: a result is written into the memory of an operand
that dies with it (`t4 = np.add(t2, b, out=t2)` for `t4 = t2 + b` when nothing reads t2 again),
so that a step allocates less and touches less fresh memory, as hand-written numpy does with
`+=`.

The same ufunc on the same operands gives the same bits with `out=` or without it: what must
be proved is that nothing else still sees the memory that is written. So the pass follows each
buffer through the body. A line of arithmetic (`a + b`, `-a`, `a @ b`, `np.maximum(...)`)
makes a new buffer; a plain `x = y` gives `y`'s buffer another name; any other line (an op's
own forward or backward, a reshape, an index, an `np.asarray`) may return a view of what it
reads, so the buffers it reads are never written in place. A candidate line (`left op right`
on arrays, the result of `left`'s shape and dtype: see `candidate`) is rewritten only when the
left operand's buffer was made by the program and every name it was ever bound to is read for
the last time on that line. The program is then checked against the eager step bit for bit
before it is used (program.py), as every program is.
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from .pieces import WORD, assigned

UFUNCS = {ast.Add: "np.add", ast.Sub: "np.subtract", ast.Mult: "np.multiply"}
CALLS = ("np.maximum",)  # two-input ufuncs written as calls

# calls whose result is always a new array, never a view of an argument
FRESH_CALLS = ("np.maximum(", "np.add.reduce(", "np.exp(", "np.log(", "np.tanh(", "np.full(")


@dataclass(frozen=True)
class Candidate:
    """`target = left op right`, which may become `target = ufunc(left, right, out=left)`."""

    left: str
    ufunc: str
    right: str


def candidate(expr: str, values: dict[str, Any], result: Any) -> Candidate | None:
    """`expr` as a candidate for writing into its left operand, if it is `name op rest` (or
    `np.maximum(name, rest)`) on an array (`values[name]`) of the result's own shape and dtype
    (so `out=` changes neither)."""
    if result.__class__ is not np.ndarray:
        return None
    tree = ast.parse(expr, mode="eval").body
    if (  # np.maximum(x, 0.0): relu's forward
        isinstance(tree, ast.Call)
        and ast.get_source_segment(expr, tree.func) in CALLS
        and len(tree.args) == 2
        and not tree.keywords
        and isinstance(tree.args[0], ast.Name)
    ):
        left, ufunc, rest = tree.args[0], ast.get_source_segment(expr, tree.func), tree.args[1]
    elif isinstance(tree, ast.BinOp) and isinstance(tree.left, ast.Name):
        left, ufunc, rest = tree.left, UFUNCS.get(type(tree.op)), tree.right
    else:
        return None
    right = ast.get_source_segment(expr, rest)
    if ufunc is None or right is None:
        return None
    value = values.get(left.id)
    if value.__class__ is not np.ndarray or (value.shape, value.dtype) != (
        result.shape,
        result.dtype,
    ):
        return None
    return Candidate(left.id, ufunc, right)


def pure(expr: str) -> bool:
    """Whether `expr` is arithmetic on names (`a * b`, `-a`): the same names give the same
    value, so it is computed once (common subexpressions, as in `x * x`'s backward)."""
    tree = ast.parse(expr, mode="eval").body
    return isinstance(tree, (ast.BinOp, ast.UnaryOp)) and all(
        isinstance(node, (ast.Name, ast.Constant, ast.BinOp, ast.UnaryOp, ast.Compare))
        or isinstance(node, (ast.operator, ast.unaryop, ast.cmpop, ast.expr_context))
        for node in ast.walk(tree)
    )


def _makes_new(tree: ast.expr, expr: str) -> bool:
    """Whether `expr` (parsed: `tree`) always gives a new array (never a view of what it
    reads)."""
    return isinstance(tree, (ast.BinOp, ast.UnaryOp)) or expr.startswith(FRESH_CALLS)


def written_in_place(
    body: list[str], candidates: dict[int, Candidate], keep: set[str]
) -> list[str]:
    """The body with each candidate line whose left operand dies there written into it.
    `candidates` maps line numbers of `body` to their candidates; `keep` holds the names the
    program returns (alive at the end)."""
    if not candidates:
        return body
    # pass 1: every definition of a name, and the last line that reads it
    definition: dict[str, int] = {}  # name -> its current definition (a number)
    last_read: dict[int, float] = {}
    line_defs: list[list[int]] = []
    line_reads: list[list[int]] = []
    for i, line in enumerate(body):
        if line.lstrip().startswith("#"):
            line_defs.append([])
            line_reads.append([])
            continue
        names, expr = assigned(line)
        reads = [definition[w] for w in WORD.findall(expr) if w in definition]
        for d in reads:
            last_read[d] = i
        defs = []
        for name in names:
            definition[name] = len(last_read)
            last_read[len(last_read)] = i
            defs.append(definition[name])
        line_defs.append(defs)
        line_reads.append(reads)
    for name in keep:
        if name in definition:
            last_read[definition[name]] = float("inf")
    # pass 2: follow the buffers, and write in place where nothing else sees the buffer
    buffer_of: dict[int, int] = {}  # definition -> buffer
    defs_of: dict[int, list[int]] = {}  # buffer -> the definitions bound to it
    made_here: set[int] = set()  # buffers a line of arithmetic made
    seen_elsewhere: set[int] = set()  # buffers a line that may return a view has read
    current: dict[str, int] = {}
    new_buffer = itertools.count().__next__
    out = list(body)
    for i, line in enumerate(body):
        defs = line_defs[i]
        if not defs:
            continue
        names, expr = assigned(line)
        read_buffers = {buffer_of[d] for d in line_reads[i] if d in buffer_of}
        c = candidates.get(i)
        if c is not None and c.left in current:
            left_def = current[c.left]
            b = buffer_of[left_def]
            if (
                b in made_here
                and b not in seen_elsewhere
                and all(last_read[d] <= i for d in defs_of[b])
            ):
                comment = line.split("  # ", 1)[1] if "  # " in line else ""
                indent = line[: len(line) - len(line.lstrip())]
                note = f"{comment}, " if comment else ""
                out[i] = (
                    f"{indent}{names[0]} = {c.ufunc}({c.left}, {c.right}, out={c.left})"
                    f"  # {note}into {c.left}'s memory: {c.left} is not used again"
                )
                buffer_of[defs[0]] = b
                defs_of[b].append(defs[0])
                current[names[0]] = defs[0]
                continue
        tree = ast.parse(expr, mode="eval").body
        if len(defs) == 1 and isinstance(tree, ast.Name) and tree.id in current:
            buffers = [buffer_of[current[tree.id]]]  # another name for the same array
        else:
            fresh = len(defs) == 1 and _makes_new(tree, expr)
            if not fresh:  # what it returns may be a view of what it read
                seen_elsewhere.update(read_buffers)
            buffers = [new_buffer() for _ in defs]
            if fresh:
                made_here.add(buffers[0])
        for name, d, b in zip(names, defs, buffers):
            buffer_of[d] = b
            defs_of.setdefault(b, []).append(d)
            current[name] = d
    return out
