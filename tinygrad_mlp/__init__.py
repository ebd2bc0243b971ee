"""tinygrad_mlp: a small autograd engine with neurons, layers and MLPs built on top.

>>> from tinygrad_mlp import Value
>>> a, b = Value(2.0), Value(-3.0)
>>> c = (a * b + b ** 2).tanh()
>>> c.backward()
"""

from __future__ import annotations

from . import data, losses, optim  # submodules: data.moons, losses.hinge, optim.SGD, ...
from .compile import CompileError, compile_step
from .creation import arange, eye, full, ones, ones_like, rand, randn, zeros, zeros_like
from .drawing import draw_graph
from .engine import (
    StaleDataError,
    Value,
    detect_anomaly,
    enable_grad,
    grad,
    is_grad_enabled,
    no_grad,
    unbroadcast,
)
from .explain import explain
from .gradcheck import GradcheckError, KinkWarning, check_graph, gradcheck, gradgradcheck
from .interop import export_onnx
from .nn import MLP, Layer, Module, Neuron
from .ops import Function, concat, maximum, minimum, stack, where

__version__ = "0.1.0"

__all__ = [
    "CompileError",
    "Function",
    "GradcheckError",
    "KinkWarning",
    "Layer",
    "MLP",
    "Module",
    "Neuron",
    "StaleDataError",
    "Value",
    "arange",
    "check_graph",
    "compile_step",
    "concat",
    "data",
    "detect_anomaly",
    "draw_graph",
    "enable_grad",
    "explain",
    "export_onnx",
    "eye",
    "full",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_grad_enabled",
    "losses",
    "maximum",
    "minimum",
    "no_grad",
    "ones",
    "ones_like",
    "optim",
    "rand",
    "randn",
    "stack",
    "unbroadcast",
    "where",
    "zeros",
    "zeros_like",
]
