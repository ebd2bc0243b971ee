"""Workload 2, tensor MLP training steps: ours against numpy by hand and PyTorch eager.

One step is forward, loss, backward and an SGD update, on a fixed batch:

    tiny    batch 32,  2-16-16-1,     mean squared error
    digits  batch 64,  64-128-64-10,  cross-entropy
    large   batch 256, 784-512-256-10, cross-entropy

in float32 and float64. Ours is the library as a user writes it (`MLP`, `losses`, `optim.SGD`);
numpy by hand is `numpy_mlp.NumpyMLP` (the floor for any numpy-backed engine); PyTorch is
`nn.Sequential` of `Linear` and `ReLU` with `torch.optim.SGD`, same dtype, same thread count.
All three start from the same weights.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tinygrad_mlp import MLP, compile_step, losses, optim

from .numpy_mlp import NumpyMLP
from .timing import Row, Workload, interleaved, missing_note, optional, peak_memory

NAME = "tensor"
LEARNING_RATE = 0.01


@dataclass(frozen=True)
class Size:
    name: str
    batch: int
    sizes: tuple[int, ...]
    loss: str
    by_hand_target: float  # the most ours / numpy-by-hand may be (both dtypes)
    beat_torch: bool  # the target: faster than PyTorch in float32


SIZES = (
    Size("tiny", 32, (2, 16, 16, 1), "mse", 1.5, True),
    Size("digits", 64, (64, 128, 64, 10), "cross_entropy", 1.15, True),
    Size("large", 256, (784, 512, 256, 10), "cross_entropy", 1.10, False),
)


def batch(size: Size, dtype: Any, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A fixed batch: inputs, and targets of the output's shape (mse) or integer labels."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(size.batch, size.sizes[0])).astype(dtype)
    if size.loss == "mse":
        return x, rng.normal(size=(size.batch, size.sizes[-1])).astype(dtype)
    return x, rng.integers(0, size.sizes[-1], size=size.batch)


def engine_model(size: Size, dtype: Any, seed: int = 0) -> MLP:
    return MLP(size.sizes[0], list(size.sizes[1:]), activation="relu", seed=seed, dtype=dtype)


def weights_of(model: MLP) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (W, b) pairs of an MLP, copied."""
    return [(layer.W.data.copy(), layer.b.data.copy()) for layer in model.layers]


LOSS_FUNCTIONS = {"mse": losses.mse, "cross_entropy": losses.cross_entropy}


