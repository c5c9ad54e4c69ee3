"""Incremental indexing against real Whoosh indexes on disk: add, update, remove, skip, fail softly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from searcher import Index, IndexLockedError, IndexNotFoundError

from .helpers import SEED_ARTICLE, write_article


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    articles = tmp_path / "articles"
    write_article(articles, "a.md", "城市更新行动", "<p>北京推进城市更新行动。</p>", author="甲")
    write_article(articles, "sub/b.md", "乡村振兴", "<p>乡村振兴战略全面推进。</p>", author="乙")
    (articles / "c.txt").write_bytes(SEED_ARTICLE.read_bytes())
    return articles


def titles(index: Index, query: str) -> list[str]:
    return [hit.title for hit in index.search(query, limit=50).hits]


def bump_mtime(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))


def test_first_run_adds_everything_and_second_run_changes_nothing(tmp_path, folder):
    with Index.open_or_create(tmp_path / "ix") as index:
        first = index.update([folder])
        assert (first.added, first.updated, first.removed, first.unchanged, first.failed) == (3, 0, 0, 0, 0)
        second = index.update([folder])
        assert (second.added, second.updated, second.removed, second.unchanged, second.failed) == (0, 0, 0, 3, 0)
        assert index.stats().documents == 3


def test_changed_files_are_reindexed_and_vanished_ones_removed(tmp_path, folder):
    with Index.open_or_create(tmp_path / "ix") as index:
        index.update([folder])
        write_article(folder, "a.md", "城市更新条例", "<p>上海发布城市更新条例。</p>")
        bump_mtime(folder / "a.md")
        (folder / "sub" / "b.md").unlink()
        write_article(folder, "new.md", "新文章", "<p>新增的乡村文章。</p>")
        report = index.update([folder])
        assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 1)
        assert titles(index, "上海") == ["城市更新条例"]
        assert titles(index, '"北京推进"') == []
        assert titles(index, "乡村") == ["新文章"]
        assert index.stats().documents == 3


def test_a_touched_but_identical_file_is_not_reindexed(tmp_path, folder):
    with Index.open_or_create(tmp_path / "ix") as index:
        index.update([folder])
        bump_mtime(folder / "c.txt")
        report = index.update([folder])
        assert (report.updated, report.unchanged) == (0, 3)


def test_updating_one_folder_leaves_another_folders_documents_alone(tmp_path, folder):
    other = tmp_path / "other"
    write_article(other, "x.md", "另一处", "<p>另一个文件夹里的文章。</p>")
    with Index.open_or_create(tmp_path / "ix") as index:
        index.update([folder, other])
        report = index.update([other])
        assert report.removed == 0
        assert index.stats().documents == 4


def test_a_broken_file_is_reported_and_the_rest_indexed(tmp_path, folder):
    (folder / "broken.md").write_text("---\ntitle: [unclosed\n---\n正文", encoding="utf-8")
    (folder / "binary.md").write_bytes(b"\x00\x01\x02" * 100)
    with Index.open_or_create(tmp_path / "ix") as index:
        report = index.update([folder])
        assert report.added == 3
        failed = sorted(Path(failure.path).name for failure in report.failures)
        assert failed == ["binary.md", "broken.md"]
        assert all("\n" not in str(failure) for failure in report.failures)


def test_a_file_that_breaks_later_keeps_its_indexed_version(tmp_path, folder):
    with Index.open_or_create(tmp_path / "ix") as index:
        index.update([folder])
        (folder / "a.md").write_bytes(b"\x00binary now")
        report = index.update([folder])
        assert report.failed == 1
        assert titles(index, '"北京推进"') == ["城市更新行动"]


def test_reopening_from_disk_sees_committed_documents(tmp_path, folder):
    with Index.open_or_create(tmp_path / "ix") as index:
        index.update([folder])
    with Index.open(tmp_path / "ix") as reopened:
        assert reopened.stats().documents == 3
        assert "城市更新行动" in titles(reopened, "城市更新")


def test_checkpoints_commit_in_batches(tmp_path, folder):
    from searcher.sync import update_index

    with Index.open_or_create(tmp_path / "ix") as index:
        report = update_index(index.engine, [folder], batch_size=1)
        assert report.added == 3
        assert index.stats().documents == 3


def test_missing_folder_is_an_error(tmp_path):
    with Index.open_or_create(tmp_path / "ix") as index:
        with pytest.raises(FileNotFoundError, match="no such folder"):
            index.update([tmp_path / "nope"])


def test_opening_something_that_is_not_an_index(tmp_path):
    with pytest.raises(IndexNotFoundError, match="no index at"):
        Index.open(tmp_path / "missing")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "notes.txt").write_text("x")
    with pytest.raises(IndexNotFoundError, match="not a searcher index"):
        Index.open(tmp_path / "plain")
    with pytest.raises(IndexNotFoundError, match="not empty"):
        Index.open_or_create(tmp_path / "plain")


def test_a_second_writer_gets_a_clear_error(tmp_path, folder):
    with Index.open_or_create(tmp_path / "ix") as index, Index.open(tmp_path / "ix") as other:
        with index.engine.writer():
            with pytest.raises(IndexLockedError, match="another process"):
                other.update([folder])
