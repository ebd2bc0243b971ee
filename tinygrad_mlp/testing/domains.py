"""Where test numbers are drawn: a `Domain` (an interval, points kept away from), and the
domains of the built-in ops (`DOMAINS`). Needs no hypothesis; `strategies` draws from them.

>>> Domain(0.1, 5.0)                      # log, sqrt: positive, away from 0
Domain(low=0.1, high=5.0, avoid=(), margin=0.001, distinct=False)
>>> Domain(avoid=(0.0,)).push(0.0002)     # relu, abs: kinks at 0, kept `margin` from it
0.001
>>> from tinygrad_mlp.ops import Log
>>> DOMAINS[Log]
(Domain(low=0.1, high=5.0, avoid=(), margin=0.001, distinct=False),)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..ops import (
    Abs,
    Add,
    Clip,
    Div,
    Elu,
    LeakyRelu,
    Log,
    Log1p,
    MatMul,
    Max,
    Maximum,
    Min,
    Minimum,
    Mul,
    Pow,
    Relu,
    Remainder,
    Sqrt,
    Sub,
    Var,
    Where,
)

__all__ = ["DEFAULT_DOMAIN", "DOMAINS", "Domain"]


@dataclass(frozen=True)
class Domain:
    """Where numbers are drawn: in [low, high], at least `margin` from every point in `avoid`.

    `distinct=True` makes every element of an array different from the others, by at least
    (high - low) / size (for `max`, whose gradient is not defined at ties).

    >>> Domain(-1.0, 1.0, avoid=(0.0,), margin=0.25).push(-0.1)
    -0.25
    """

    low: float = -3.0
    high: float = 3.0
    avoid: tuple[float, ...] = ()
    margin: float = 1e-3
    distinct: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "avoid", tuple(self.avoid))  # hashable: strategies are cached
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low <= self.high):
            raise ValueError(f"Domain needs finite low <= high, got [{self.low}, {self.high}]")
        if self.avoid and (self.margin < 0 or 2 * self.margin >= self.high - self.low):
            raise ValueError(
                f"Domain margin {self.margin} must be >= 0 and leave room in "
                f"[{self.low}, {self.high}] around the points it avoids"
            )
        if self.distinct and self.low == self.high:
            raise ValueError(f"Domain [{self.low}, {self.high}] has no room for distinct values")

    def push(self, x: float) -> float:
        """x moved at least `margin` away from each avoided point, staying in [low, high]."""
        for point in self.avoid:
            if abs(x - point) < self.margin:
                above = point + self.margin
                below = point - self.margin
                x = above if (x >= point and above <= self.high) or below < self.low else below
        return x


DEFAULT_DOMAIN = Domain()  # [-3, 3]: the strategies' default (one frozen, hashable object)

# Where the built-in ops are differentiable and finite: one Domain per input (ops not listed
# take one input, anywhere in the default Domain).
DOMAINS: dict[type, tuple[Domain, ...]] = {
    Add: (Domain(), Domain()),
    Sub: (Domain(), Domain()),
    Mul: (Domain(), Domain()),
    MatMul: (Domain(), Domain()),
    Div: (Domain(), Domain(avoid=(0.0,), margin=0.5)),
    Pow: (Domain(0.2, 3.0), Domain(-2.0, 2.0)),
    Log: (Domain(0.1, 5.0),),
    Sqrt: (Domain(0.1, 5.0),),
    Relu: (Domain(avoid=(0.0,)),),
    Abs: (Domain(avoid=(0.0,)),),
    Max: (Domain(distinct=True),),
    Min: (Domain(distinct=True),),
    Var: (Domain(distinct=True),),  # never all equal: std = sqrt(var) stays differentiable
    Log1p: (Domain(-0.5, 3.0),),
    LeakyRelu: (Domain(avoid=(0.0,)),),
    Elu: (Domain(avoid=(0.0,)),),
    Clip: (Domain(avoid=(-1.0, 1.0), margin=0.01),),  # for clip(-1, 1): away from both bounds
    Where: (Domain(avoid=(0.0,)), Domain()),  # for where(a > 0, a, b): the mask is constant
    Maximum: (Domain(), Domain()),  # ties share the gradient, as central differences do
    Minimum: (Domain(), Domain()),
    # a % b, with a / b in (2.04, 2.9): floor(a / b) is 2 everywhere, away from the jumps
    Remainder: (Domain(4.3, 5.8), Domain(2.0, 2.1)),
}
