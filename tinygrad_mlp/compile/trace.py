"""Tracing: run a step's function once eagerly and record what it computed, as data.

A trace runs `fn` on the step's inputs with the ordinary engine, then reads the graph behind
the loss through the one graph walk. Every Value of that graph becomes an entry of a `Record`:

- an input (an array given to the step, or a number in a nested list of them),
- a parameter (a leaf that requires a gradient and existed before the step began),
- a constant (any other leaf: the `2` in `2 * x`, a label array turned into floats),
- an op applied to earlier entries, with its params.

Arrays that are constants (leaf data, arrays inside params such as an index) are *sites*. Two
traces of the same step, on different calls, are compared: their entries must be the same, and
a site that differs between them must be computed from the inputs by one of a few known
derivations (a cast, `labels.signs`), else the step is refused. A site equal in both traces is a
constant of the program.

While `fn` runs, Python reading the data of a Value that depends on the parameters (`.item()`,
`float(v)`, `.numpy()`, `.data`) makes the step depend on values the program would not see
again: it is refused with a `CompileError` at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine import Value, walk
from ..engine.node import Unrecorded, next_index
from ..engine.protocols import Reads

ndarray = np.ndarray


class CompileError(RuntimeError):
    """A step that cannot be compiled (it reads values, or differs between two traces)."""


class Undecided(Exception):
    """Two traces that cannot tell a constant from a value computed from the inputs."""


# -- inputs ------------------------------------------------------------------------------------


@dataclass
class Inputs:
    """A step's arguments as `fn` sees them, and as the program takes them (one list)."""

    args: list[Any]  # what fn is called with
    data: list[Any]  # one entry per input slot: an array or a float
    values: list[Value | None]  # the Value standing for each slot inside fn (None: raw array)
    key: tuple  # shapes, dtypes and list structure: a program is made for one key


def prepare(
    args: Sequence[Any], dtype: np.dtype | None, make_values: bool = True, traced: bool = False
) -> Inputs:
    """The inputs of a step: float arrays become constant tensor Values (of the parameters'
    dtype, as a Module casts its input), other arrays (integer labels) are passed as they are,
    numbers in nested lists become scalar Values.

    `traced`: for a step being recorded, the Values are made as if they required gradients,
    so that every operation on them is recorded too (a model's own preparation of its input,
    such as `Standardize`, is then part of the program instead of an opaque constant). The
    program computes no gradient for them (codegen's `needs`); the recorded step's backward
    does, in vain, and gives the parameters the same gradients."""
    data: list[Any] = []
    values: list[Value | None] = []
    key: list[Any] = []

    def convert(x: Any) -> Any:
        if isinstance(x, (list, tuple)):
            key.append(("list", len(x)))
            return [convert(item) for item in x]
        if isinstance(x, (bool, int, float, np.integer, np.floating)):
            x = float(x)
            key.append("scalar")
            data.append(x)
            v = Value(x, requires_grad=traced) if make_values else None
            values.append(v)
            return v
        if isinstance(x, ndarray):
            if x.dtype.kind == "f":
                arr = x if dtype is None or x.dtype == dtype else np.asarray(x, dtype=dtype)
                key.append(("tensor", arr.shape, arr.dtype))
                data.append(arr)
                v = Value(arr, requires_grad=traced) if make_values else None
                values.append(v)
                return v
            if x.dtype.kind in "biu":
                key.append(("raw", x.shape, x.dtype))
                data.append(x)
                values.append(None)
                return x
        raise CompileError(
            f"compile_step: an input is a {type(x).__name__}; a step takes numpy arrays, "
            f"numbers and nested lists of numbers"
        )

    converted = [convert(a) for a in args]
    return Inputs(converted, data, values, tuple(key))


# -- recording ---------------------------------------------------------------------------------


@dataclass
class Entry:
    kind: str  # "input", "param", "const", "op"
    slot: int = -1  # input slot, parameter number or site number
    op: Any = None  # the Function subclass
    parents: tuple[int, ...] = ()  # positions in Record.values
    params: dict[str, Any] | None = None  # arrays replaced by Site(n)


@dataclass(frozen=True)
class Site:
    """Where a constant array (or number) sits: leaf data, or inside an op's params."""

    number: int


@dataclass
class Record:
    """What one trace computed: its Values in creation order, described as entries."""

    values: list[Value]
    entries: list[Entry]
    sites: list[Any]  # the constant data at each site
    params: list[Value]  # leaves that get gradients, in order of first use
    loss: int  # position of the loss in `values`
    extras: list[int]  # positions of the other returned Values
    inputs: Inputs
    position: dict[int, int] = field(default_factory=dict)  # id(Value) -> position
    program: tuple[str, Any] | None = None  # (source, function) generated from this trace

    def structure(self) -> list[tuple]:
        """What must be the same in two traces of one program."""
        return [
            (
                e.kind,
                e.slot if e.kind != "param" else id(self.params[e.slot]),
                e.op,
                e.parents,
                _comparable(e.params),
            )
            for e in self.entries
        ]


