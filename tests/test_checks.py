"""tinygrad_mlp.checks: each validator accepts its kind of argument and refuses the rest with a
TypeError (wrong kind) or a ValueError (out of range) that names the argument."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinygrad_mlp import checks


def test_count_accepts_numpy_ints_and_returns_a_python_int():
    assert type(checks.count(np.int32(3), "n")) is int


@pytest.mark.parametrize(("value", "error"), [(0, ValueError), (True, TypeError), (2.0, TypeError)])
def test_count_refuses(value, error):
    with pytest.raises(error, match="^n must be"):
        checks.count(value, "n")


def test_count_minimum():
    assert checks.count(2, "n", minimum=2) == 2
    with pytest.raises(ValueError, match="n must be >= 3, got 2"):
        checks.count(2, "n", minimum=3)


@pytest.mark.parametrize("value", [-0.1, math.nan, math.inf])
def test_nonnegative_refuses_out_of_range(value):
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        checks.nonnegative(value, "noise")


@pytest.mark.parametrize("value", [0, -1.0, math.nan, math.inf])
def test_positive_refuses_out_of_range(value):
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        checks.positive(value, "lr")


@pytest.mark.parametrize("check", [checks.nonnegative, checks.positive, checks.fraction])
@pytest.mark.parametrize("value", ["0.5", None, False])
def test_real_number_checks_refuse_other_kinds_with_a_type_error(check, value):
    with pytest.raises(TypeError, match="^x must be"):
        check(value, "x")


@pytest.mark.parametrize(
    ("value", "zero_allowed"), [(0, False), (1, True), (1.0, False), (-0.1, True)]
)
def test_fraction_refuses_the_ends_it_excludes(value, zero_allowed):
    with pytest.raises(ValueError, match="f must be a fraction"):
        checks.fraction(value, "f", zero_allowed=zero_allowed)


def test_generator_from_an_int_repeats_and_a_generator_is_kept():
    assert checks.generator(3).random() == checks.generator(3).random()
    rng = np.random.default_rng(0)
    assert checks.generator(rng) is rng


@pytest.mark.parametrize("seed", ["zero", 1.5, True, None])
def test_generator_refuses_other_seeds(seed):
    with pytest.raises(TypeError, match="seed must be an int or a numpy.random.Generator"):
        checks.generator(seed)


def test_examples_refuses_scalars_and_unequal_lengths():
    with pytest.raises(ValueError, match="X must have at least one axis"):
        checks.examples(1.0, [1])
    with pytest.raises(ValueError, match="y must have at least one axis"):
        checks.examples([1.0], 1)
    with pytest.raises(ValueError, match=r"X has 2 \(shape \(2,\)\), y has 1 \(shape \(1,\)\)"):
        checks.examples([1.0, 2.0], [1])


def test_examples_allows_2d_targets_unless_one_label_each():
    X, y = checks.examples(np.zeros((3, 2)), np.zeros((3, 2)))
    assert y.shape == (3, 2)
    with pytest.raises(ValueError, match="y must be 1-D"):
        checks.examples(np.zeros((3, 2)), np.zeros((3, 2)), one_label_each=True)
