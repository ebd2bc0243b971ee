"""The figures of the primer notebook (docs/primer.ipynb), computed with the library.

    python docs/figures.py            # rewrites docs/*.svg (and docs/explain.png, with Chromium)
    python docs/figures.py OUT_DIR    # writes them to OUT_DIR instead

Every number in them comes from the engine: each activation's derivative from its backward
pass, each gradient-descent step from `backward()`. The notebook calls the same functions, so
the figures in the README and in the notebook are the same. Seeded: running this twice gives
the same files.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_mlp import MLP, Value, data
from tinygrad_mlp.nn import ACTIVATIONS

HERE = Path(__file__).resolve().parent
STYLE = {"svg.hashsalt": "tinygrad_mlp", "svg.fonttype": "path", "font.size": 9}

# --------------------------------------------------------------------------------------------
# Activation functions


def activation_curves(xs: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray, str | None]]:
    """For each activation the library has: its values at `xs`, its derivative there computed
    by the engine's backward pass, and the derivative formula its op gives (None for linear).

    Softmax is over a vector, so its curve is the first output of softmax([x, 0]) and its
    derivative d(first output)/dx.
    """
    curves = {}
    for name, act in ACTIVATIONS.items():
        if name == "softmax":
            x = Value(np.stack([xs, np.zeros_like(xs)], axis=1))
            y = x.softmax()[:, 0]
        else:
            x = Value(xs.copy())
            y = x if act is None else act(x)
        if act is None:
            curves[name] = (xs.copy(), np.ones_like(xs), "d/dx x = 1")
            continue
        y.sum().backward()  # elementwise: the gradient of the sum is each point's derivative
        grad = x.grad[:, 0] if name == "softmax" else x.grad
        op = y.op if name != "softmax" else y.parents[0].op
        curves[name] = (np.asarray(y.data), np.asarray(grad), op.derivative)
    return curves


def activation_cheat_sheet() -> Any:
    """A panel per activation: the function (solid) and its derivative from backward (dashed)."""
    import matplotlib
    from matplotlib.figure import Figure

    xs = np.linspace(-4, 4, 161)
    curves = activation_curves(xs)
    with matplotlib.rc_context(STYLE):
        cols = 3
        rows = -(-len(curves) // cols)
        fig = Figure(figsize=(3.0 * cols, 2.3 * rows), layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for ax, (name, (y, dy, formula)) in zip(axes, curves.items()):
            ax.plot(xs, y, "-", color="#1f5fa8", label=name)
            ax.plot(xs, dy, "--", color="#d35400", label="derivative (backward)")
            ax.axhline(0, color="#999", lw=0.6)
            ax.axvline(0, color="#999", lw=0.6)
            ax.set_title(f"{name}\n{formula or ''}", fontsize=9)
            ax.set_ylim(-1.6, 2.2 if name != "linear" else 4.2)
            ax.grid(alpha=0.3)
        axes[0].legend(loc="upper left", fontsize=7)
        for ax in axes[len(curves) :]:
            ax.set_visible(False)
        fig.suptitle("Activation functions and their derivatives (computed by backward)")
    return fig


# --------------------------------------------------------------------------------------------
# Gradient descent on a cost of one weight

# one weight w, model y = w·x, cost = sum of squared errors ½ Σ (y - t)² over these points
X_ONE = np.array([0.5, 1.0, 1.5, 2.0])
T_ONE = np.array([1.1, 1.9, 3.2, 3.9])


def sse_cost(w: Value | float) -> Value:
    """½ Σ (w·x - t)²: the sum of squared errors of the one-weight model on (X_ONE, T_ONE)."""
    w = w if isinstance(w, Value) else Value(float(w))
    errors = [w * float(x) - float(t) for x, t in zip(X_ONE, T_ONE)]
    return 0.5 * sum(e * e for e in errors)


def descend(eta: float, w0: float = -0.5, steps: int = 8) -> list[tuple[float, float]]:
    """Gradient descent from w0: w ← w - η dC/dw, with dC/dw from backward. (w, C) per step."""
    w = Value(w0)
    path = []
    for _ in range(steps + 1):
        cost = sse_cost(w)
        path.append((w.data, cost.data))
        w.zero_grad()
        cost.backward()
        w.data = w.data - eta * w.grad
    return path


ETAS = {"too small": 0.02, "good": 0.12, "too large": 0.28}  # diverges past 2 / Σx² = 0.267


def gradient_descent_figure() -> Any:
    """The cost curve of one weight, and the steps gradient descent takes for three η."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(9.6, 3.0), layout="constrained")
        for ax, (words, eta) in zip(fig.subplots(1, 3), ETAS.items()):
            steps = descend(eta)
            w, c = zip(*steps)
            ws = np.linspace(min(min(w), -1.0) - 0.3, max(max(w), 4.5) + 0.3, 200)
            ax.plot(ws, [sse_cost(float(x)).data for x in ws], color="#888")
            ax.plot(w, c, "o-", color="#d35400", ms=4, lw=1)
            ax.set_title(f"η = {eta} ({words})\ncost {c[-1]:.3g} after {len(c) - 1} steps")
            ax.set_xlabel("weight w")
            ax.grid(alpha=0.3)
        fig.axes[0].set_ylabel("cost ½ Σ (w·x - t)²")
        fig.suptitle("Gradient descent: w ← w - η dC/dw, each step from backward()")
    return fig