def _comparable(params: dict[str, Any] | None) -> Any:
    if params is None:
        return None
    return tuple(sorted((k, repr(v)) for k, v in params.items()))


Kept = dict  # id(result) -> (result, op, inputs, params): the ops run under no_grad


def run_traced(fn: Callable[..., Any], inputs: Inputs) -> tuple[Any, int, Kept]:
    """Call fn on the inputs with the read hook on; returns its result, the creation index
    before the call (leaves made later belong to the step, not to the model), and the ops
    `fn` ran under `no_grad` (kept by the engine's `Unrecorded` hook: part of the program)."""
    start = next_index()
    thread = threading.get_ident()
    given = {id(v) for v in inputs.values if v is not None}  # reading an input reads data
    kept: Kept = {}
    varying: set[int] = set()  # kept results computed from the parameters or the inputs

    def keep(node: Value, op: type, parents: tuple[Value, ...], params: Any) -> None:
        if threading.get_ident() == thread:
            kept[id(node)] = (node, op, parents, params)
            if any(p.requires_grad or id(p) in varying for p in parents):
                varying.add(id(node))

    def refuse(v: Value, how: str) -> None:
        if (
            (v.requires_grad or id(v) in varying)
            and id(v) not in given
            and threading.get_ident() == thread
        ):
            name = repr(v.label) if v.label else f"of shape {v.shape}"
            raise CompileError(
                f"compile_step: the step reads the value of a Value {name} with {how}, so what "
                f"it does depends on numbers the compiled program would not see again; compute "
                f"with Value operations instead, or train with the eager loop"
            )

    previous, Reads.hook = Reads.hook, refuse
    previous_keep, Unrecorded.hook = Unrecorded.hook, keep
    try:
        result = fn(*inputs.args)
    finally:
        Reads.hook = previous
        Unrecorded.hook = previous_keep
    return result, start, kept


def record(result: Any, start: int, inputs: Inputs, kept: Kept | None = None) -> Record:
    """Describe the graph behind `result` (a loss Value, or (loss, *extras)), through the ops
    run under `no_grad` (`kept`: forward only, as in eager, where they pass no gradient)."""
    kept = kept or {}
    hidden = {k: parents for k, (_, _, parents, _) in kept.items()}

    def op_of(v: Value) -> tuple[Any, tuple[Value, ...], Any] | None:
        if v._op is not None:
            return v._op, v._prev, v._params
        k = kept.get(id(v))
        return None if k is None else (k[1], k[2], k[3])

    roots = list(result) if isinstance(result, (tuple, list)) else [result]
    if not roots or not all(isinstance(r, Value) for r in roots):
        raise CompileError(
            "compile_step: fn must return the loss (a Value), or a tuple (loss, *values)"
        )
    loss = roots[0]
    if loss.size != 1 or loss._op is None or not loss.requires_grad:
        raise CompileError(
            f"compile_step: the loss must be a single-element Value computed from the "
            f"parameters, got shape {loss.shape} (requires_grad={loss.requires_grad})"
        )
    found: dict[int, Any] = {}  # Values (their private slots are read here, as in graph.py)
    for r in roots:
        for v in walk(r, leaves=True, unrecorded=hidden):
            found[id(v)] = v
    # Ops in creation order (what eager's backward follows); each leaf just before its first
    # use, so that two traces list the same leaves in the same places (a shared constant such
    # as the `2` in `2 * x` was created once, long before either trace).
    values: list[Any] = []
    placed: set[int] = set()
    made = {id(v): op_of(v) for v in found.values()}
    for v in sorted((v for v in found.values() if made[id(v)]), key=lambda v: v._index):
        for p in made[id(v)][1]:  # type: ignore[index]
            if made[id(p)] is None and id(p) not in placed:
                placed.add(id(p))
                values.append(p)
        values.append(v)
    for r in roots:
        if made[id(r)] is None and id(r) not in placed:
            placed.add(id(r))
            values.append(r)
    position = {id(v): i for i, v in enumerate(values)}
    slot_of = {id(v): k for k, v in enumerate(inputs.values) if v is not None}
    raw_ids = {id(x): k for k, x in enumerate(inputs.data) if inputs.values[k] is None}
    entries: list[Entry] = []
    sites: list[Any] = []
    params: list[Value] = []
    param_number: dict[int, int] = {}

    def site(data: Any) -> Any:
        if isinstance(data, ndarray):
            sites.append(data)
            return Site(len(sites) - 1)
        if isinstance(data, tuple):
            return tuple(site(d) for d in data)
        if isinstance(data, list):
            return [site(d) for d in data]
        return data

    for v in values:
        how = made[id(v)]
        if how is not None:
            op, prev, op_params = how
            parents = tuple(position[id(p)] for p in prev)
            ps = None if op_params is None else {k: site(x) for k, x in op_params.items()}
            entries.append(Entry("op", op=op, parents=parents, params=ps))
        elif id(v) in slot_of:
            entries.append(Entry("input", slot_of[id(v)]))
        elif v.requires_grad and v._index < start:
            number = param_number.setdefault(id(v), len(params))
            if number == len(params):
                params.append(v)
            entries.append(Entry("param", number))
        else:  # a constant, or a leaf made inside fn (its gradient is never seen)
            sites.append(v._data)
            entries.append(Entry("const", len(sites) - 1))
    del raw_ids
    return Record(
        values,
        entries,
        sites,
        params,
        position[id(loss)],
        [position[id(r)] for r in roots[1:]],
        inputs,
        position,
    )


