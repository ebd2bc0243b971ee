"""Models that travel: `to_torch` and `export_onnx` give the same outputs as the model itself,
and say which package to install when torch or onnx is missing."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from tinygrad_mlp import MLP, Layer, Module, Neuron, export_onnx
from tinygrad_mlp.interop import to_torch

X = np.random.default_rng(1).normal(size=(7, 3))

MODELS = [
    MLP(3, [8, 8, 2], activation="relu", seed=0),
    MLP(3, [5, 4], activation="tanh", output_activation="softmax", seed=1),
    MLP(3, [6, 1], activation="sigmoid", output_activation="sigmoid", seed=2, dtype="float32"),
    MLP(3, [2], seed=3),
    Layer(3, 4, "tanh", seed=4),
    Neuron(3, "relu", seed=5),
    Neuron(3, "sigmoid", seed=6, dtype="float32"),
]
IDS = ["mlp-relu", "mlp-softmax", "mlp-float32", "linear", "layer", "neuron", "neuron-float32"]


def tolerance(model: Module) -> dict[str, float]:
    return {"rtol": 1e-5, "atol": 1e-6} if model.dtype == np.float32 else {"rtol": 1e-12}


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_the_torch_module_gives_the_same_outputs(model):
    torch = pytest.importorskip("torch")
    net = model.to_torch()
    with torch.no_grad():
        out = net(torch.from_numpy(X.astype(model.dtype))).numpy()
    expected = model.predict(X)
    assert out.shape == expected.shape and out.dtype == expected.dtype
    np.testing.assert_allclose(out, expected, **tolerance(model))


def test_the_torch_module_trains_on_its_own_copy_of_the_weights():
    torch = pytest.importorskip("torch")
    model = MLP(3, [4, 1], seed=0)
    before = model.state_dict()
    net = to_torch(model)
    net(torch.from_numpy(X)).sum().backward()
    with torch.no_grad():
        for p in net.parameters():
            p -= p.grad
    for name, arr in model.state_dict().items():
        np.testing.assert_array_equal(arr, before[name])


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_onnx_runtime_gives_the_same_predictions(tmp_path, model):
    onnxruntime = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    path = tmp_path / "model.onnx"
    export_onnx(model, path)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (out,) = session.run(None, {"input": X.astype(model.dtype)})
    expected = model.predict(X)
    assert out.shape == expected.shape and out.dtype == expected.dtype
    np.testing.assert_allclose(out, expected, **tolerance(model))


def test_the_onnx_file_passes_the_onnx_checker_with_the_opset_asked_for(tmp_path):
    onnx = pytest.importorskip("onnx")
    export_onnx(MLP(3, [4, 2], seed=0), tmp_path / "m.onnx", opset=13)
    proto = onnx.load(str(tmp_path / "m.onnx"))
    onnx.checker.check_model(proto)
    assert [o.version for o in proto.opset_import] == [13]


def test_a_model_loaded_from_a_file_exports_the_same(tmp_path):
    torch = pytest.importorskip("torch")
    model = MLP(3, [4, 2], seed=0)
    model.save(tmp_path / "m.safetensors")
    net = MLP.load(tmp_path / "m.safetensors").to_torch()
    with torch.no_grad():
        np.testing.assert_array_equal(
            net(torch.from_numpy(X)).numpy(), to_torch(model)(torch.from_numpy(X)).detach().numpy()
        )


def test_a_module_that_is_not_a_chain_of_dense_layers_is_refused_naming_it():
    class Twice(Module):
        def forward(self, x):
            return x * 2

    with pytest.raises(TypeError, match="cannot export a Twice"):
        to_torch(Twice())


@pytest.mark.parametrize("package, export", [("torch", to_torch), ("onnx", export_onnx)])
def test_without_the_package_the_message_says_what_to_install(
    monkeypatch, tmp_path, package, export
):
    monkeypatch.setitem(sys.modules, package, None)  # import torch now raises ImportError
    args = (MLP(3, [2]),) if export is to_torch else (MLP(3, [2]), tmp_path / "m.onnx")
    with pytest.raises(ImportError, match=rf"needs the '{package}' package: .*\[interop\]"):
        export(*args)


# -- the tensor API's activations and a standardising MLP (issue 11) -------------------------


@pytest.mark.parametrize("activation", ["leaky_relu", "elu", "gelu", "softplus"])
def test_new_activations_go_to_torch_with_the_same_outputs(activation) -> None:
    pytest.importorskip("torch")
    import torch

    model = MLP(3, [6, 2], activation=activation, seed=0)
    X = np.random.default_rng(0).normal(size=(5, 3))
    out = model.to_torch()(torch.from_numpy(X)).detach().numpy()
    np.testing.assert_allclose(out, model.predict(X), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    ("activation", "opset"), [("leaky_relu", 17), ("elu", 17), ("softplus", 17), ("gelu", 20)]
)
def test_new_activations_go_to_onnx_with_the_same_outputs(activation, opset, tmp_path) -> None:
    """In float32: ONNX Runtime implements Elu and Softplus for float only."""
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    model = MLP(3, [6, 2], activation=activation, seed=0, dtype="float32")
    export_onnx(model, tmp_path / "m.onnx", opset=opset)
    X = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    out = ort.InferenceSession(str(tmp_path / "m.onnx")).run(None, {"input": X})[0]
    np.testing.assert_allclose(out, model.predict(X), rtol=1e-5, atol=1e-6)


def test_gelu_before_opset_20_is_refused_naming_the_opset(tmp_path) -> None:
    pytest.importorskip("onnx")
    with pytest.raises(ValueError, match="opset 17 has no gelu"):
        export_onnx(MLP(3, [2], activation="gelu", output_activation="gelu"), tmp_path / "m.onnx")


def test_a_standardising_mlp_exports_its_preparation(tmp_path) -> None:
    torch = pytest.importorskip("torch")
    from tinygrad_mlp.nn import Standardize

    model = MLP(3, [6, 2], seed=0, standardize=Standardize([1.0, -2.0, 30.0], [0.5, 2.0, 10.0]))
    X = np.random.default_rng(0).normal(5.0, 10.0, size=(5, 3))
    out = model.to_torch()(torch.from_numpy(X)).detach().numpy()
    np.testing.assert_allclose(out, model.predict(X), rtol=1e-10, atol=1e-10)
