"""Python's protocols on a Value, as numpy and PyTorch give them: never a silent wrong answer.

- Comparisons (`< <= > >= == !=`) work elementwise, with numbers, arrays or Values on either
  side, and give constant data (1.0 where true, 0.0 where false): a mask for `where`, a truth
  for `if`. They are not differentiable. Values stay hashable by identity (`__hash__` is
  `object.__hash__`): sets and dicts of Values keep working, and the engine's walks, which key
  sets by Value, never call `==`.
- `bool(v)` of a single element is the truth of its number; of more, an "ambiguous" error.
- `int(v)`, `round(v, n)` and `f"{v:.4f}"` read a single element; `f"{v}"` is the repr.
- `np.asarray(v)` gives a constant's data; for a Value that requires gradients it is refused,
  pointing at `.numpy()` and `.detach()` (numpy would otherwise build an array of Values).
- `v.tolist()`, like `ndarray.tolist`; `len`, `float`, `repr`, and a notebook's display (the
  picture of the graph).

A mixin of `Value` (see value.py); it holds no state.

>>> from tinygrad_mlp import Value
>>> x = Value([1.0, -2.0, 3.0])
>>> (x > 0).data, bool(x.sum() > 1), f"{x.max():.2f}"
(array([1., 0., 1.]), True, '3.00')
"""

from __future__ import annotations

from typing import Any

import numpy as np

ndarray = np.ndarray
_COMPARABLE = (int, float, bool, np.number, np.bool_, ndarray, list)


class Reads:
    """Who is told when Python reads the data of a Value (`data`, `item()`, `float()`,
    `numpy()`, `tolist()`, `bool()`, `int()`, `round()`, a format spec, `np.asarray`): nobody
    (None), except while `compile_step` traces a step, whose hook refuses a read that would make
    the step depend on values (see compile/trace.py). Not on any hot path: the engine itself
    reads `_data`."""

    hook: Any = None


def told_of_read(value: Any, what: str) -> None:
    """Tell `Reads.hook`, if any, that Python reads `value`'s data by `what`."""
    if Reads.hook is not None:
        Reads.hook(value, what)


