"""The run folder is written whole or not at all: an occupied folder is refused unless
overwriting is asked for, an interrupted or failed run leaves the old folder as it was, and a
file that cannot be written is named."""

from __future__ import annotations

import errno
import os

import pytest

from tinygrad_mlp.atomic import FolderNotEmptyError
from tinygrad_mlp.cli import main
from tinygrad_mlp.runs import RunConfig, train_run

SMALL = {"samples": 40, "hidden": [4], "epochs": 1, "progress": False}


@pytest.fixture
def old_run(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "model.safetensors").write_bytes(b"the old model")
    (out / "notes.txt").write_text("from the old run")
    return out


def contents(folder) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in os.listdir(folder)}


def test_an_occupied_folder_is_refused_before_training(old_run, monkeypatch):
    monkeypatch.setattr("tinygrad_mlp.runs.fit", lambda *a, **k: pytest.fail("trained"))
    before = contents(old_run)
    with pytest.raises(FolderNotEmptyError, match="already holds files"):
        train_run(RunConfig(out=str(old_run), **SMALL))
    assert contents(old_run) == before


def test_the_cli_names_overwrite_when_the_folder_is_occupied(old_run, capsys):
    status = main(["train", "--out", str(old_run), "--no-progress"])
    err = capsys.readouterr().err
    assert status == 1 and err.count("\n") == 1 and "pass --overwrite" in err


def test_overwrite_replaces_the_folder_whole_leaving_no_old_file(old_run):
    run = train_run(RunConfig(out=str(old_run), overwrite=True, **SMALL))
    assert sorted(os.listdir(old_run)) == sorted(run.files)
    assert os.listdir(old_run.parent) == ["run"]


def test_an_interrupted_run_leaves_the_old_folder_as_it_was(old_run, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # Ctrl-C during training

    monkeypatch.setattr("tinygrad_mlp.runs.fit", interrupted)
    before = contents(old_run)
    with pytest.raises(KeyboardInterrupt):
        train_run(RunConfig(out=str(old_run), overwrite=True, **SMALL))
    assert contents(old_run) == before
    assert os.listdir(old_run.parent) == ["run"]


def test_a_full_disk_names_the_file_and_leaves_the_old_folder(old_run, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("tinygrad_mlp.runs.save", full)
    before = contents(old_run)
    with pytest.raises(OSError, match=r"cannot write .*run.model\.safetensors: No space left"):
        train_run(RunConfig(out=str(old_run), overwrite=True, **SMALL))
    assert contents(old_run) == before
    assert os.listdir(old_run.parent) == ["run"]


def test_a_failing_plot_names_the_file(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("tinygrad_mlp.runs._write_plots", full)
    with pytest.raises(OSError, match=r"cannot write .*curves\.svg"):
        train_run(RunConfig(out=str(tmp_path / "run"), **SMALL))
    assert os.listdir(tmp_path) == []


def test_a_new_run_folder_is_created_with_its_parents(tmp_path):
    run = train_run(RunConfig(out=str(tmp_path / "a" / "b"), **SMALL))
    assert sorted(os.listdir(tmp_path / "a" / "b")) == sorted(run.files)
