"""Model files: round trips, refusal of truncated, damaged, altered, pickled and mismatched
files with a clear error, and atomic writes."""

from __future__ import annotations

import io
import os
import pickle
import zipfile

import numpy as np
import pytest

from tinygrad_mlp import MLP, Layer, Module, Neuron, Value
from tinygrad_mlp.nn import MODULES
from tinygrad_mlp.serialize import FORMAT, load, save

X = np.random.default_rng(0).normal(size=(5, 3))


@pytest.fixture
def saved(tmp_path):
    model = MLP(3, [4, 2], activation="tanh", seed=0)
    path = tmp_path / "model.npz"
    model.save(path)
    return model, path


def rewrite(path, change) -> None:
    """Rewrite the archive at `path` with `change(arrays)` applied (no checksum update)."""
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    change(arrays)
    with open(path, "wb") as f:
        np.savez(f, **arrays)


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
    path = tmp_path / "m.npz"
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


def test_saving_leaves_no_temporary_file_and_replaces_the_old_one(saved) -> None:
    model, path = saved
    MLP(3, [4, 2], activation="tanh", seed=1).save(path)
    assert os.listdir(path.parent) == ["model.npz"]
    assert not np.array_equal(MLP.load(path).predict(X), model.predict(X))


def test_a_crash_mid_save_leaves_the_old_file_intact(saved, monkeypatch) -> None:
    model, path = saved
    before = path.read_bytes()

    def crash(file, **arrays):
        file.write(b"PK\x03\x04 half an archive")
        raise KeyboardInterrupt  # the process is stopped mid-write

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        MLP(3, [4, 2], seed=5).save(path)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["model.npz"]


def test_saving_into_a_missing_folder_names_it(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="folder .*nowhere.* does not exist"):
        save(MLP(2, [1]), tmp_path / "nowhere" / "m.npz")


# ----------------------------------------------------------------------------------------------
# Refusals


def test_a_missing_file_is_named(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="no model file at .*absent.npz"):
        load(tmp_path / "absent.npz")


@pytest.mark.parametrize("keep", [0.9, 0.5, 0.1, 0.0])
def test_a_truncated_file_is_refused(saved, keep) -> None:
    _, path = saved
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ValueError, match="not a readable model file .*truncated"):
        load(path)


def test_a_file_with_flipped_bytes_is_refused(saved) -> None:
    _, path = saved
    data = bytearray(path.read_bytes())
    start = data.index(b"param:layers.0.W") + 200  # inside that array's data
    data[start : start + 8] = bytes(8)
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="not a readable model file|altered"):
        load(path)


def test_altered_weights_are_refused(saved) -> None:
    _, path = saved

    def nudge(arrays):
        arrays["param:layers.1.b"] = arrays["param:layers.1.b"] + 1e-3

    rewrite(path, nudge)
    with pytest.raises(ValueError, match="altered or corrupted"):
        load(path)


def test_an_altered_architecture_is_refused(saved) -> None:
    _, path = saved

    def swap(arrays):
        arrays["architecture"] = np.array([str(arrays["architecture"][0]).replace("tanh", "relu")])

    rewrite(path, swap)
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
    with pytest.raises(ValueError, match="holds a MLP, not a Layer"):
        Layer.load(path)


@pytest.mark.parametrize("entry", ["format", "architecture", "checksum"])
def test_a_file_without_the_model_entries_is_not_a_model_file(saved, entry) -> None:
    _, path = saved
    rewrite(path, lambda arrays: arrays.pop(entry))
    with pytest.raises(ValueError, match=f"not a tinygrad_mlp model file: it has no '{entry}'"):
        load(path)


def test_a_newer_format_is_refused_by_name(saved) -> None:
    _, path = saved

    def bump(arrays):
        arrays["format"] = np.array(FORMAT.replace("/1", "/2"))

    rewrite(path, bump)
    with pytest.raises(ValueError, match="has format 'tinygrad_mlp.model/2'"):
        load(path)


class _Payload:
    """Unpickling this creates a file: proof that code ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickled_payload_is_never_unpickled(tmp_path) -> None:
    marker = tmp_path / "code-ran"
    path = tmp_path / "evil.npz"
    buffer = io.BytesIO()
    np.save(buffer, np.array([_Payload(str(marker))], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("format.npy", buffer.getvalue())
    with pytest.raises(ValueError, match="not a readable model file"):
        load(path)
    assert not marker.exists()
    path.write_bytes(pickle.dumps(_Payload(str(marker))))  # a bare pickle, not an archive
    with pytest.raises(ValueError, match="not a readable model file"):
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
    path = tmp_path / "two.npz"
    model.save(path)
    loaded = load(path)
    assert type(loaded) is TwoLayers and loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert type(TwoLayers.load(path)) is TwoLayers


def test_a_file_naming_a_class_the_program_has_not_defined_is_refused_naming_it(tmp_path) -> None:
    class Elsewhere(TwoLayers):
        pass

    Elsewhere(2, 2).save(tmp_path / "m.npz")
    del MODULES["Elsewhere"]  # as in a program that never imported the class
    with pytest.raises(ValueError, match=r"class 'Elsewhere', but no Module class named"):
        load(tmp_path / "m.npz")


def test_saving_a_class_whose_name_another_class_took_is_refused(tmp_path) -> None:
    first = TwoLayers(2, 2)

    class TwoLayers_(TwoLayers):  # noqa: N801
        pass

    TwoLayers_.__name__ = "TwoLayers"
    MODULES["TwoLayers"] = TwoLayers_  # as a later class of the same name would
    try:
        with pytest.raises(ValueError, match="give the classes different names"):
            save(first, tmp_path / "m.npz")
        assert not os.listdir(tmp_path)
    finally:
        MODULES["TwoLayers"] = TwoLayers


def test_an_architecture_that_is_not_json_is_refused_naming_it(tmp_path) -> None:
    model = TwoLayers(2, 2)
    model.hidden = object()
    with pytest.raises(TypeError, match="is not JSON"):
        save(model, tmp_path / "m.npz")