# -- two traces --------------------------------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    if a.__class__ is not b.__class__:
        return False
    if isinstance(a, ndarray):
        return (
            a.dtype == b.dtype
            and a.shape == b.shape
            and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
        )
    return a == b or (a != a and b != b)


def _cast(src: Any, like: ndarray) -> Any:
    if not isinstance(src, ndarray) or src.size != like.size:
        return None
    return np.asarray(src, dtype=like.dtype).reshape(like.shape)


def _signs(src: Any, like: ndarray) -> Any:
    from ..labels import LabelError, signs

    if not isinstance(src, ndarray) or src.size != like.size:
        return None
    try:
        return np.asarray(signs(src), dtype=like.dtype).reshape(like.shape)
    except LabelError:
        return None


# How a constant array may be computed from an input: what the losses do to targets and labels.
DERIVATIONS: dict[str, Callable[[Any, ndarray], Any]] = {"cast": _cast, "signs": _signs}


@dataclass
class Derived:
    """A site computed from input `slot` by the derivations named (all agreed on two traces;
    the first is used, the others checked against it at every call)."""

    slot: int
    ways: list[str]


def same_inputs(a: Inputs, b: Inputs) -> bool:
    """The same data, bit for bit (a byte compare: faster than a nan-aware array_equal)."""
    return a.key == b.key and all(
        x.tobytes() == y.tobytes() if x.__class__ is ndarray else same(x, y)
        for x, y in zip(a.data, b.data)
    )


def compare(first: Record, second: Record) -> dict[int, Derived]:
    """Check that two traces did the same thing; returns how each input-dependent site is
    derived from the inputs. Raises `CompileError` otherwise."""
    if first.structure() != second.structure():
        raise CompileError(
            "compile_step: the step did different things on two calls (other operations or "
            "parameters), so it depends on values; train it with the eager loop"
        )
    derived: dict[int, Derived] = {}
    pinned = same_inputs(first.inputs, second.inputs)
    for n, (a, b) in enumerate(zip(first.sites, second.sites)):
        found: dict[int, list[str]] = {}
        if isinstance(a, ndarray) and isinstance(b, ndarray):
            for slot, (xa, xb) in enumerate(zip(first.inputs.data, second.inputs.data)):
                for name, derive in DERIVATIONS.items():
                    ya, yb = derive(xa, a), derive(xb, b)
                    if ya is not None and yb is not None and same(ya, a) and same(yb, b):
                        found.setdefault(slot, []).append(name)
        if same(a, b):
            if found and not pinned:
                # the same in both traces, and computable from an input: a constant, or labels
                # that happened to repeat? A third trace must tell.
                raise Undecided
            continue
        if len(found) != 1:
            what = "several inputs" if found else "the parameters or by code it cannot follow"
            raise CompileError(
                f"compile_step: a constant of the step (shape {np.shape(a)}) changed between "
                f"two calls and is computed from {what} (made with .detach() or from .data); "
                f"train it with the eager loop"
            )
        ((slot, ways),) = found.items()
        derived[n] = Derived(slot, ways)
    return derived


def derive(d: Derived, data: list[Any], like: ndarray) -> Any:
    """The value of a derived site for a call's input data; None when the derivations disagree
    (the program then traces again)."""
    first = DERIVATIONS[d.ways[0]](data[d.slot], like)
    if first is None:
        return None
    for other in d.ways[1:]:
        if not same(DERIVATIONS[other](data[d.slot], like), first):
            return None
    return first
