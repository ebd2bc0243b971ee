"""Compiled training steps: a step traced once, checked, and replayed as generated Python.

- `trace`: running a step's function eagerly and recording its graph; comparing two traces;
- `codegen`: the recorded graph written out as one straight-line function (`step.source()`),
  with `inline` (the hot formulas written as the ops' own numpy calls) and `pieces` (a `del`
  after each last use; long programs cut into functions compiled one at a time);
- `program`: `compile_step`, the cache of programs by input shapes, and their replay.
"""

from __future__ import annotations

from .program import CompiledStep, compile_step
from .trace import CompileError

__all__ = ["CompileError", "CompiledStep", "compile_step"]
