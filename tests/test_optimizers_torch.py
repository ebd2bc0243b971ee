"""RMSprop and AdamW against PyTorch, step by step; optimizer state saved and restored; the
optimizers' refusals of a model or a method in place of its parameters."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_mlp import MLP, Value, optim

RNG = np.random.default_rng(5)
W0 = RNG.standard_normal((3, 2))
GRADS = [RNG.standard_normal((3, 2)) for _ in range(6)]

SETTINGS = {
    "rmsprop": (optim.RMSprop, "RMSprop", {}),
    "rmsprop_momentum_centered": (
        optim.RMSprop,
        "RMSprop",
        {"lr": 0.02, "momentum": 0.8, "centered": True, "weight_decay": 0.1, "alpha": 0.9},
    ),
    "adamw": (optim.AdamW, "AdamW", {}),
    "adamw_decay": (optim.AdamW, "AdamW", {"lr": 0.01, "weight_decay": 0.3, "betas": (0.8, 0.9)}),
    "adam": (optim.Adam, "Adam", {"lr": 0.01, "weight_decay": 0.3}),
    "sgd": (optim.SGD, "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
}


def run_ours(cls, options, grads=GRADS):
    w = Value(W0)
    opt = cls([w], **options)
    for g in grads:
        w.grad = g.copy()
        opt.step()
    return w.data


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_steps_match_pytorch(name: str) -> None:
    torch = pytest.importorskip("torch")
    cls, torch_name, options = SETTINGS[name]
    w = torch.tensor(W0, requires_grad=True)
    opt = getattr(torch.optim, torch_name)([w], **options)
    for g in GRADS:
        w.grad = torch.tensor(g)
        opt.step()
    np.testing.assert_allclose(run_ours(cls, options), w.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls", [optim.RMSprop, optim.AdamW])
def test_defaults_are_pytorchs(cls) -> None:
    torch = pytest.importorskip("torch")
    import inspect

    ours = inspect.signature(cls).parameters
    theirs = getattr(torch.optim, cls.__name__)([torch.zeros(1, requires_grad=True)]).defaults
    for name, parameter in ours.items():
        if name != "params":
            assert theirs[name] == parameter.default, name


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_state_dict_resumes_exactly(name: str) -> None:
    cls, _, options = SETTINGS[name]
    w = Value(W0)
    opt = cls([w], **options)
    for g in GRADS[:3]:
        w.grad = g.copy()
        opt.step()
    saved, weights = opt.state_dict(), w.data.copy()
    w2 = Value(weights)
    resumed = cls([w2], lr=0.5)  # settings come from the state too
    resumed.load_state_dict(saved)
    for g in GRADS[3:]:
        w.grad, w2.grad = g.copy(), g.copy()
        opt.step()
        resumed.step()
    np.testing.assert_array_equal(w2.data, w.data)


def test_state_dict_is_a_copy() -> None:
    w = Value(W0)
    opt = optim.Adam([w])
    w.grad = GRADS[0].copy()
    opt.step()
    saved = opt.state_dict()
    first = saved["state"]["_m"][0].copy()
    w.grad = GRADS[1].copy()
    opt.step()
    np.testing.assert_array_equal(saved["state"]["_m"][0], first)


def test_load_state_dict_refuses_another_class_or_shape() -> None:
    w = Value(W0)
    adam = optim.Adam([w])
    with pytest.raises(ValueError, match="Adam state cannot be loaded into SGD"):
        optim.SGD([w]).load_state_dict(adam.state_dict())
    w.grad = GRADS[0].copy()
    adam.step()
    with pytest.raises(ValueError, match=r"shape \(3, 2\)"):
        optim.Adam([Value(np.zeros(4))]).load_state_dict(adam.state_dict())


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop])
def test_a_model_instead_of_its_parameters_is_refused(cls) -> None:
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(TypeError, match=r"pass model\.parameters\(\)"):
        cls(model)
    with pytest.raises(TypeError, match=r"call it: model\.parameters\(\)"):
        cls(model.parameters)
    with pytest.raises(TypeError, match="a list of them"):
        cls(model.parameters()[0])
