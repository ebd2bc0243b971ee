"""The eager engine of another revision side by side with this one: one process, one run, the
same baselines.

    python -m benchmarks --against df57618          # the eager rows, this tree and df57618
    python -m benchmarks --against HEAD~3 --quick

A ratio against a baseline moves with the machine (RESULTS.md runs of different days differ by
more than a change is worth). Here both engines run in turn with the baseline of each row, so
that "this revision / that one" compares the engines alone. The other revision's package is
taken with `git archive` and imported under another name (the package imports itself only
relatively), so both live in this process. The cases of a row take turns, in reverse order
every other round, so that neither engine always runs first. Rows: the scalar demo step with
the collector off (micrograd the baseline), the per-op chains (micrograd, numpy by hand) and
the eager tensor steps (numpy by hand). Nothing is written; the table is printed.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

import tinygrad_mlp

from . import per_op, scalar_net, tensor_mlp
from .timing import GcDisabled, interleaved, optional

ROOT = Path(__file__).resolve().parent.parent


def load_revision(revision: str, into: Path) -> ModuleType:
    """The `tinygrad_mlp` package as it is at `revision`, imported as `tinygrad_mlp_at_<sha>`."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", revision],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    archive = into / "package.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "archive", sha, "tinygrad_mlp"], cwd=ROOT, check=True, stdout=out)
    name = f"tinygrad_mlp_at_{sha}"
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    packages = into / "packages"  # on sys.path: holds this one package and nothing else
    packages.mkdir()
    (into / "tree" / "tinygrad_mlp").rename(packages / name)
    sys.path.insert(0, str(packages))
    return importlib.import_module(name)


def eager_step(package: ModuleType, size: tensor_mlp.Size, dtype: str) -> Callable[[], float]:
    """One eager training step of `package`'s MLP on `size`'s batch, as tensor_mlp writes it."""
    model = package.MLP(size.sizes[0], list(size.sizes[1:]), activation="relu", seed=0, dtype=dtype)
    losses = {"mse": package.losses.mse, "cross_entropy": package.losses.cross_entropy}
    opt = package.optim.SGD(model.parameters(), lr=tensor_mlp.LEARNING_RATE)
    step = tensor_mlp.training_step(model, losses[size.loss], opt)
    x, target = tensor_mlp.batch(size, dtype)
    return lambda: step(x, target)


def rows(other: ModuleType, quick: bool) -> list[tuple[str, str, float, float, float]]:
    """(case, baseline, this / baseline, other / baseline, this / other) for each eager row."""
    engines = {"this": tinygrad_mlp, "other": other}
    found = []

    def add(case: str, baseline: str, times: dict[str, float]) -> None:
        this, that, base = times["this"], times["other"], times[baseline]
        found.append((case, baseline, this / base, that / base, this / that))

    micrograd = optional("micrograd.engine")
    X, y = scalar_net.demo_data(100)
    if micrograd is not None:
        nets = {k: scalar_net.MLP(e.Value, 2, [16, 16, 1], seed=0) for k, e in engines.items()}
        nets["micrograd"] = scalar_net.MLP(micrograd.Value, 2, [16, 16, 1], seed=0)
        classes = {**{k: e.Value for k, e in engines.items()}, "micrograd": micrograd.Value}
        steps: dict[str, Callable[[], Any]] = {
            k: partial(scalar_net.training_step, classes[k], net, X, y) for k, net in nets.items()
        }
        with GcDisabled():
            add(
                "scalar demo step, GC off",
                "micrograd",
                interleaved(steps, repeats=5 if quick else 15, free_outside=True, alternate=True),
            )
            chains: dict[str, Callable[[], Any]] = {
                k: partial(per_op.engine_chain, 0.3, last="relu", value_class=e.Value)
                for k, e in engines.items()
            }
            chains["micrograd"] = partial(per_op.micrograd_chain, micrograd.Value, 0.3)
            per_op_times = interleaved(chains, repeats=7 if quick else 25, alternate=True)
        add("scalar op + backward, per op (GC off)", "micrograd", per_op_times)
    x = np.random.default_rng(0).normal(size=per_op.WIDTH)
    vectors: dict[str, Callable[[], Any]] = {
        k: partial(per_op.engine_chain, x, value_class=e.Value) for k, e in engines.items()
    }
    vectors["numpy by hand"] = partial(per_op.numpy_chain, x)
    add(
        f"{per_op.WIDTH}-vector op + backward, per op",
        "numpy by hand",
        interleaved(vectors, repeats=7 if quick else 25, alternate=True),
    )
    for dtype in ("float32", "float64"):
        for size in tensor_mlp.SIZES:
            n = (5 if quick else 20) if size.name == "large" else (40 if quick else 200)
            cases = {k: eager_step(e, size, dtype) for k, e in engines.items()}
            model = tensor_mlp.engine_model(size, dtype)
            by_hand = tensor_mlp.numpy_step(model, size)
            bx, bt = tensor_mlp.batch(size, dtype)
            cases["numpy by hand"] = partial(by_hand, bx, bt)
            repeated = {k: tensor_mlp.repeat(fn, n) for k, fn in cases.items()}
            repeats = 3 if quick else (9 if size.name == "large" else 15)
            add(
                f"{size.name} {dtype} step",
                "numpy by hand",
                interleaved(repeated, repeats, alternate=True),
            )
    return found


def report(revision: str, quick: bool = False) -> str:
    """The markdown table of this tree's eager rows beside `revision`'s."""
    with tempfile.TemporaryDirectory() as folder:
        other = load_revision(revision, Path(folder))
        found = rows(other, quick)
    name = other.__name__.removeprefix("tinygrad_mlp_at_")
    lines = [
        f"| case | baseline | this tree / baseline | {name} / baseline | this / {name} |",
        "|---|---|---:|---:|---:|",
    ]
    for case, baseline, this, that, both in found:
        lines.append(f"| {case} | {baseline} | {this:.3g} | {that:.3g} | {both:.3f} |")
    return "\n".join(lines)
