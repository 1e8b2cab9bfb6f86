"""What only the filesystem backend promises: containment under its root, and how it writes."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from imgwired.storage import BlobNotFoundError, FilesystemBlobStore, StorageError
from imgwired.storage.filesystem import TEMP_PREFIX


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory beside the store's root, holding a file an attacker would like to reach."""
    directory = tmp_path / "outside"
    directory.mkdir()
    (directory / "secret").write_bytes(b"not yours")
    return directory


def test_a_symlinked_directory_cannot_lead_out_of_the_root(
    fs_store: FilesystemBlobStore, outside: Path
) -> None:
    fs_store.root.mkdir()
    (fs_store.root / "env").symlink_to(outside, target_is_directory=True)

    for attempt in (
        lambda: fs_store.writer("env/new"),
        lambda: fs_store.put_bytes("env/secret", b"overwritten"),
        lambda: fs_store.read_chunks("env/secret"),
        lambda: fs_store.size("env/secret"),
        lambda: fs_store.exists("env/secret"),
        lambda: fs_store.delete("env/secret"),
        lambda: fs_store.local_path("env/secret").__enter__(),
        lambda: fs_store.list_prefix("env/secret/"),
    ):
        with pytest.raises(StorageError, match="outside the store's root"):
            attempt()

    assert sorted(p.name for p in outside.iterdir()) == ["secret"]
    assert (outside / "secret").read_bytes() == b"not yours"


def test_a_symlinked_file_cannot_lead_out_of_the_root(
    fs_store: FilesystemBlobStore, outside: Path
) -> None:
    fs_store.root.mkdir()
    (fs_store.root / "blob").symlink_to(outside / "secret")

    with pytest.raises(StorageError, match="outside the store's root"):
        fs_store.read_chunks("blob")
    with pytest.raises(StorageError, match="outside the store's root"):
        fs_store.put_bytes("blob", b"overwritten")
    assert (outside / "secret").read_bytes() == b"not yours"


def test_listing_and_deleting_never_follow_symlinks(
    fs_store: FilesystemBlobStore, outside: Path
) -> None:
    fs_store.put_bytes("env/own", b"mine")
    (fs_store.root / "env" / "linked").symlink_to(outside, target_is_directory=True)
    (fs_store.root / "env" / "secret").symlink_to(outside / "secret")

    assert list(fs_store.list_prefix()) == ["env/own"]
    assert fs_store.delete_prefix("env/") == 1
    assert (outside / "secret").read_bytes() == b"not yours"


def test_the_temp_file_lives_beside_its_target_until_commit(fs_store: FilesystemBlobStore) -> None:
    with fs_store.writer("env/img/original") as writer:
        writer.write(b"partial")
        directory = fs_store.root / "env" / "img"
        temps = list(directory.iterdir())
        assert [p.name[: len(TEMP_PREFIX)] for p in temps] == [TEMP_PREFIX]
        assert temps[0].read_bytes() in (b"", b"partial")  # buffered or flushed, never more
        assert list(fs_store.list_prefix()) == []
        writer.commit()
    assert [p.name for p in directory.iterdir()] == ["original"]


def test_commit_replaces_the_file_rather_than_rewriting_it(fs_store: FilesystemBlobStore) -> None:
    fs_store.put_bytes("k", b"old version")
    with (fs_store.root / "k").open("rb") as reader_before:
        inode_before = os.fstat(reader_before.fileno()).st_ino
        fs_store.put_bytes("k", b"new")
        # A reader that opened the old file keeps reading the old bytes, whole.
        assert reader_before.read() == b"old version"
    assert (fs_store.root / "k").stat().st_ino != inode_before
    assert fs_store.read_bytes("k") == b"new"


def test_local_path_is_the_stored_file_itself(fs_store: FilesystemBlobStore) -> None:
    fs_store.put_bytes("env/img/original", b"bytes")
    with fs_store.local_path("env/img/original") as path:
        assert path == fs_store.root / "env" / "img" / "original"
    assert path.exists()


def test_delete_prefix_removes_the_directories_it_empties(fs_store: FilesystemBlobStore) -> None:
    fs_store.put_bytes("env1/img1/original", b"1")
    fs_store.put_bytes("env1/img1/thumb", b"2")
    fs_store.put_bytes("env2/img1/original", b"3")

    assert fs_store.delete_prefix("env1/img1/") == 2

    assert sorted(p.name for p in fs_store.root.iterdir()) == ["env2"]


def test_delete_prefix_keeps_a_directory_with_a_write_in_progress(
    fs_store: FilesystemBlobStore,
) -> None:
    fs_store.put_bytes("env/img/original", b"old")
    with fs_store.writer("env/img/thumb") as writer:
        writer.write(b"thumbnail")
        assert fs_store.delete_prefix("env/img/") == 1
        writer.commit()
    assert fs_store.read_bytes("env/img/thumb") == b"thumbnail"


def test_temp_files_left_by_a_crash_are_found_and_their_directories_removed(
    fs_store: FilesystemBlobStore,
) -> None:
    fs_store.put_bytes("env/kept/original", b"1")
    for key in ("env/img/original", "env/img/derived/w100.webp", "top"):
        left = fs_store.writer(key)
        left.write(b"half")
        left._file.close()  # type: ignore[attr-defined]  # the process died: no abort ran
    # A temp name reached through a symlink is not followed.
    (fs_store.root / "link").symlink_to(fs_store.root / "env")

    assert fs_store.abort_abandoned_writes(timedelta(0)) == 3

    assert list(fs_store.root.rglob(f"{TEMP_PREFIX}*")) == []
    assert sorted(p.name for p in fs_store.root.iterdir()) == ["env", "link"]
    assert sorted(p.name for p in (fs_store.root / "env").iterdir()) == ["kept"]


def test_a_key_cannot_also_be_a_directory(fs_store: FilesystemBlobStore) -> None:
    fs_store.put_bytes("a", b"blob")
    with pytest.raises(StorageError, match="'a/b'"):
        fs_store.put_bytes("a/b", b"below a blob")
    fs_store.put_bytes("c/d", b"blob")
    with pytest.raises(StorageError, match="'c'"):
        fs_store.put_bytes("c", b"over a directory")
    with pytest.raises(BlobNotFoundError):
        fs_store.read_chunks("c")
    assert fs_store.read_bytes("a") == b"blob"
    assert sorted(fs_store.list_prefix()) == ["a", "c/d"]


def test_files_no_key_could_name_are_not_listed(fs_store: FilesystemBlobStore) -> None:
    fs_store.put_bytes("env/ok", b"1")
    (fs_store.root / "env" / "with space").write_bytes(b"2")
    (fs_store.root / ".DS_Store").write_bytes(b"3")
    assert list(fs_store.list_prefix()) == ["env/ok"]


def test_error_details_do_not_reveal_the_root(fs_store: FilesystemBlobStore) -> None:
    fs_store.put_bytes("a", b"blob")
    with pytest.raises(StorageError) as caught:
        fs_store.put_bytes("a/b", b"x")
    assert str(fs_store.root) not in caught.value.detail
