"""`compile_step`: a training step traced, checked against a second trace, then replayed.

The life of a step, per set of input shapes and dtypes (its *key*):

1. first call: an eager step (zero_grad, fn, backward, optimizer.step()), recorded; the program
   is generated from it and run once on the same data, and must agree with eager bit for bit;
2. second call: another eager step, recorded and compared with the first (see trace.py): the
   same operations, and every constant that changed computed from the inputs;
3. later calls: the program runs instead of fn and backward; the optimizer's own `step()`
   applies the gradients, so every optimizer (and every change of `optimizer.lr`) works as in
   the eager loop.

Parameters' data is read at every call, so an array replaced behind the program's back
(`p.data = ...`, `load_state_dict`) is used, never an orphan; a parameter whose shape or dtype
changed makes the step trace again. A program that fails at run time, or whose derived constants
disagree, gives way to an eager step (traced again), never to a wrong one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine import Value, is_anomaly_enabled, is_grad_enabled
from ..engine.accumulate import store_leaf_gradients
from .codegen import generate
from .trace import (
    CompileError,
    Derived,
    Inputs,
    Record,
    Undecided,
    compare,
    derive,
    prepare,
    record,
    run_traced,
    same,
    same_inputs,
)

ndarray = np.ndarray


class Program:
    """One generated program: its function, its source, and what it must check at each call."""

    def __init__(
        self,
        rec: Record,
        derived: dict[int, Derived],
        func: Callable,
        source: str,
        pinned: Inputs | None,
    ) -> None:
        self.func = func
        self.source = source
        self.params = rec.params
        self.shapes: list[Any] = [(p._data.__class__, p.shape, p.dtype) for p in rec.params]
        self.derived = [(d, rec.sites[n]) for n, d in sorted(derived.items())]
        self.pinned = pinned
        # tensor parameters only: the program's gradients are arrays of their own (codegen's
        # `own_gradients`), put into `.grad` as they are
        self.tensors_only = all(p._data.__class__ is ndarray for p in rec.params)

    def run(self, inputs: Inputs) -> tuple[Any, list[Any], Any] | None:
        """The loss, the gradients and the extras for these inputs; None: trace again."""
        if self.pinned is not None and not same_inputs(self.pinned, inputs):
            return None
        data = inputs.data
        if self.derived:
            data = list(data)
            for d, like in self.derived:
                value = derive(d, inputs.data, like)
                if value is None:
                    return None
                data.append(value)
        pdata = []
        for p, (kind, shape, dtype) in zip(self.params, self.shapes):
            x: Any = p._data
            if x.__class__ is not kind or (
                kind is ndarray and (x.shape != shape or x.dtype != dtype)
            ):
                return None  # replaced by data of another shape or dtype: trace again
            pdata.append(x)
        try:
            return self.func(data, pdata)
        except Exception:  # e.g. 1/0 on floats: the eager step handles it as eager does
            return None


def store_gradients(params: list[Value], grads: Any) -> None:
    """Put a step's gradients into `.grad`, as `Value.backward` does for leaves."""
    store_leaf_gradients(params, list(grads))


def _returned(loss: Any, extras: tuple) -> Any:
    value = loss if loss.__class__ is float else float(np.asarray(loss).reshape(()))
    return (value, *extras) if extras else value


