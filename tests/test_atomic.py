"""Atomic writing: a save never destroys what sits at the path, keeps permissions, works for
any valid file name and cleans up after a killed save; a run folder is replaced whole."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap

import pytest

from tinygrad_mlp import MLP
from tinygrad_mlp.atomic import (
    FolderNotEmptyError,
    NotARegularFileError,
    _prefix,
    staged_folder,
    write_file,
)

MODEL = MLP(2, [3, 1], seed=0)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_a_symlink_is_followed_and_its_target_updated(tmp_path):
    target = tmp_path / "real.safetensors"
    target.write_bytes(b"old")
    link = tmp_path / "link.safetensors"
    link.symlink_to(target)
    MODEL.save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert MLP.load(target).architecture() == MODEL.architecture()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_at_the_path_is_refused_and_kept(tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    with pytest.raises(NotARegularFileError, match="pipe: it is a FIFO"):
        MODEL.save(path)
    assert stat.S_ISFIFO(os.lstat(path).st_mode)
    assert os.listdir(tmp_path) == ["pipe"]


def test_a_device_at_the_path_is_refused_and_kept(tmp_path):
    path = tmp_path / "null"
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # like /dev/null
    except (PermissionError, AttributeError, OSError):
        pytest.skip("creating a device node needs root")
    with pytest.raises(NotARegularFileError, match="null: it is a character device"):
        MODEL.save(path)
    assert stat.S_ISCHR(os.lstat(path).st_mode)


def test_a_symlink_to_a_fifo_is_refused_naming_both(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "link").symlink_to(tmp_path / "pipe")
    with pytest.raises(NotARegularFileError, match=r"link \(-> .*pipe\): it is a FIFO"):
        MODEL.save(tmp_path / "link")


def test_a_folder_at_the_path_is_refused(tmp_path):
    (tmp_path / "m").mkdir()
    with pytest.raises(IsADirectoryError, match="m: it is a folder"):
        MODEL.save(tmp_path / "m")


def test_an_existing_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "m.safetensors"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    MODEL.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_a_new_file_gets_the_permissions_of_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        MODEL.save(tmp_path / "m.safetensors")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "m.safetensors").st_mode) == 0o640


@pytest.mark.parametrize("name", ["a" * 243 + ".safetensors", "é" * 122 + ".safetensor"])
def test_a_name_of_the_longest_length_allowed_can_be_saved(tmp_path, name):
    assert len(name.encode()) == 255
    MODEL.save(tmp_path / name)
    assert os.listdir(tmp_path) == [name]


def test_a_leftover_of_a_killed_save_is_removed_by_the_next_save(tmp_path):
    path = tmp_path / "m.safetensors"
    script = textwrap.dedent(
        f"""
        import os, signal
        from tinygrad_mlp import MLP
        os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)  # killed mid-save
        MLP(2, [3, 1]).save({str(path)!r})
        """
    )
    env = {**os.environ, "PYTHONPATH": ROOT}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True)
    assert result.returncode == -9
    assert len(os.listdir(tmp_path)) == 1 and not path.exists()  # the temporary file
    MODEL.save(path)
    assert os.listdir(tmp_path) == ["m.safetensors"]


def test_a_temporary_file_another_save_is_writing_is_left_alone(tmp_path):
    fcntl = pytest.importorskip("fcntl")
    path = tmp_path / "m.safetensors"
    busy = tmp_path / (_prefix(str(path)) + "0000.tmp")
    busy.write_bytes(b"")
    with open(busy, "rb") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)  # as the other writer holds it
        MODEL.save(path)
        assert sorted(os.listdir(tmp_path)) == sorted([busy.name, "m.safetensors"])


def test_other_files_in_the_folder_are_left_alone(tmp_path):
    (tmp_path / ".m.safetensors.tmp").write_bytes(b"mine")
    (tmp_path / "other.tmp").write_bytes(b"mine")
    MODEL.save(tmp_path / "m.safetensors")
    assert sorted(os.listdir(tmp_path)) == [".m.safetensors.tmp", "m.safetensors", "other.tmp"]


def test_write_file_writes_exactly_the_bytes(tmp_path):
    write_file(tmp_path / "f", b"\x00\xffdata")
    assert (tmp_path / "f").read_bytes() == b"\x00\xffdata"


# ----------------------------------------------------------------------------------------------
# Run folders


def test_a_staged_folder_refuses_a_non_empty_folder_without_overwrite(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "old.txt").write_text("old")
    with pytest.raises(FolderNotEmptyError, match="run already holds files"):
        with staged_folder(tmp_path / "run"):
            pass
    assert os.listdir(tmp_path / "run") == ["old.txt"]


def test_an_overwritten_folder_holds_only_the_new_files(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "old.txt").write_text("old")
    with staged_folder(tmp_path / "run", overwrite=True) as folder:
        (tmp_path / "run" / "old.txt").read_text()  # the old run stays until the end
        open(os.path.join(folder, "new.txt"), "w").close()
    assert os.listdir(tmp_path / "run") == ["new.txt"]
    assert os.listdir(tmp_path) == ["run"]


def test_a_failed_run_leaves_the_old_folder_whole_and_no_temporary_folder(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "old.txt").write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with staged_folder(tmp_path / "run", overwrite=True) as folder:
            open(os.path.join(folder, "new.txt"), "w").close()
            raise KeyboardInterrupt
    assert os.listdir(tmp_path / "run") == ["old.txt"]
    assert os.listdir(tmp_path) == ["run"]


def test_an_empty_existing_folder_is_used_without_overwrite(tmp_path):
    (tmp_path / "run").mkdir()
    with staged_folder(tmp_path / "run") as folder:
        open(os.path.join(folder, "new.txt"), "w").close()
    assert os.listdir(tmp_path / "run") == ["new.txt"]


def test_a_leftover_folder_of_a_killed_run_is_removed_by_the_next_run(tmp_path):
    leftover = tmp_path / (_prefix(str(tmp_path / "run")) + "dead.tmp")
    leftover.mkdir()
    (leftover / "model.safetensors").write_bytes(b"half")
    with staged_folder(tmp_path / "run"):
        pass
    assert os.listdir(tmp_path) == ["run"]
