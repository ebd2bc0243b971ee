"""Taking a trained model elsewhere: to PyTorch (`to_torch`) and to ONNX (`export_onnx`).

Both read the model as a chain of dense layers, activation(x @ W + b), through one function
(`dense_layers`), so the two exports cannot disagree about what the model computes. `Neuron`,
`Layer` and `MLP` are chains of dense layers; another Module is refused with a message naming
its class. torch and onnx are optional (the ``interop`` extra): without them the functions say
which package to install.

>>> import numpy as np
>>> from tinygrad_mlp import MLP
>>> [(W.shape, activation) for W, _, activation in dense_layers(MLP(2, [3, 1], "tanh"))[0]]
[((2, 3), 'tanh'), ((3, 1), 'linear')]
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .atomic import write_file
from .nn import MLP, Layer, Module, Neuron

__all__ = ["dense_layers", "to_torch", "export_onnx", "ONNX_OPSET"]

ONNX_OPSET = 17
Dense = tuple[np.ndarray, np.ndarray, str]  # W (nin, nout), b (nout,), activation


def dense_layers(model: Module) -> tuple[list[Dense], bool]:
    """The model as dense layers in order, and whether the last axis is dropped at the end
    (a `Neuron` gives one number per example, shape (n,), not (n, 1))."""
    if isinstance(model, MLP):
        layers = [layer for part in model.layers for layer in dense_layers(part)[0]]
        if model.inputs is not None:  # (x - m) / s @ W + b = x @ (W / s) + (b - (m / s) @ W)
            mean, std = np.asarray(model.inputs.mean), np.asarray(model.inputs.std)
            W, b, activation = layers[0]
            layers[0] = ((W / std[:, None]).astype(W.dtype), b - ((mean / std) @ W), activation)
        return layers, False
    if isinstance(model, Layer):
        return [(np.asarray(model.W.data), np.asarray(model.b.data), model.activation)], False
    if isinstance(model, Neuron):
        w, b = np.asarray(model.w.data), np.asarray(model.b.data)
        return [(w.reshape(-1, 1), b.reshape(1), model.activation)], True
    raise TypeError(
        f"cannot export a {type(model).__name__}: only Neuron, Layer and MLP (chains of dense "
        f"layers) have an export"
    )


def _need(package: str) -> Any:
    import importlib

    try:
        return importlib.import_module(package)
    except ImportError:
        raise ImportError(
            f"this export needs the {package!r} package: pip install 'tinygrad_mlp[interop]' "
            f"(or pip install {package})"
        ) from None


def to_torch(model: Module) -> Any:
    """An equivalent `torch.nn.Module` (a `torch.nn.Sequential`) with copies of the weights,
    in the model's dtype; it gives the same outputs as `model.predict`.

    >>> import numpy as np
    >>> import torch
    >>> from tinygrad_mlp import MLP
    >>> model = MLP(2, [8, 3], activation="tanh", seed=0)
    >>> net = to_torch(model)
    >>> net
    Sequential(
      (0): Linear(in_features=2, out_features=8, bias=True)
      (1): Tanh()
      (2): Linear(in_features=8, out_features=3, bias=True)
    )
    >>> X = np.random.default_rng(0).normal(size=(4, 2))
    >>> bool(np.allclose(net(torch.from_numpy(X)).detach().numpy(), model.predict(X)))
    True
    """
    torch = _need("torch")
    nn = torch.nn
    activations = {
        "relu": nn.ReLU,
        "tanh": nn.Tanh,
        "sigmoid": nn.Sigmoid,
        "leaky_relu": lambda: nn.LeakyReLU(0.01),
        "elu": nn.ELU,
        "gelu": lambda: nn.GELU(approximate="tanh"),
        "softplus": nn.Softplus,
    }
    layers, squeeze = dense_layers(model)
    dtype = {np.dtype("float32"): torch.float32, np.dtype("float64"): torch.float64}[
        np.dtype(model.dtype)
    ]
    parts: list[Any] = []
    for W, b, activation in layers:
        linear = nn.Linear(W.shape[0], W.shape[1], dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.array(W.T, order="C")))  # a writable copy
            linear.bias.copy_(torch.from_numpy(np.array(b)))
        parts.append(linear)
        if activation == "softmax":
            parts.append(nn.Softmax(dim=-1))
        elif activation != "linear":
            parts.append(activations[activation]())
    if squeeze:
        parts.append(nn.Flatten(start_dim=-2))  # (n, 1) -> (n,), as a Neuron gives
    return nn.Sequential(*parts)


def export_onnx(model: Module, path: str | os.PathLike[str], opset: int = ONNX_OPSET) -> None:
    """Write `model` to `path` as an ONNX model (opset 17 by default) that ONNX Runtime runs
    with the same outputs: input ``"input"`` of shape (batch, nin), output ``"output"``.

    The graph is MatMul, Add and the activation per layer, in the model's dtype; the file is
    checked with `onnx.checker` and written atomically (see `atomic.write_file`).

    >>> import os, tempfile
    >>> import numpy as np
    >>> import onnxruntime
    >>> from tinygrad_mlp import MLP
    >>> folder = tempfile.TemporaryDirectory()
    >>> model = MLP(2, [4, 1], seed=0)
    >>> export_onnx(model, os.path.join(folder.name, "m.onnx"))
    >>> session = onnxruntime.InferenceSession(os.path.join(folder.name, "m.onnx"))
    >>> X = np.random.default_rng(0).normal(size=(3, 2))
    >>> bool(np.allclose(session.run(None, {"input": X})[0], model.predict(X)))
    True
    >>> folder.cleanup()
    """
    onnx = _need("onnx")
    helper, numpy_helper = onnx.helper, onnx.numpy_helper
    layers, squeeze = dense_layers(model)
    dtype = np.dtype(model.dtype)
    elem = {
        np.dtype("float32"): onnx.TensorProto.FLOAT,
        np.dtype("float64"): onnx.TensorProto.DOUBLE,
    }
    nodes, weights = [], []
    x = "input"
    ops = {"relu": "Relu", "tanh": "Tanh", "sigmoid": "Sigmoid", "softplus": "Softplus"}
    attributes: dict[str, dict[str, Any]] = {"leaky_relu": {"alpha": 0.01}, "elu": {"alpha": 1.0}}
    ops.update(leaky_relu="LeakyRelu", elu="Elu")
    if opset >= 20:  # ONNX has Gelu from opset 20
        ops["gelu"], attributes["gelu"] = "Gelu", {"approximate": "tanh"}
    missing = {a for _, _, a in layers} - {*ops, "linear", "softmax"}
    if missing:
        raise ValueError(
            f"ONNX opset {opset} has no {', '.join(sorted(missing))}; export with opset=20 for gelu"
        )
    for i, (W, b, activation) in enumerate(layers):
        weights += [
            numpy_helper.from_array(W.astype(dtype), f"layers.{i}.W"),
            numpy_helper.from_array(b.astype(dtype), f"layers.{i}.b"),
        ]
        nodes.append(helper.make_node("MatMul", [x, f"layers.{i}.W"], [f"z{i}.matmul"]))
        nodes.append(helper.make_node("Add", [f"z{i}.matmul", f"layers.{i}.b"], [f"z{i}"]))
        x = f"z{i}"
        if activation == "softmax":
            nodes.append(helper.make_node("Softmax", [x], [f"a{i}"], axis=-1))
            x = f"a{i}"
        elif activation != "linear":
            options = attributes.get(activation, {})
            nodes.append(helper.make_node(ops[activation], [x], [f"a{i}"], **options))
            x = f"a{i}"
    nin, nout = layers[0][0].shape[0], layers[-1][0].shape[1]
    out_shape: list[Any] = ["batch"] if squeeze else ["batch", nout]
    if squeeze:
        weights.append(numpy_helper.from_array(np.array([-1], dtype=np.int64), "flat"))
        nodes.append(helper.make_node("Reshape", [x, "flat"], ["output"]))
    else:
        nodes.append(helper.make_node("Identity", [x], ["output"]))
    graph = helper.make_graph(
        nodes,
        f"tinygrad_mlp.{type(model).__name__}",
        [helper.make_tensor_value_info("input", elem[dtype], ["batch", nin])],
        [helper.make_tensor_value_info("output", elem[dtype], out_shape)],
        initializer=weights,
    )
    proto = helper.make_model(
        graph, producer_name="tinygrad_mlp", opset_imports=[helper.make_opsetid("", opset)]
    )
    proto.ir_version = min(proto.ir_version, 8)  # readable by ONNX Runtime releases since 1.10
    onnx.checker.check_model(proto)
    write_file(path, proto.SerializeToString())