class CompiledStep:
    """A training step: `step(*inputs)` does `optimizer.zero_grad(); loss = fn(*inputs);
    loss.backward(); optimizer.step()` and returns the loss as a float (see `compile_step`)."""

    def __init__(self, fn: Callable[..., Any], optimizer: Any) -> None:
        for name in ("params", "zero_grad", "step"):
            if not hasattr(optimizer, name):
                raise TypeError(
                    f"compile_step: the optimizer must have .params, .zero_grad() and .step() "
                    f"(an optim.Optimizer); {type(optimizer).__name__} has no {name}"
                )
        if not callable(fn):
            raise TypeError(f"compile_step: fn must be callable, got {type(fn).__name__}")
        self.fn = fn
        self.optimizer = optimizer
        dtypes = {p.dtype for p in optimizer.params if not p.is_scalar}
        self.dtype = dtypes.pop() if len(dtypes) == 1 else None
        self.programs: dict[tuple, Program] = {}
        self.pending: dict[tuple, Record] = {}
        self.traces = 0  # eager steps taken to record (tests and benchmarks read it)
        self._source: str | None = None

    def __call__(self, *args: Any) -> Any:
        if is_anomaly_enabled() or not is_grad_enabled():
            return self._eager(args)
        inputs = prepare(args, self.dtype, make_values=False)
        program = self.programs.get(inputs.key)
        if program is not None:
            # the last step's gradients are let go before this step's are made: the memory
            # they held is reused (a large model's gradients are as big as its weights)
            self.optimizer.zero_grad()
            result = program.run(inputs)
            if result is not None:
                loss, grads, extras = result
                if program.tensors_only:
                    for p, g in zip(program.params, grads):
                        p.grad = g
                else:
                    store_gradients(program.params, grads)
                self.optimizer.step()
                self._source = program.source
                return _returned(loss, extras)
        return self._trace(args)

    def _eager(self, args: tuple) -> Any:
        inputs = prepare(args, self.dtype)
        self.optimizer.zero_grad()
        result = self.fn(*inputs.args)
        roots = list(result) if isinstance(result, (tuple, list)) else [result]
        roots[0].backward()
        self.optimizer.step()
        return _returned(roots[0]._data, tuple(r._data for r in roots[1:]))

    def _trace(self, args: tuple) -> Any:
        """An eager step, recorded; the program made from it is checked before the update."""
        inputs = prepare(args, self.dtype, traced=True)
        self.optimizer.zero_grad()
        result, start, kept = run_traced(self.fn, inputs)
        rec = record(result, start, inputs, kept)
        previous = self.pending.get(inputs.key)
        derived: dict[int, Derived] = {}
        if previous is not None:
            try:
                derived = compare(previous, rec)
            except Undecided:  # compare the next trace with this one
                previous = None
        loss = rec.values[rec.loss]
        before = [p.grad for p in rec.params]
        loss.backward()
        param_data = [p._data for p in rec.params]
        agrees = False
        if previous is not None and not derived and previous.program is not None:
            source, func = previous.program  # every constant as in the first trace: the program too
            agrees = _agrees(func, rec, derived, param_data, before)
        if not agrees:
            source, func, _ = generate(rec, derived, param_data)
            agrees = _agrees(func, rec, derived, param_data, before)
        rec.program = (source, func)
        if not agrees:
            raise CompileError(
                "compile_step: the generated program disagrees with the eager step on the "
                "traced data (a bug: please report it); train it with the eager loop"
            )
        self.traces += 1
        if previous is not None or self._source is None:  # a program, or nothing better yet
            self._source = source
        extras = tuple(rec.values[i]._data for i in rec.extras)
        loss_data = loss._data
        if previous is None:
            self.pending[inputs.key] = _strip(rec)
        else:
            # the same inputs twice: a constant computed from them by code the trace cannot
            # see would look constant, so the program holds for these inputs only
            # (without constants, nothing can have been computed from them: no pin)
            pinned = (
                _copied(rec.inputs)
                if rec.sites and same_inputs(previous.inputs, rec.inputs)
                else None
            )
            self.programs[inputs.key] = Program(rec, derived, func, source, pinned)
            if pinned is None:
                del self.pending[inputs.key]
            else:
                self.pending[inputs.key] = _strip(rec)
        self.optimizer.step()
        return _returned(loss_data, extras)

    def source(self) -> str:
        """The generated Python of the program last run (or, before one runs, of the first
        trace): forward and backward, straight-line."""
        if self._source is None:
            raise RuntimeError("step.source(): call the step once first, so it can be traced")
        return self._source


def _agrees(
    func: Callable, rec: Record, derived: dict[int, Derived], param_data: list, before: list
) -> bool:
    """Whether the generated function, run on the traced data, gives eager's loss, other
    returned values and gradients bit for bit (the gradients of parameters that held none
    before the step)."""
    data = list(rec.inputs.data)
    for n, d in sorted(derived.items()):
        data.append(derive(d, rec.inputs.data, rec.sites[n]))
    try:
        loss, grads, extras = func(data, param_data)
    except Exception:
        return False
    if not same(loss, rec.values[rec.loss]._data):
        return False
    if not all(same(x, rec.values[i]._data) for x, i in zip(extras, rec.extras)):
        return False
    for p, b, g in zip(rec.params, before, grads):
        if b is None or (b.__class__ is float and b == 0.0):
            if g is None:
                if p.has_grad:
                    return False
            elif not same(g, p.grad):
                return False
    return True


def _copied(inputs: Inputs) -> Inputs:
    """Inputs as kept to compare with later calls: copies, which the caller cannot change."""
    data = [np.array(x) if x.__class__ is ndarray else x for x in inputs.data]
    return Inputs([], data, [None] * len(data), inputs.key)


def _strip(rec: Record) -> Record:
    """A record as kept for the next comparison: without the graph's Values (their memory),
    with copies of its inputs and constants (a caller may reuse an input array in place)."""
    rec.inputs = _copied(rec.inputs)
    rec.sites = [np.array(x) if x.__class__ is ndarray else x for x in rec.sites]
    rec.values = []
    rec.position = {}
    return rec


def compile_step(fn: Callable[..., Any], optimizer: Any) -> CompiledStep:
    """Compile a training step: trace `fn` once, then replay it without building Values.

    `step(*inputs)` does what `optimizer.zero_grad(); loss = fn(*inputs); loss.backward();
    optimizer.step()` does, and returns the loss as a float. Inside `fn`, a float array input is
    a constant tensor Value (cast to the parameters' dtype, as a Module casts its input), an
    integer array (labels) is passed as it is, and nested lists of numbers are nested lists of
    scalar Values. `fn` may return `(loss, *values)`: the step then returns `(loss, *arrays)`.

    >>> import numpy as np
    >>> from tinygrad_mlp import MLP, compile_step, losses, optim
    >>> model = MLP(3, [8, 2], seed=0)
    >>> opt = optim.SGD(model.parameters(), lr=0.1)
    >>> step = compile_step(lambda x, y: losses.cross_entropy(model(x), y), opt)
    >>> x, y = np.ones((4, 3)), np.array([0, 1, 1, 0])
    >>> first = step(x, y); second = step(x, y); third = step(x, y)   # two traces, one replay
    >>> third < first
    True
    >>> print(step.source().splitlines()[0])
    def step(inputs, parameters):

    The first two calls of each new input shape are eager steps, recorded and compared; from
    the third on, the generated program runs (`step.source()` shows it). A step that reads
    values (`loss.item()` inside `fn`) or does different things on two calls raises
    `CompileError` before it changes any parameter. After a compiled step, each parameter's
    `.grad` holds that step's gradient, in a new array each step.
    """
    return CompiledStep(fn, optimizer)
