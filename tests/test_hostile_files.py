"""Model files made to hurt: claimed sizes far beyond the stored weights, absurd numbers, deep
JSON, dtypes that are not weights, extra tensors, flipped bytes and things that are not files.
Each is one ValueError naming the file, raised before anything is allocated from the claim."""

from __future__ import annotations

import json
import os
import tracemalloc

import numpy as np
import pytest

from tinygrad_mlp import MLP, Neuron
from tinygrad_mlp.serialize import FORMAT, _checksum, load

safetensors_numpy = pytest.importorskip("safetensors.numpy")

SMALL = MLP(3, [4, 2], seed=0)


def forge(path, architecture: dict, tensors=None, modules=None, dtype="float64") -> None:
    """A file as an attacker would make it: any architecture, any tensors, a valid checksum."""
    tensors = SMALL.state_dict() if tensors is None else tensors
    if modules is None:
        same = architecture == SMALL.architecture()
        modules = (
            [[n, m.architecture()] for n, m in SMALL.named_modules()]
            if same
            else [["", architecture]]
        )
    metadata = {
        "format": FORMAT,
        "architecture": json.dumps(architecture),
        "modules": json.dumps(modules),
        "dtype": dtype,
    }
    metadata["checksum"] = _checksum(metadata, tensors)
    safetensors_numpy.save_file(tensors, path, metadata=metadata)


def raw_file(path, header: dict, body: bytes = b"") -> None:
    text = json.dumps(header).encode()
    path.write_bytes(len(text).to_bytes(8, "little") + text + body)


def small_arch(**change) -> dict:
    return {**SMALL.architecture(), **change}


def test_a_billion_wide_layer_beside_small_weights_is_refused_without_allocating(tmp_path):
    path = tmp_path / "huge.safetensors"
    forge(path, small_arch(nouts=[10**9, 2]))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"huge.safetensors.*architecture.nouts\[0\]"):
            load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20


def test_a_claim_within_the_file_size_but_beyond_its_weights_is_refused_before_allocating(
    tmp_path,
):
    path = tmp_path / "wide.safetensors"
    forge(path, small_arch(nouts=[500, 500, 2]))  # 250 000 weights; the file holds 26
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="wide.safetensors.*more than the 26 allowed"):
            load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 * 2**20  # 500 x 500 float64 weights would be 2 MB


@pytest.mark.parametrize(
    "text, field",
    [
        ('"nin": ' + "1" + "0" * 400, "architecture.nin is 401 digits long"),
        ('"nin": 1e400', "architecture.nin is inf"),
        ('"nin": NaN', "architecture.nin is nan"),
        ('"nin": -' + "9" * 40, "architecture.nin is 40 digits long"),
    ],
)
def test_absurd_numbers_are_refused_naming_the_field(tmp_path, text, field):
    path = tmp_path / "absurd.safetensors"
    forge(path, small_arch())
    header_size = int.from_bytes(path.read_bytes()[:8], "little")
    raw = path.read_bytes()
    header = json.loads(raw[8 : 8 + header_size])
    header["__metadata__"]["architecture"] = header["__metadata__"]["architecture"].replace(
        '"nin": 3', text
    )
    raw_file(path, header, raw[8 + header_size :])
    with pytest.raises(ValueError, match="absurd.safetensors.*" + field):
        load(path)


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_json_in_the_architecture_is_refused(tmp_path, depth):
    path = tmp_path / "deep.safetensors"
    nested = "[" * depth + "]" * depth
    forge(path, small_arch())
    raw = path.read_bytes()
    size = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + size])
    header["__metadata__"]["architecture"] = '{"class": "MLP", "nin": ' + nested + "}"
    raw_file(path, header, raw[8 + size :])
    with pytest.raises(ValueError, match="deep.safetensors.*(nested more than|not JSON)"):
        load(path)


def test_a_deeply_nested_header_is_refused(tmp_path):
    path = tmp_path / "deep.safetensors"
    text = b"[" * 100_000 + b"]" * 100_000
    path.write_bytes(len(text).to_bytes(8, "little") + text)
    with pytest.raises(ValueError, match="deep.safetensors.*damaged safetensors header"):
        load(path)


@pytest.mark.parametrize("claim", [2**63, 2**64 - 1, 10**6])
def test_a_header_claiming_more_bytes_than_the_file_is_refused(tmp_path, claim):
    path = tmp_path / "claims.safetensors"
    path.write_bytes(claim.to_bytes(8, "little") + b"{}")
    with pytest.raises(ValueError, match="claims.safetensors.*header claims"):
        load(path)


def test_a_tensor_claiming_a_huge_shape_is_refused(tmp_path):
    path = tmp_path / "shape.safetensors"
    forge(path, small_arch())
    raw = path.read_bytes()
    size = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + size])
    header["layers.0.W"]["shape"] = [10**12, 10**12]
    raw_file(path, header, raw[8 + size :])
    with pytest.raises(ValueError, match="shape.safetensors.*'layers.0.W' has shape"):
        load(path)