class PythonProtocols:
    """Comparisons, truth, `int`, `round`, `format`, `np.asarray` and `tolist` for `Value`."""

    __slots__ = ()
    _data: Any  # a Value's data: a float or a read-only array
    requires_grad: bool
    grad: Any
    label: str | None

    def __len__(self) -> int:
        if self._data.__class__ is float or self._data.ndim == 0:
            raise TypeError("len() of a scalar Value")
        return len(self._data)

    def __float__(self) -> float:
        return self.item()  # type: ignore[attr-defined]  # Value.item

    def __repr__(self) -> str:
        name = f", label={self.label!r}" if self.label else ""
        if self._data.__class__ is float:
            return f"Value(data={self._data:.6g}, grad={self.grad!r}{name})"
        preview = np.array2string(
            self._data, precision=4, threshold=6, edgeitems=2, max_line_width=60
        ).replace("\n", "")
        grad = "None" if self.grad is None else type(self.grad).__name__
        return (
            f"Value(shape={self._data.shape}, dtype={self._data.dtype}, data={preview}, "
            f"grad={grad}{name})"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Jupyter shows a Value as the picture of its graph (`draw_graph`); without Graphviz,
        as its repr and how to install Graphviz. The drawing code sits above the engine: it is
        imported here, when a notebook first displays a Value, never by the engine itself."""
        from ..drawing.draw import mimebundle

        return mimebundle(self)  # type: ignore[arg-type]  # self is a Value

    def tolist(self) -> Any:
        """The data as (nested lists of) Python floats, like `ndarray.tolist`.

        >>> from tinygrad_mlp import Value
        >>> Value([[1, 2], [3, 4]]).tolist(), Value(2.5).tolist()
        ([[1.0, 2.0], [3.0, 4.0]], 2.5)
        """
        told_of_read(self, "tolist()")
        data = self._data
        return data if data.__class__ is float else data.tolist()

    # -- Python's protocols: as for a numpy array, never a silent wrong answer --------------

    def _single(self, what: str) -> float:
        told_of_read(self, what)
        if self._data.__class__ is float:
            return self._data
        if self._data.size != 1:
            raise TypeError(
                f"{what} needs a single-element Value, this one has shape {np.shape(self._data)}; "
                f"reduce it first (.sum(), .max(), ...) or read .data"
            )
        return float(self._data.reshape(()))

    def __bool__(self) -> bool:
        """The truth of a single-element Value (`if loss < 0.1:`); any other is ambiguous.

        >>> from tinygrad_mlp import Value
        >>> bool(Value(0.0)), bool(Value([2.0]) > 1)
        (False, True)
        >>> bool(Value([1.0, 2.0]))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
            ...
        ValueError: the truth value of a Value with 2 elements is ambiguous: use ...
        """
        told_of_read(self, "bool()")
        data = self._data
        if data.__class__ is float:
            return data != 0.0
        if data.size != 1:
            raise ValueError(
                f"the truth value of a Value with {data.size} elements is ambiguous: use "
                f"(v > 0).data.any() or .all(), or reduce it first"
            )
        return bool(data.reshape(()))

    def __int__(self) -> int:
        return int(self._single("int()"))

    def __round__(self, ndigits: int | None = None) -> Any:
        """`round(v)` (an int) or `round(v, n)` (a float) of a single-element Value."""
        return round(self._single("round()"), ndigits)

    def __format__(self, spec: str) -> str:
        """`f"{loss:.4f}"` formats the number of a single-element Value; `f"{v}"` is its repr."""
        if not spec:
            return repr(self)
        return format(self._single(f"format spec {spec!r}"), spec)

    def __array__(self, dtype: Any = None, copy: Any = None) -> ndarray:
        """`np.asarray(v)`: the data of a constant; refused for a Value that requires gradients,
        whose data would silently leave the graph (say `.numpy()` or `.detach()` instead)."""
        if self.requires_grad:
            raise TypeError(
                f"np.asarray() / np.array() of a Value that requires gradients "
                f"({_shape_words(self)}) would drop it from the graph: use v.numpy() for a copy "
                f"of its data, or v.detach() for a constant"
            )
        told_of_read(self, "np.asarray()")
        if copy:
            return np.array(self._data, dtype=dtype)
        data = self._data
        if data.__class__ is not float:
            data.setflags(write=False)  # leaving the engine: see Value.data
        return np.asarray(data, dtype=dtype)

    # Comparisons work elementwise, as in numpy and PyTorch, and give constant 0/1 data (a mask
    # for `where`, or a truth for `if`); they are not differentiable. Values stay hashable by
    # identity: the engine keys its sets by Value and never calls `==`.
    __hash__ = object.__hash__

    def __eq__(self, other: Any) -> Any:
        return _compare(self, other, np.equal)

    def __ne__(self, other: Any) -> Any:
        return _compare(self, other, np.not_equal)

    def __lt__(self, other: Any) -> Any:
        return _compare(self, other, np.less)

    def __le__(self, other: Any) -> Any:
        return _compare(self, other, np.less_equal)

    def __gt__(self, other: Any) -> Any:
        return _compare(self, other, np.greater)

    def __ge__(self, other: Any) -> Any:
        return _compare(self, other, np.greater_equal)


def _shape_words(v: Any) -> str:
    return "a scalar" if v._data.__class__ is float else f"shape {v._data.shape}"


def _compare(a: Any, other: Any, ufunc: Any) -> Any:
    """`a (op) other` elementwise, as a constant Value of 1.0 (true) and 0.0 (false)."""
    cls = type(a)
    if isinstance(other, cls):
        b = other._data
    elif isinstance(other, _COMPARABLE):
        b = other
    else:
        return NotImplemented  # `v == None`, `v == "text"`: Python's default (False for ==)
    x = a._data
    if x.__class__ is float and b.__class__ is float:
        return cls(1.0 if ufunc(x, b) else 0.0, requires_grad=False)
    return cls(ufunc(x, b), requires_grad=False)