# --------------------------------------------------------------------------------------------
# An MLP on digits


def digits_run(epochs: int = 15) -> tuple[MLP, Any]:
    """An MLP(64, [32, 10]) trained on the bundled 8x8 digits (pixels scaled to [0, 1]), 20%
    held out; returns the model and its history."""
    X, y = data.digits()
    model = MLP(64, [32, 10], activation="relu", seed=0)
    history = model.fit(X / 16.0, y, epochs=epochs, validation_split=0.2, progress=False)
    return model, history


def learning_curves(history: Any, path: str | Path) -> Path:
    """Loss and accuracy per epoch of a `digits_run`, training and validation, as an SVG."""
    from tinygrad_mlp.plots import plot_history

    return Path(plot_history(history, path, title="MLP(64, [32, 10]) on 8x8 digits"))


def svg_of(fig: Any) -> str:
    """A matplotlib Figure as SVG text (what the notebook displays)."""
    import io

    import matplotlib

    out = io.StringIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


FIGURES = {
    "activations.svg": activation_cheat_sheet,
    "gradient_descent.svg": gradient_descent_figure,
}


def explain_screenshot(path: str | Path) -> Path | None:
    """docs/explain.png: the step-through page of micrograd's neuron in the middle of its
    backward pass, as Chromium shows it (None where Playwright or Chromium is missing)."""
    import shutil
    import tempfile

    from tinygrad_mlp import explain
    from tinygrad_mlp.nn import ScalarNeuron

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return None
    neuron = ScalarNeuron(2, "tanh")
    for p, number in zip(neuron.parameters(), [-3.0, 1.0, 6.8813735870195432]):
        p.data = number
    o = neuron([Value(2.0, label="x1"), Value(0.0, label="x2")])
    o.label = "o"
    with tempfile.TemporaryDirectory() as folder:
        page_path = explain(o, Path(folder) / "backprop.html")
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--headless", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1400, "height": 520})
            page.goto(f"file://{page_path}")
            for _ in range(9):
                page.keyboard.press("ArrowRight")
            page.screenshot(path=str(path))
            browser.close()
    return Path(path)


def main(out_dir: str | Path = HERE) -> list[Path]:
    """Write every figure into `out_dir`; returns the paths."""
    written = []
    for name, make in FIGURES.items():
        path = Path(out_dir) / name
        path.write_text(svg_of(make()), encoding="utf-8")
        written.append(path)
    written.append(learning_curves(digits_run()[1], Path(out_dir) / "learning_curves.svg"))
    shot = explain_screenshot(Path(out_dir) / "explain.png")
    return written + ([shot] if shot else [])


if __name__ == "__main__":
    for p in main(*sys.argv[1:2]):
        print(p)
