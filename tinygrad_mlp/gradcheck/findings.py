"""What a gradient check finds, and how it is told: `Finding`, `GradcheckError`, `KinkWarning`.

>>> f = Finding(input=0, element=(1,), numerical=2.0, analytical=-2.0)
>>> f.describe("input 0 (shape (3,))")
'input 0 (shape (3,)) at element (1,): numerical 2 (central differences), analytical -2 (backward)'
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Finding", "GradcheckError", "KinkWarning", "report"]


class GradcheckError(AssertionError):
    """A gradient that disagrees with finite differences.

    The message names the input (or the operation), the element, and the numerical and
    analytical values; `finding` holds the first of them as data.
    """

    def __init__(self, message: str, finding: Finding | None = None) -> None:
        super().__init__(message)
        self.finding = finding


class KinkWarning(UserWarning):
    """A checked point where the function is not differentiable (its one-sided slopes differ)."""


@dataclass(frozen=True)
class Finding:
    """One element whose gradient is wrong, or where the function has a kink.

    `input` is the position of the input and `element` the index inside it (`()` for a scalar);
    `output` names the output number when there is more than one. `left` and `right` are the
    one-sided slopes, set only at a kink. `wrong` is False for a kink whose gradient lies between
    its slopes (reported, but not a failure).
    """

    input: int
    element: tuple[int, ...]
    numerical: float
    analytical: float
    output: str = ""
    left: float | None = None
    right: float | None = None
    wrong: bool = True

    @property
    def is_kink(self) -> bool:
        return self.left is not None

    def describe(self, what: str) -> str:
        """One readable line; `what` names the input, e.g. 'input 0 (shape (5, 3))'."""
        at = f"{what} at element {self.element}"
        if self.output:
            at = f"d {self.output} / d {at}"
        if not self.is_kink:
            return (
                f"{at}: numerical {self.numerical:.7g} (central differences), "
                f"analytical {self.analytical:.7g} (backward)"
            )
        verdict = "outside them: wrong" if self.wrong else "between them"
        return (
            f"{at}: not differentiable (a kink, here or within two steps): slope "
            f"{self.left + 0.0:.7g} to the left, "  # type: ignore[operator]  # set at a kink
            f"{self.right + 0.0:.7g} to the right; "  # type: ignore[operator]  # set at a kink
            f"backward gave {self.analytical:.7g}, {verdict}"
        )


def summary(findings: list[Finding], describe: Callable[[Finding], str], title: str) -> str:
    lines = [title + ":"] + ["  " + describe(f) for f in findings[:5]]
    if len(findings) > 5:
        lines.append(f"  ... and {len(findings) - 5} more")
    return "\n".join(lines)


def report(
    findings: list[Finding], describe: Callable[[Finding], str], caller: str, raise_exception: bool
) -> bool:
    """Warn about the kinks; raise (or return False) for the wrong gradients."""
    kinks = [f for f in findings if not f.wrong]
    failures = [f for f in findings if f.wrong]
    if kinks:
        title = f"{caller}: {len(kinks)} point(s) where the function is not differentiable"
        warnings.warn(summary(kinks, describe, title), KinkWarning, stacklevel=4)
    if not failures:
        return True
    if raise_exception:
        title = f"{caller}: {len(failures)} gradient element(s) disagree with finite differences"
        raise GradcheckError(summary(failures, describe, title), failures[0])
    return False