def training_step(net: Any, loss_fn: Any, opt: Any) -> Callable[[Any, Any], float]:
    """Forward, loss, zero_grad, backward, update: the same lines for ours and for PyTorch."""

    def step(x: Any, target: Any) -> float:
        loss = loss_fn(net(x), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def engine_step(model: MLP, size: Size) -> Callable[[np.ndarray, np.ndarray], float]:
    """A training step of the library, as its README writes one."""
    opt = optim.SGD(model.parameters(), lr=LEARNING_RATE)
    return training_step(model, LOSS_FUNCTIONS[size.loss], opt)


def compiled_step(model: MLP, size: Size) -> Callable[[np.ndarray, np.ndarray], float]:
    """The same step compiled (`compile_step`), traced before the clock starts."""
    opt = optim.SGD(model.parameters(), lr=LEARNING_RATE)
    loss_fn = LOSS_FUNCTIONS[size.loss]
    return compile_step(lambda x, target: loss_fn(model(x), target), opt)


# Compiled targets (issue 9): compiled step / numpy by hand, and compiled / JAX jit.
COMPILED_TARGETS = {"tiny": 0.8, "digits": 1.0, "large": 1.02}


def jax_step(jax: Any, model: MLP, size: Size, dtype: Any) -> Callable[..., float]:
    """The same network and SGD update in JAX, one `jax.jit` of loss, grad and update."""
    jnp = jax.numpy
    if dtype == "float64":
        jax.config.update("jax_enable_x64", True)
    params = [(jnp.asarray(W), jnp.asarray(b)) for W, b in weights_of(model)]

    def loss(params: Any, x: Any, target: Any) -> Any:
        h = x
        for i, (W, b) in enumerate(params):
            h = h @ W + b
            if i < len(params) - 1:
                h = jnp.maximum(h, 0)
        if size.loss == "mse":
            return jnp.mean((h - target) ** 2)
        logp = jax.nn.log_softmax(h, axis=-1)
        return -jnp.mean(jnp.take_along_axis(logp, target[:, None], axis=1))

    @jax.jit
    def update(params: Any, x: Any, target: Any) -> Any:
        value, grads = jax.value_and_grad(loss)(params, x, target)
        new = [
            (W - LEARNING_RATE * gW, b - LEARNING_RATE * gb)
            for (W, b), (gW, gb) in zip(params, grads)
        ]
        return new, value

    state = {"params": params}

    def step(x: Any, target: Any) -> float:
        state["params"], value = update(state["params"], x, target)
        return float(value)

    return step


def numpy_step(model: MLP, size: Size) -> Callable[[np.ndarray, np.ndarray], float]:
    net = NumpyMLP(weights_of(model))
    return lambda x, target: net.step(x, target, size.loss, LEARNING_RATE)


def torch_step(torch: Any, model: MLP, size: Size, dtype: Any) -> Callable[..., float]:
    """The same network in PyTorch eager: Linear/ReLU, F.mse_loss or F.cross_entropy, SGD."""
    layers: list[Any] = []
    for i, (W, b) in enumerate(weights_of(model)):
        linear = torch.nn.Linear(W.shape[0], W.shape[1], dtype=getattr(torch, str(dtype)))
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T.copy()))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if i < len(size.sizes) - 2:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(net.parameters(), lr=LEARNING_RATE)
    functional = torch.nn.functional
    loss_fn = functional.mse_loss if size.loss == "mse" else functional.cross_entropy
    return training_step(net, loss_fn, opt)


def contestants(size: Size, dtype: str, torch: Any = None) -> dict[str, Callable[[], float]]:
    """One training step each of ours, numpy by hand and (given torch) PyTorch, same weights."""
    model = engine_model(size, dtype)
    x, target = batch(size, dtype)
    ours, by_hand = engine_step(model, size), numpy_step(model, size)
    compiled = compiled_step(engine_model(size, dtype), size)
    for _ in range(3):  # two traces, then the program runs
        compiled(x, target)
    cases = {
        "ours": lambda: ours(x, target),
        "numpy by hand": lambda: by_hand(x, target),
        "ours compiled": lambda: compiled(x, target),
    }
    jax = optional("jax")
    if jax is not None:
        theirs_jax = jax_step(jax, model, size, dtype)
        jx, jt = jax.numpy.asarray(x), jax.numpy.asarray(target)
        theirs_jax(jx, jt)  # compiled by jit before the clock starts
        cases["jax jit"] = lambda: theirs_jax(jx, jt)
    if torch is not None:
        theirs = torch_step(torch, model, size, dtype)
        tx, tt = torch.from_numpy(x), torch.from_numpy(target)
        cases["pytorch"] = lambda: theirs(tx, tt)
    return cases


