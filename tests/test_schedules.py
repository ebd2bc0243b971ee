"""Learning-rate schedules: the same learning rates as PyTorch's, epoch by epoch."""

from __future__ import annotations

import pytest

from tinygrad_mlp import Value, optim
from tinygrad_mlp.schedules import CosineAnnealingLR, ExponentialLR, StepLR

SCHEDULES = {
    "step": (StepLR, {"step_size": 3, "gamma": 0.5}),
    "exponential": (ExponentialLR, {"gamma": 0.9}),
    "cosine": (CosineAnnealingLR, {"T_max": 7, "eta_min": 0.001}),
}


def ours(name: str, epochs: int) -> list[float]:
    cls, options = SCHEDULES[name]
    opt = optim.SGD([Value(1.0)], lr=0.1)
    scheduler = cls(opt, **options)
    rates = []
    for _ in range(epochs):
        rates.append(opt.lr)
        scheduler.step()
    return rates


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_learning_rates_match_pytorch(name: str) -> None:
    torch = pytest.importorskip("torch")
    cls, options = SCHEDULES[name]
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = getattr(torch.optim.lr_scheduler, cls.__name__)(opt, **options)
    theirs = []
    for _ in range(20):
        theirs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    assert ours(name, 20) == pytest.approx(theirs, rel=1e-12)


def test_step_lr_multiplies_every_step_size_epochs() -> None:
    assert ours("step", 7) == pytest.approx([0.1] * 3 + [0.05] * 3 + [0.025])


def test_cosine_reaches_eta_min_at_t_max() -> None:
    assert ours("cosine", 8)[7] == pytest.approx(0.001)


def test_state_dict_resumes_the_schedule() -> None:
    opt = optim.SGD([Value(1.0)], lr=0.1)
    scheduler = StepLR(opt, step_size=2)
    for _ in range(3):
        scheduler.step()
    other_opt = optim.SGD([Value(1.0)], lr=0.1)
    other = StepLR(other_opt, step_size=2)
    other.load_state_dict(scheduler.state_dict())
    scheduler.step()
    other.step()
    assert other_opt.lr == opt.lr == pytest.approx(0.001)


def test_a_schedule_needs_an_optimizer() -> None:
    with pytest.raises(TypeError, match="schedules an Optimizer"):
        StepLR([Value(1.0)], step_size=2)  # type: ignore[arg-type]
