"""Central differences, compared with a Jacobian element by element, kinks told apart.

`compare` is the one comparison `gradcheck`, `gradgradcheck` and `check_graph` share.

>>> import numpy as np
>>> square = lambda at: np.array([at[0] ** 2])           # f(x) = x^2, one output number
>>> compare(square, [3.0], {0: np.array([[6.0]])}, [""], 1e-6, 1e-5, 1e-3)   # f'(3) = 6
[]
>>> [f.numerical for f in compare(square, [3.0], {0: np.array([[5.0]])}, [""], 1e-6, 1e-5, 1e-3)]
[6.0...]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .findings import Finding

__all__ = ["close", "compare"]

ndarray = np.ndarray


def close(analytical: ndarray, numerical: ndarray, atol: float, rtol: float) -> ndarray:
    return np.abs(analytical - numerical) <= atol + rtol * np.abs(numerical)


def _moved(points: list[Any], i: int, j: int, delta: float) -> tuple[list[Any], float]:
    """`points` with element j of input i moved by `delta`, and the step actually taken."""
    x = points[i]
    moved = list(points)
    if x.__class__ is float:
        moved[i] = x + delta
        return moved, moved[i] - x
    y = x.copy()
    y.flat[j] = x.flat[j] + delta
    moved[i] = y
    return moved, float(y.flat[j] - x.flat[j])


def compare(
    evaluate: Callable[[list[Any]], ndarray],
    points: list[Any],
    jacobians: dict[int, ndarray],
    output_names: Sequence[str],
    eps: float,
    atol: float,
    rtol: float,
) -> list[Finding]:
    """Check the analytical `jacobians` of `evaluate` at `points`, element by element.

    `evaluate(points)` returns every output number as a 1-D float64 array; `jacobians[i]` has
    one column per element of `points[i]`: d outputs / d that element. Returns the wrong
    elements and the kinks, in input and element order.

    The step is h = `eps * max(1, |x|)`. Where the central difference disagrees with the
    analytical value, or where the one-sided differences disagree with each other by more than
    curvature explains, the element is looked at more closely: one-sided slopes to the left and
    to the right, each accurate to second order in h (so curvature does not tell them apart).
    If they still differ, a kink lies at the point or within 2h of it, and the analytical value
    must lie between them; otherwise it must match the central difference.
    """
    f0 = evaluate(points)
    findings: list[Finding] = []
    for i, jacobian in jacobians.items():
        x = points[i]
        shape = () if x.__class__ is float else x.shape
        for j in range(jacobian.shape[1]):
            h = eps * max(1.0, abs(float(x if x.__class__ is float else x.flat[j])))
            up, step_up = _moved(points, i, j, h)
            down, step_down = _moved(points, i, j, -h)
            f_up, f_down = evaluate(up), evaluate(down)
            numerical = (f_up - f_down) / (step_up - step_down)
            analytical = jacobian[:, j]
            tol = atol + rtol * np.abs(numerical)
            jump = np.abs(f_up - 2.0 * f0 + f_down) / h  # h f'' where smooth; the jump at a kink
            if np.all(np.abs(analytical - numerical) <= tol) and np.all(jump <= tol):
                continue
            f_up2, f_down2 = (
                evaluate(_moved(points, i, j, 2 * h)[0]),
                evaluate(_moved(points, i, j, -2 * h)[0]),
            )
            right = (4.0 * f_up - f_up2 - 3.0 * f0) / (2.0 * step_up)
            left = (4.0 * f_down - f_down2 - 3.0 * f0) / (2.0 * step_down)
            element = tuple(int(k) for k in np.unravel_index(j, shape)) if shape else ()
            closer = _Closer(analytical, numerical, left, right)
            findings += closer.findings(i, element, output_names, atol, rtol)
    return findings


@dataclass
class _Closer:
    """One element looked at closely, for every output at once."""

    analytical: ndarray
    numerical: ndarray  # the central difference
    left: ndarray  # one-sided slopes, second-order accurate
    right: ndarray

    def findings(
        self,
        i: int,
        element: tuple[int, ...],
        output_names: Sequence[str],
        atol: float,
        rtol: float,
    ) -> list[Finding]:
        """The kinks of this element, and its first wrong output if any."""
        a, left, right = self.analytical, self.left, self.right
        slack = atol + rtol * np.maximum(np.abs(left), np.abs(right))
        kink = np.abs(right - left) > slack
        between = (np.minimum(left, right) - slack <= a) & (a <= np.maximum(left, right) + slack)
        smooth = close(a, self.numerical, atol, rtol)
        finite = np.isfinite(self.numerical) & np.isfinite(left) & np.isfinite(right)
        wrong = ~(finite & np.isfinite(a) & np.where(kink, between, smooth))
        found = [
            self._finding(k, i, element, output_names[k], kink[k], wrong[k])  # type: ignore[arg-type, call-overload]  # noqa: E501  # k: numpy's int
            for k in np.flatnonzero(kink & ~wrong)
        ]
        found += [
            self._finding(k, i, element, output_names[k], kink[k], True)
            for k in np.flatnonzero(wrong)[:1]
        ]
        return found

    def _finding(
        self, k: int, i: int, element: tuple[int, ...], output: str, kink: bool, wrong: bool
    ) -> Finding:
        slopes = (float(self.left[k]), float(self.right[k])) if kink else (None, None)
        return Finding(  # type: ignore[call-arg]  # mypy cannot count the two slopes
            i, element, float(self.numerical[k]), float(self.analytical[k]), output, *slopes, wrong
        )