def phases(size: Size, dtype: str, repeats: int) -> dict[str, float]:
    """Median seconds of each part of our step (model, loss, backward, optimizer) and numpy's."""
    model = engine_model(size, dtype)
    x, target = batch(size, dtype)
    loss_fn = LOSS_FUNCTIONS[size.loss]
    opt = optim.SGD(model.parameters(), lr=LEARNING_RATE)
    by_hand = numpy_step(model, size)
    samples: dict[str, list[float]] = {k: [] for k in ("model", "loss", "backward", "opt", "numpy")}
    clock = time.perf_counter
    for _ in range(repeats):
        t0 = clock()
        out = model(x)
        t1 = clock()
        loss = loss_fn(out, target)
        t2 = clock()
        opt.zero_grad()
        loss.backward()
        t3 = clock()
        opt.step()
        t4 = clock()
        by_hand(x, target)
        t5 = clock()
        for key, seconds in zip(samples, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            samples[key].append(seconds)
    return {key: statistics.median(values) for key, values in samples.items()}


def run(quick: bool = False) -> Workload:
    result = Workload(NAME)
    torch = optional("torch")
    if torch is None:
        result.notes.append(missing_note("PyTorch", NAME))
    for dtype in ("float32", "float64"):
        for size in SIZES:
            cases = contestants(size, dtype, torch)
            steps = (5 if quick else 20) if size.name == "large" else (40 if quick else 200)
            repeats = 3 if quick else (9 if size.name == "large" else 15)
            times = interleaved(
                {name: repeat(fn, steps) for name, fn in cases.items()}, repeats=repeats
            )
            torch_target = 1.0 if size.beat_torch and dtype == "float32" else None
            for baseline, target in (
                ("numpy by hand", size.by_hand_target),
                ("pytorch", torch_target),
            ):
                theirs = times[baseline] / steps if baseline in times else None
                result.rows.append(
                    Row(
                        NAME,
                        f"{size.name} {dtype} step",
                        times["ours"] / steps,
                        baseline,
                        theirs,
                        target=target,
                    )
                )
            for baseline, target in (
                ("numpy by hand", COMPILED_TARGETS[size.name]),
                ("jax jit", 1.0 if size.name != "large" else None),
            ):
                theirs = times[baseline] / steps if baseline in times else None
                result.rows.append(
                    Row(
                        NAME,
                        f"{size.name} {dtype} compiled step",
                        times["ours compiled"] / steps,
                        baseline,
                        theirs,
                        target=target,
                    )
                )
    large = SIZES[-1]
    for dtype in ("float32", "float64"):
        model = engine_model(large, dtype)
        x, labels = batch(large, dtype)
        compiled = compiled_step(model, large)
        for _ in range(3):
            compiled(x, labels)
        by_hand = numpy_step(engine_model(large, dtype), large)
        by_hand(x, labels)
        result.rows.append(
            Row(
                NAME,
                f"large {dtype} compiled step, peak memory",
                peak_memory(lambda: compiled(x, labels)),  # noqa: B023
                "numpy by hand",
                peak_memory(lambda: by_hand(x, labels)),  # noqa: B023
                unit="B",
                target=1.25,
            )
        )
    for size in SIZES:
        seconds, eager_steps = trace_cost(size, "float32")
        result.notes.append(
            f"{NAME}: {size.name} float32 compiled step, one-time cost of its two traces "
            f"(eager steps, recording, code generation, the check against eager): "
            f"{seconds * 1e3:.1f} ms, {eager_steps:.1f} eager steps' worth"
        )
    for size in SIZES[:2]:
        p = phases(size, "float32", 50 if quick else 300)
        result.notes.append(
            f"{NAME}: {size.name} float32, our step in parts: model {p['model'] * 1e6:.0f} µs, "
            f"loss {p['loss'] * 1e6:.0f} µs, backward {p['backward'] * 1e6:.0f} µs, optimizer "
            f"{p['opt'] * 1e6:.0f} µs; numpy by hand, whole step {p['numpy'] * 1e6:.0f} µs"
        )
    return result


def trace_cost(size: Size, dtype: str) -> tuple[float, float]:
    """Seconds of the two tracing calls of a compiled step, and that in eager steps."""
    model = engine_model(size, dtype)
    x, target = batch(size, dtype)
    step = compiled_step(model, size)
    start = time.perf_counter()
    step(x, target)
    step(x, target)
    seconds = time.perf_counter() - start
    eager = engine_step(engine_model(size, dtype), size)
    start = time.perf_counter()
    for _ in range(5):
        eager(x, target)
    per_step = (time.perf_counter() - start) / 5
    return seconds, seconds / per_step


def repeat(fn: Callable[[], Any], times: int) -> Callable[[], None]:
    def repeated() -> None:
        for _ in range(times):
            fn()

    return repeated
