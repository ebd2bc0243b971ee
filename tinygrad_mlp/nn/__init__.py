"""Neurons, layers and multilayer perceptrons, written only in terms of `Value` operations.

A module's forward pass is an ordinary composition of Value operations (`@`, `+`, `relu`, ...),
so backpropagation through it is the engine's job: no module here holds a gradient rule.

- `module`: the `Module` base (parameters, sub-modules, state, the registry `load` reads);
- `layers`: `Neuron`, `Layer`, `MLP`;
- `dropout`: `Dropout`; `standardize`: `Standardize` (a model's input preparation);
- `scalar`: `ScalarNeuron`, `ScalarLayer`, `ScalarMLP`, micrograd's network, a Value per weight;
- `init`: `ACTIVATIONS` by name and `init_weights`;
- `arguments`: the validators of the constructors' arguments.

Every module call opens a `module_scope` so a graph renderer can draw a box around the nodes it
made, and every parameter Value is labelled with its `named_parameters()` name (`layers.0.W`).

>>> import numpy as np
>>> model = MLP(2, [16, 16, 1], activation="relu", seed=0)
>>> model(np.zeros((5, 2))).shape
(5, 1)
"""

from __future__ import annotations

from ..engine.data import DTYPES
from .dropout import Dropout
from .init import ACTIVATIONS, INITS, activate, check_activation, init_weights
from .layers import MLP, Layer, Neuron
from .module import MODULES, Module, evaluation_mode, module_class
from .scalar import ScalarLayer, ScalarMLP, ScalarNeuron
from .standardize import Standardize

__all__ = [
    "ACTIVATIONS",
    "DTYPES",
    "Dropout",
    "INITS",
    "MLP",
    "MODULES",
    "Layer",
    "Module",
    "Neuron",
    "ScalarLayer",
    "ScalarMLP",
    "ScalarNeuron",
    "Standardize",
    "activate",
    "check_activation",
    "evaluation_mode",
    "init_weights",
    "module_class",
]