@pytest.mark.parametrize("dtype", ["I64", "U8", "BOOL", "F16", "BF16", "C64", "STR", "OBJECT"])
def test_weights_that_are_not_float32_or_float64_are_refused_naming_the_tensor(tmp_path, dtype):
    path = tmp_path / "kind.safetensors"
    raw_file(path, {"w": {"dtype": dtype, "shape": [2], "data_offsets": [0, 16]}}, bytes(16))
    with pytest.raises(ValueError, match=f"kind.safetensors.*tensor 'w' has dtype '{dtype}'"):
        load(path)


@pytest.mark.parametrize(
    "weights",
    [np.array([1, 2]), np.array([True]), np.zeros(2, np.float16), np.zeros(2, np.complex64)],
    ids=["ints", "bools", "float16", "complex"],
)
def test_stored_weights_of_a_kind_safetensors_has_but_no_model_uses_are_refused(tmp_path, weights):
    # Strings, bytes, datetimes and structured arrays have no safetensors dtype at all; the
    # dtype codes such a file could claim for them are refused by the test above.
    path = tmp_path / "odd.safetensors"
    forge(path, small_arch(), tensors={**SMALL.state_dict(), "layers.0.b": weights})
    with pytest.raises(ValueError, match="odd.safetensors.*tensor 'layers.0.b' has dtype"):
        load(path)


def test_an_extra_tensor_is_refused_naming_it(tmp_path):
    path = tmp_path / "extra.safetensors"
    forge(path, small_arch(), tensors={**SMALL.state_dict(), "payload": np.zeros(3)})
    with pytest.raises(ValueError, match=r"extra.safetensors.*unexpected \['payload'\]"):
        load(path)


def test_a_module_tree_that_does_not_match_the_architecture_is_refused(tmp_path):
    path = tmp_path / "tree.safetensors"
    forge(path, small_arch(), modules=[["", small_arch()], ["layers.0", {"class": "Standardize"}]])
    with pytest.raises(ValueError, match="tree.safetensors.*modules it lists"):
        load(path)


def test_a_dtype_that_disagrees_with_the_model_is_refused(tmp_path):
    path = tmp_path / "dtype.safetensors"
    tree = [[n, m.architecture()] for n, m in SMALL.named_modules()]
    forge(path, small_arch(), modules=tree, dtype="float32")
    with pytest.raises(ValueError, match="dtype.safetensors.*dtype float32"):
        load(path)


def test_every_flipped_byte_of_a_small_file_is_a_value_error_naming_it(tmp_path):
    path = tmp_path / "n.safetensors"
    Neuron(2, seed=0).save(path)
    good = path.read_bytes()
    outcomes = set()
    for i in range(len(good)):
        damaged = bytearray(good)
        damaged[i] ^= 0xFF
        path.write_bytes(bytes(damaged))
        with pytest.raises(ValueError, match="n.safetensors") as info:
            load(path)
        outcomes.add(type(info.value))
    assert outcomes == {ValueError}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_loading_from_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    path = tmp_path / "pipe.safetensors"
    os.mkfifo(path)
    with pytest.raises(ValueError, match="pipe.safetensors.*not a regular file"):
        load(path)


def test_loading_a_folder_is_refused_naming_it(tmp_path):
    (tmp_path / "dir.safetensors").mkdir()
    with pytest.raises((ValueError, IsADirectoryError), match="dir.safetensors"):
        load(tmp_path / "dir.safetensors")


def test_an_oversized_header_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "big.safetensors"
    text = b"{" + b" " * (17 << 20) + b"}"  # 17 MB of JSON, the file really that long
    path.write_bytes(len(text).to_bytes(8, "little") + text)
    with pytest.raises(ValueError, match="big.safetensors.*header claims 17825794 bytes"):
        load(path)


def test_an_overlong_string_in_the_architecture_is_refused_naming_the_field(tmp_path):
    path = tmp_path / "long.safetensors"
    forge(path, small_arch(activation="r" * 20_000))
    with pytest.raises(ValueError, match="long.safetensors.*architecture.activation is a string"):
        load(path)


def test_an_unknown_metadata_entry_is_refused_naming_it(tmp_path):
    path = tmp_path / "meta.safetensors"
    forge(path, small_arch())
    raw = path.read_bytes()
    size = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + size])
    header["__metadata__"]["loader"] = "os.system"
    raw_file(path, header, raw[8 + size :])
    with pytest.raises(ValueError, match=r"meta.safetensors.*damaged metadata \(\['loader'\]\)"):
        load(path)


def test_metadata_that_is_not_strings_is_refused(tmp_path):
    path = tmp_path / "meta.safetensors"
    forge(path, small_arch())
    raw = path.read_bytes()
    size = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + size])
    header["__metadata__"]["architecture"] = {"class": "MLP"}
    raw_file(path, header, raw[8 + size :])
    with pytest.raises(ValueError, match="meta.safetensors.*non-string values"):
        load(path)


def test_a_class_the_file_names_is_never_imported(tmp_path):
    path = tmp_path / "import.safetensors"
    forge(path, {"class": "os.system", "command": "touch pwned"}, tensors={})
    with pytest.raises(ValueError, match="class 'os.system', but no Module class named"):
        load(path)
    assert not os.path.exists("pwned")
