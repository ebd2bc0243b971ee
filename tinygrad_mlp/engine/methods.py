"""Value's methods for the ops of the tensor API: sum, mean, max, softmax, log_softmax, reshape,
transpose (swapaxes, T), log1p, expm1, sin, cos, the activations
leaky_relu, elu, gelu and softplus, clip, maximum and minimum, min, var and std, argmax and
argmin, flatten, squeeze, unsqueeze and broadcast_to.

A mixin of `Value` (see value.py). The op classes are built on Value, so this module cannot
import them when Value is defined: each method finds them in `tinygrad_mlp.ops` when it is
first called (`_ops`), the same import cycle value.py closes at its end.

>>> from tinygrad_mlp import Value
>>> x = Value([[1.0, 5.0], [3.0, 2.0]])
>>> x.min(axis=1).data, x.var().data, x.argmax(), x.flatten().shape
(array([1., 2.]), array(2.1875), 1, (4,))
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .value import Value

_OPS: list[ModuleType] = []


def _ops() -> Any:
    """`tinygrad_mlp.ops`, imported on first use (it imports Value)."""
    if not _OPS:
        from .. import ops

        _OPS.append(ops)
    return _OPS[0]


class TensorMethods:
    """The tensor API's op methods for `Value` (see the module)."""

    __slots__ = ()
    _data: Any  # a Value's data: a float or a read-only array

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        return _ops().Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        return _ops().Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        return _ops().Max.apply(self, axis=axis, keepdims=keepdims)

    def softmax(self, axis: int = -1) -> Value:
        return _ops().Softmax.apply(self, axis=axis)

    def log_softmax(self, axis: int = -1) -> Value:
        return _ops().LogSoftmax.apply(self, axis=axis)

    def reshape(self, *shape: Any) -> Value:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _ops().Reshape.apply(self, shape=tuple(int(n) for n in shape))

    def transpose(self, *axes: Any) -> Value:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _ops().Transpose.apply(self, axes=tuple(axes) if axes else None)

    def swapaxes(self, axis1: int, axis2: int) -> Value:
        axes = list(range(np.ndim(self._data)))
        axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
        return _ops().Transpose.apply(self, axes=tuple(axes))

    @property
    def T(self) -> Value:
        return _ops().Transpose.apply(self, axes=None)

    def __mod__(self, other: Any) -> Value:  # a % b with the sign of b, as Python's %
        return _ops().Remainder.apply(self, other)

    def __rmod__(self, other: Any) -> Value:
        return _ops().Remainder.apply(other, self)

    def log1p(self) -> Value:
        return _ops().Log1p.apply(self)

    def expm1(self) -> Value:
        return _ops().Expm1.apply(self)

    def sin(self) -> Value:
        return _ops().Sin.apply(self)

    def cos(self) -> Value:
        return _ops().Cos.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """x where x > 0, else negative_slope * x (PyTorch's default slope, 0.01)."""
        return _ops().LeakyRelu.apply(self, negative_slope=float(negative_slope))

    def elu(self, alpha: float = 1.0) -> Value:
        """x where x > 0, else alpha * (e^x - 1)."""
        return _ops().Elu.apply(self, alpha=float(alpha))

    def gelu(self) -> Value:
        """x * Φ(x) in its tanh form (PyTorch's `gelu(approximate="tanh")`)."""
        return _ops().Gelu.apply(self)

    def softplus(self) -> Value:
        """ln(1 + e^x), computed without overflow."""
        return _ops().Softplus.apply(self)

    def clip(self, low: float | None = None, high: float | None = None) -> Value:
        """Each element limited to [low, high] (None: unbounded on that side), like `np.clip`.

        >>> from tinygrad_mlp import Value
        >>> Value([-2.0, 0.5, 3.0]).clip(-1, 1).data
        array([-1. ,  0.5,  1. ])
        """
        if low is None and high is None:
            raise ValueError("clip() needs low, high or both")
        low = None if low is None else float(low)
        high = None if high is None else float(high)
        if low is not None and high is not None and low > high:
            raise ValueError(f"clip(low={low}, high={high}): low is above high")
        return _ops().Clip.apply(self, low=low, high=high)

    def maximum(self, other: Any) -> Value:
        """The larger of self and other, elementwise (ties share the gradient)."""
        return _ops().Maximum.apply(self, other)

    def minimum(self, other: Any) -> Value:
        """The smaller of self and other, elementwise (ties share the gradient)."""
        return _ops().Minimum.apply(self, other)

    def min(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Value:
        return _ops().Min.apply(self, axis=axis, keepdims=keepdims)

    def var(
        self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False, ddof: int = 0
    ) -> Value:
        """The variance over `axis`, dividing by n - ddof (numpy's default ddof=0; PyTorch's
        `var` defaults to the unbiased ddof=1).

        >>> from tinygrad_mlp import Value
        >>> Value([1.0, 2.0, 3.0, 4.0]).var().data, Value([1.0, 2.0, 3.0, 4.0]).var(ddof=1).data
        (array(1.25), array(1.6666...))
        """
        if isinstance(ddof, bool) or not isinstance(ddof, (int, np.integer)) or ddof < 0:
            raise ValueError(f"ddof must be a non-negative integer, got {ddof!r}")
        if self._data.__class__ is not float:
            shape = self._data.shape
            axes = range(len(shape)) if axis is None else (axis,) if isinstance(axis, int) else axis
            count = int(np.prod([shape[a] for a in axes]))
            if count - ddof <= 0:
                raise ValueError(
                    f"var(ddof={ddof}) of {count} element(s) per result divides by zero "
                    f"(shape {shape}, axis {axis})"
                )
        return _ops().Var.apply(self, axis=axis, keepdims=keepdims, ddof=int(ddof))

    def std(
        self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False, ddof: int = 0
    ) -> Value:
        """The standard deviation: `sqrt(var(axis, keepdims, ddof))`."""
        return self.var(axis=axis, keepdims=keepdims, ddof=ddof).sqrt()

    def argmax(self, axis: int | None = None) -> Any:
        """Where the maximum is, as a plain int (or an int array along `axis`), like numpy."""
        found = np.argmax(self._data, axis=axis)
        return int(found) if np.ndim(found) == 0 else found

    def argmin(self, axis: int | None = None) -> Any:
        """Where the minimum is, as a plain int (or an int array along `axis`), like numpy."""
        found = np.argmin(self._data, axis=axis)
        return int(found) if np.ndim(found) == 0 else found

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Value:
        """Axes start_dim..end_dim merged into one (all of them by default), like PyTorch's.

        >>> from tinygrad_mlp import Value
        >>> Value(np.ones((2, 3, 4))).flatten(1).shape
        (2, 12)
        """
        shape = np.shape(self._data) or (1,)
        start, end = start_dim % len(shape), end_dim % len(shape)
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        merged = int(np.prod(shape[start : end + 1]))
        return _ops().Reshape.apply(self, shape=(*shape[:start], merged, *shape[end + 1 :]))

    def squeeze(self, axis: int | tuple[int, ...] | None = None) -> Value:
        """The axes of length 1 removed (only `axis`, if given; it must have length 1)."""
        try:
            shape = np.empty(np.shape(self._data), dtype=np.bool_).squeeze(axis).shape
        except ValueError as exc:
            raise ValueError(
                f"squeeze(axis={axis}) of shape {np.shape(self._data)}: {exc}"
            ) from None
        return _ops().Reshape.apply(self, shape=shape)

    def unsqueeze(self, axis: int) -> Value:
        """A new axis of length 1 at `axis` (like `torch.unsqueeze`, `np.expand_dims`)."""
        shape = np.expand_dims(np.empty(np.shape(self._data), dtype=np.bool_), axis).shape
        return _ops().Reshape.apply(self, shape=shape)

    def broadcast_to(self, shape: tuple[int, ...]) -> Value:
        """The data repeated to `shape` by numpy's broadcasting rules; gradients are summed back."""
        return _ops().BroadcastTo.apply(self, shape=tuple(int(n) for n in shape))
