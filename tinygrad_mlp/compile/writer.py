"""Writing the lines of a program: fresh names, the program's constants, and three savings
decided while writing. A line that reads nothing that changes from call to call (the seed of
the backward pass, and what follows from it alone) is computed once, when compiled; a line of
arithmetic written before from the same names is the same array (`x * x`'s backward); and a
line `left op right` is noted as a candidate for writing into `left`'s memory, which
buffers.py decides once the whole body is known.
"""

from __future__ import annotations

import keyword
import math
import re
from typing import Any

import numpy as np

from . import buffers
from .pieces import WORD

ndarray = np.ndarray


def literal(x: Any) -> str | None:
    """x as Python source, if it is a plain literal; None otherwise."""
    if x is None or isinstance(x, (bool, int, str)) or x is Ellipsis:
        return repr(x)
    if isinstance(x, float):
        return repr(x) if math.isfinite(x) else None
    if isinstance(x, tuple):
        parts = [literal(p) for p in x]
        if any(part is None for part in parts):
            return None
        texts = [str(part) for part in parts]
        return "(" + ", ".join(texts) + ("," if len(texts) == 1 else "") + ")"
    if isinstance(x, slice):
        parts = [literal(p) for p in (x.start, x.stop, x.step)]
        return None if None in parts else f"slice({', '.join(parts)})"  # type: ignore[arg-type]
    return None


def identifier(text: str | None, fallback: str) -> str:
    if not text:
        return fallback
    name = re.sub(r"\W", "_", text)
    if not name or name[0].isdigit() or keyword.iskeyword(name):
        name = "_" + name
    return name


class Writer:
    """The lines of one program, its global names and what it knows of each name."""

    def __init__(self, globals_: dict[str, Any]) -> None:
        self.lines: list[str] = []
        self.globals = dict(globals_)
        self.used_names: set[str] = set(self.globals)
        self.suffixes: dict[str, int] = {}
        # the names whose values change from call to call (the inputs, the parameters, the
        # derived constants and what is computed from them); see `assign`
        self.dynamic: set[str] = set()
        self.folded: set[str] = set()  # names computed once: constants of the program
        self.computed: dict[str, str] = {}  # an expression of arithmetic -> its name
        self.value_of: dict[str, Any] = {}  # each name's value while generating
        self.candidates: dict[int, buffers.Candidate] = {}  # lines that may write in place

    def _fresh(self, base: str) -> str:
        """A name not used yet: `base`, else `base_2`, `base_3`, ... (a weight's gradient is
        summed once per use: the suffix to try next is kept, so this stays O(1))."""
        name, k = base, self.suffixes.get(base, 1)
        while name in self.used_names:
            k += 1
            name = f"{base}_{k}"
        self.suffixes[base] = k
        self.used_names.add(name)
        return name

    def _global(self, base: str, value: Any) -> str:
        name = self._fresh(base)
        self.globals[name] = value
        return name

    def emit(self, line: str) -> None:
        self.lines.append("    " + line)

    def assign(
        self, names: list[str], expr: str, values: list[Any], comment: str, target: str = ""
    ) -> None:
        """Write `names = expr`, or, when `expr` reads nothing that changes from call to call
        (the seed of the backward pass and what follows from it alone), compute it once: the
        values the generator has are then constants of the program."""
        targets = [name for name in names if name != "_"]
        if not set(WORD.findall(expr)) & self.dynamic:
            for name, value in zip(names, values):
                if name == "_":
                    continue
                if value.__class__ is ndarray:
                    value = np.array(value)  # its own copy, read-only: nothing can change it
                    value.setflags(write=False)
                self.globals[name] = value
            self.folded.update(targets)
            note = f"{comment}: " if comment else ""
            self.emit(f"# {', '.join(targets)} = {expr}  # {note}computed once, when compiled")
            return
        self.dynamic.update(targets)
        target = target or names[0]
        if len(names) == 1:
            if names[0] in self.value_of:  # a name given a new value: what it held is gone
                self.computed = {
                    k: v
                    for k, v in self.computed.items()
                    if v != names[0] and names[0] not in WORD.findall(k)
                }
            same = self.computed.get(expr)
            if same is not None:  # computed before from the same names: the same array
                self.value_of[names[0]] = self.value_of[same]
                self.emit(f"{names[0]} = {same}  # {comment + ', ' if comment else ''}as {expr}")
                return
            if values[0].__class__ is ndarray and buffers.pure(expr):
                self.computed[expr] = names[0]
            c = buffers.candidate(expr, self.value_of, values[0])
            if c is not None:
                self.candidates[len(self.lines)] = c
        for name, value in zip(names, values):
            self.value_of[name] = value
        self.emit(f"{target} = {expr}  # {comment}" if comment else f"{target} = {expr}")

    def handed_out(self, name: str) -> str:
        """`name` as the program returns it: a constant of the program (see `assign`) is
        copied, so that the caller gets an array of its own each step."""
        if name in self.folded and self.globals[name].__class__ is ndarray:
            return f"{name}.copy()"
        return name
