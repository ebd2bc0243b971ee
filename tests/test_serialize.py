"""Model files: round trips through safetensors, files others can read, refusal of truncated,
damaged, altered and mismatched files with a clear error. Hostile files: test_hostile_files.py;
atomic writing: test_atomic.py."""

from __future__ import annotations

import json
import os
import pickle

import numpy as np
import pytest

from tinygrad_mlp import MLP, Layer, Module, Neuron, Value
from tinygrad_mlp.nn import MODULES
from tinygrad_mlp.serialize import FORMAT, load, save

X = np.random.default_rng(0).normal(size=(5, 3))


@pytest.fixture
def saved(tmp_path):
    model = MLP(3, [4, 2], activation="tanh", seed=0)
    path = tmp_path / "model.safetensors"
    model.save(path)
    return model, path


def read_header(path) -> tuple[dict, bytes]:
    raw = path.read_bytes()
    size = int.from_bytes(raw[:8], "little")
    return json.loads(raw[8 : 8 + size]), raw[8 + size :]


def write_header(path, header: dict, body: bytes) -> None:
    text = json.dumps(header).encode()
    path.write_bytes(len(text).to_bytes(8, "little") + text + body)


# ----------------------------------------------------------------------------------------------
# Round trips


@pytest.mark.parametrize(
    "model",
    [
        MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", seed=0),
        MLP(3, [5, 1], dtype="float32", seed=1),
        Layer(3, 2, "softmax", seed=2),
        Neuron(3, "relu", seed=3),
    ],
    ids=["mlp", "mlp-float32", "layer", "neuron"],
)
def test_round_trip_gives_the_same_model(tmp_path, model) -> None:
    path = tmp_path / "m.safetensors"
    save(model, path)
    loaded = load(path)
    assert type(loaded) is type(model) and loaded.architecture() == model.architecture()
    assert loaded.dtype == model.dtype
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_mlp_load_and_load_into_an_existing_model(saved) -> None:
    model, path = saved
    np.testing.assert_array_equal(MLP.load(path).predict(X), model.predict(X))
    other = MLP(3, [4, 2], activation="tanh", seed=99)
    assert load(path, into=other) is other
    np.testing.assert_array_equal(other.predict(X), model.predict(X))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_safetensors_numpy_reads_the_weights_directly(tmp_path, dtype) -> None:
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    model = MLP(3, [4, 2], seed=0, dtype=dtype)
    model.save(tmp_path / "m.safetensors")
    weights = safetensors_numpy.load_file(tmp_path / "m.safetensors")
    assert weights.keys() == model.state_dict().keys()
    for name, arr in model.state_dict().items():
        assert weights[name].dtype == arr.dtype
        np.testing.assert_array_equal(weights[name], arr)


def test_safetensors_torch_reads_the_weights_directly(saved) -> None:
    safetensors_torch = pytest.importorskip("safetensors.torch")
    model, path = saved
    weights = safetensors_torch.load_file(path)
    for name, arr in model.state_dict().items():
        np.testing.assert_array_equal(weights[name].numpy(), arr)


def test_the_metadata_holds_every_module_with_its_class_and_arguments(saved) -> None:
    model, path = saved
    header, _ = read_header(path)
    tree = json.loads(header["__metadata__"]["modules"])
    assert [name for name, _ in tree] == ["", "layers.0", "layers.1"]
    assert tree[2][1] == {
        "class": "Layer",
        "nin": 4,
        "nout": 2,
        "activation": "linear",
        "dtype": "float64",
    }
    assert json.loads(header["__metadata__"]["architecture"]) == model.architecture()


def test_saving_leaves_no_temporary_file_and_replaces_the_old_one(saved) -> None:
    model, path = saved
    MLP(3, [4, 2], activation="tanh", seed=1).save(path)
    assert os.listdir(path.parent) == ["model.safetensors"]
    assert not np.array_equal(MLP.load(path).predict(X), model.predict(X))


def test_a_crash_mid_save_leaves_the_old_file_intact(saved, monkeypatch) -> None:
    model, path = saved
    before = path.read_bytes()
    real_write = os.write

    def crash(fd, data):
        real_write(fd, bytes(data)[:10])
        raise KeyboardInterrupt  # the process is stopped mid-write

    monkeypatch.setattr(os, "write", crash)
    with pytest.raises(KeyboardInterrupt):
        MLP(3, [4, 2], seed=5).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["model.safetensors"]


def test_saving_into_a_missing_folder_names_it(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="folder .*nowhere.* does not exist"):
        save(MLP(2, [1]), tmp_path / "nowhere" / "m.safetensors")


# ----------------------------------------------------------------------------------------------
# Refusals


def test_a_missing_file_is_named(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="no model file at .*absent.safetensors"):
        load(tmp_path / "absent.safetensors")


@pytest.mark.parametrize("keep", [0.9, 0.5, 0.1, 0.0])
def test_a_truncated_file_is_refused_naming_it(saved, keep) -> None:
    _, path = saved
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ValueError, match="model.safetensors"):
        load(path)


def test_altered_weights_are_refused(saved) -> None:
    _, path = saved
    header, body = read_header(path)
    body = bytearray(body)
    body[-1] ^= 0x01  # the last bit of the last weight: still a valid float
    write_header(path, header, bytes(body))
    with pytest.raises(ValueError, match="altered or corrupted"):
        load(path)


def test_an_altered_architecture_is_refused(saved) -> None:
    _, path = saved
    header, body = read_header(path)
    meta = header["__metadata__"]
    meta["architecture"] = meta["architecture"].replace("tanh", "relu")
    write_header(path, header, body)
    with pytest.raises(ValueError, match="altered or corrupted"):
        load(path)


def test_another_architecture_is_refused(saved) -> None:
    _, path = saved
    with pytest.raises(
        ValueError,
        match=r"different architecture: MLP\(.*nouts=\[4, 2\].*"
        r"but the model is MLP\(.*nouts=\[4, 3\]",
    ):
        load(path, into=MLP(3, [4, 3], activation="tanh"))


def test_a_model_of_another_class_is_refused(saved) -> None:
    _, path = saved
    with pytest.raises(ValueError, match="holds an MLP, not a Layer"):
        Layer.load(path)


@pytest.mark.parametrize("entry", ["architecture", "modules", "dtype", "checksum"])
def test_a_file_without_a_metadata_entry_is_refused_naming_it(saved, entry) -> None:
    _, path = saved
    header, body = read_header(path)
    del header["__metadata__"][entry]
    write_header(path, header, body)
    with pytest.raises(ValueError, match=f"damaged metadata .*'{entry}'"):
        load(path)


def test_a_safetensors_file_of_someone_else_is_not_a_model_file(tmp_path) -> None:
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    path = tmp_path / "other.safetensors"
    safetensors_numpy.save_file({"weight": np.zeros((2, 2))}, path)
    with pytest.raises(ValueError, match="not a tinygrad_mlp model file"):
        load(path)


def test_a_newer_format_is_refused_by_name(saved) -> None:
    _, path = saved
    header, body = read_header(path)
    header["__metadata__"]["format"] = FORMAT.replace("/2", "/3")
    write_header(path, header, body)
    with pytest.raises(ValueError, match="has format 'tinygrad_mlp.model/3'"):
        load(path)


class _Payload:
    """Unpickling this creates a file: proof that code ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickled_payload_is_never_unpickled(tmp_path) -> None:
    marker = tmp_path / "code-ran"
    path = tmp_path / "evil.safetensors"
    path.write_bytes(pickle.dumps(_Payload(str(marker))))
    with pytest.raises(ValueError, match="evil.safetensors"):
        load(path)
    assert not marker.exists()


# ----------------------------------------------------------------------------------------------
# A user's own Module subclass


class TwoLayers(Module):
    """A subclass as a user writes one: constructor arguments named in `architecture_args`."""

    architecture_args = ("nin", "hidden", "dtype")

    def __init__(self, nin: int, hidden: int, dtype: str = "float64", seed: int = 0) -> None:
        self.nin, self.hidden, self.dtype = nin, hidden, np.dtype(dtype)
        self.first = Layer(nin, hidden, "tanh", seed=seed, dtype=dtype)
        self.second = Layer(hidden, 1, "linear", seed=seed + 1, dtype=dtype)

    def forward(self, x: Value) -> Value:
        return self.second(self.first(x))


def test_a_users_subclass_saved_with_save_loads_again(tmp_path) -> None:
    model = TwoLayers(3, 4, dtype="float32", seed=5)
    path = tmp_path / "two.safetensors"
    model.save(path)
    loaded = load(path)
    assert type(loaded) is TwoLayers and loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert type(TwoLayers.load(path)) is TwoLayers


def test_a_file_naming_a_class_the_program_has_not_defined_is_refused_naming_it(tmp_path) -> None:
    class Elsewhere(TwoLayers):
        pass

    Elsewhere(2, 2).save(tmp_path / "m.safetensors")
    del MODULES["Elsewhere"]  # as in a program that never imported the class
    with pytest.raises(ValueError, match=r"class 'Elsewhere', but no Module class named"):
        load(tmp_path / "m.safetensors")


def test_saving_a_class_whose_name_another_class_took_is_refused(tmp_path) -> None:
    first = TwoLayers(2, 2)

    class TwoLayers_(TwoLayers):  # noqa: N801
        pass

    TwoLayers_.__name__ = "TwoLayers"
    MODULES["TwoLayers"] = TwoLayers_  # as a later class of the same name would
    try:
        with pytest.raises(ValueError, match="give the classes different names"):
            save(first, tmp_path / "m.safetensors")
        assert not os.listdir(tmp_path)
    finally:
        MODULES["TwoLayers"] = TwoLayers


def test_an_architecture_that_is_not_json_is_refused_naming_it(tmp_path) -> None:
    model = TwoLayers(2, 2)
    model.hidden = object()
    with pytest.raises(TypeError, match="is not JSON"):
        save(model, tmp_path / "m.safetensors")


class Shift(Module):
    """A preprocessing module as a user (or the library) writes one: its statistics are
    constructor arguments, so they travel in the architecture with no special case."""

    architecture_args = ("mean", "scale")

    def __init__(self, mean: list[float], scale: list[float]) -> None:
        self.mean, self.scale = list(mean), list(scale)

    def forward(self, x: Value) -> Value:
        return (x - np.array(self.mean)) * np.array(self.scale)


class Pipeline(Module):
    architecture_args = ("mean", "scale", "nouts")

    def __init__(self, mean: list[float], scale: list[float], nouts: list[int]) -> None:
        self.mean, self.scale, self.nouts = list(mean), list(scale), list(nouts)
        self.prepare = Shift(mean, scale)
        self.mlp = MLP(len(mean), nouts, seed=0)

    def forward(self, x: Value) -> Value:
        return self.mlp(self.prepare(x))


def test_a_preprocessing_module_travels_with_the_weights(tmp_path) -> None:
    model = Pipeline([1.0, -2.0, 0.5], [0.5, 2.0, 1.0], [4, 2])
    for p in model.parameters():
        p.data = p.data + 0.25  # trained: not what the constructor draws
    model.save(tmp_path / "p.safetensors")
    loaded = load(tmp_path / "p.safetensors")
    assert [name for name, _ in loaded.named_modules()] == [
        "",
        "prepare",
        "mlp",
        "mlp.layers.0",
        "mlp.layers.1",
    ]
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
