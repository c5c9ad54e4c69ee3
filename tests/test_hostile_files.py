"""Odd and hostile files: each is either indexed correctly or reported as `path: reason`, and the run goes on."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from searcher import Index
from searcher.sync import update_index

from .helpers import write_article


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    articles = tmp_path / "articles"
    write_article(articles, "normal.md", "正常文章", "<p>一篇正常的文章，用来确认其余文件照常索引。</p>")
    return articles


@pytest.fixture
def index_folder(tmp_path: Path):
    """Index a folder into a new index (closed when the test ends); give the index and the report."""
    opened: list[Index] = []

    def index_it(folder: Path):
        index = Index.open_or_create(tmp_path / "ix")
        opened.append(index)
        return index, index.update([folder])

    yield index_it
    for index in opened:
        index.close()


def reasons(report) -> dict[str, str]:
    return {Path(failure.path).name: failure.reason for failure in report.failures}


def found(index: Index, query: str) -> list[str]:
    """The names of every file found (these tests write articles of the same text, near-duplicates all)."""
    return [Path(hit.path).name for hit in index.search(query, limit=50, collapse=False).hits]


def test_binary_file_with_a_text_extension_is_reported(tmp_path, folder, index_folder):
    (folder / "photo.md").write_bytes(bytes(range(256)) * 20)
    index, report = index_folder(folder)
    assert reasons(report) == {"photo.md": "binary file (contains NUL bytes)"}
    assert report.added == 1


def test_truncated_utf8_keeps_everything_but_the_cut_character(tmp_path, folder, index_folder):
    raw = "---\ntitle: 截断的文件\n---\n<p>文件在最后一个字中间被截断了</p>".encode()
    (folder / "truncated.md").write_bytes(raw[:-len(b"</p>") - 1])
    index, report = index_folder(folder)
    assert report.failures == [] and report.added == 2
    assert found(index, '"中间被截断"') == ["truncated.md"]


def test_gb18030_big5_and_mixed_encoding_files_are_decoded(tmp_path, folder, index_folder):
    (folder / "gbk.md").write_bytes("---\ntitle: 简体文章\n---\n<p>这篇文章用国标码保存。</p>".encode("gb18030"))
    (folder / "big5.md").write_bytes("---\ntitle: 繁體文章\n---\n<p>這篇文章以大五碼儲存，內容來自臺灣。</p>".encode("big5"))
    mixed = "---\ntitle: 混合编码\n---\n<p>第一段是UTF-8编码的。</p>\n".encode() + "<p>第二段却是GBK编码的内容。</p>\n".encode("gbk")
    (folder / "mixed.md").write_bytes(mixed)
    index, report = index_folder(folder)
    assert report.failures == []
    assert found(index, "国标码") == ["gbk.md"]
    assert found(index, "大五碼") == ["big5.md"]
    assert found(index, "第一段") == ["mixed.md"] and found(index, "第二段") == ["mixed.md"]


def test_a_large_body_is_indexed_whole_within_bounded_memory(tmp_path):
    folder = tmp_path / "large"
    paragraph = "<p>" + "城市更新与乡村振兴同步推进，各地加快建设步伐。" * 20 + "</p>\n"
    body = paragraph * (5_000_000 // len(paragraph.encode()))
    write_article(folder, "large.md", "很大的文章", body + "<p>文章最末尾的独特词语鲸落</p>")
    size = (folder / "large.md").stat().st_size
    # The child reports its own peak RSS (VmHWM) as it exits. Not getrusage's ru_maxrss: Linux carries that
    # over from the parent through fork and exec, so it reported this test run's own size once it grew.
    measure = (
        "import re, sys\n"
        "from searcher.cli import main\n"
        "try:\n    main()\n"
        "finally:\n"
        "    status = open('/proc/self/status').read()\n"
        "    print('peak-kb', re.search(r'VmHWM:\\s+(\\d+)', status).group(1), file=sys.stderr)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", measure, "index", str(folder), "--index", str(tmp_path / "ix")],
        capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stderr
    peak_mb = int(run.stderr.split("peak-kb")[1]) / 1024
    assert peak_mb < 150 + 60 * size / 1e6, f"peak RSS {peak_mb:.0f} MB for a {size / 1e6:.1f} MB file"
    with Index.open(tmp_path / "ix") as index:
        assert found(index, "鲸落") == ["large.md"]


def test_deeply_nested_html_is_indexed(tmp_path, folder, index_folder):
    write_article(folder, "deep.md", "深层嵌套", "<div>" * 10_000 + "<p>嵌套最深处的文字</p>" + "</div>" * 10_000)
    index, report = index_folder(folder)
    assert report.failures == []
    assert found(index, "最深处") == ["deep.md"]


def test_yaml_tags_are_refused_and_never_executed(tmp_path, folder, index_folder):
    marker = tmp_path / "pwned"
    (folder / "evil.md").write_text(
        f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n---\n正文", encoding="utf-8"
    )
    index, report = index_folder(folder)
    assert "front matter" in reasons(report)["evil.md"]
    assert not marker.exists()


def test_front_matter_with_wrong_types_is_indexed_with_what_makes_sense(tmp_path, folder, index_folder):
    (folder / "types.md").write_text(
        "---\ntitle: null\ndate: 42\ncategories: 要闻\nauthor: 12345\n---\n<h1>正文里的标题</h1><p>类型错误的头部</p>",
        encoding="utf-8",
    )
    (folder / "dupes.md").write_text(
        "---\ntitle: 第一个标题\ntitle: 第二个标题\n---\n<p>重复的键</p>", encoding="utf-8"
    )
    index, report = index_folder(folder)
    assert report.failures == []
    hit = index.search("类型错误").hits[0]
    assert (hit.title, hit.date, hit.categories, hit.author) == ("正文里的标题", None, ["要闻"], "12345")
    assert index.search("重复的键").hits[0].title == "第二个标题"


def test_a_file_that_vanishes_between_listing_and_reading_is_reported(tmp_path, folder, request):
    write_article(folder, "zz-vanishing.md", "将要消失", "<p>这个文件会在读取前被删除。</p>")
    index = Index.open_or_create(tmp_path / "ix")
    request.addfinalizer(index.close)

    def delete_the_next_file(done: int, total: int) -> None:
        if done == 1:
            (folder / "zz-vanishing.md").unlink()

    report = update_index(index.engine, [folder], progress=delete_the_next_file)
    assert reasons(report) == {"zz-vanishing.md": "cannot read: No such file or directory"}
    assert report.added == 1


def test_dangling_links_and_fifos_are_reported_without_hanging(tmp_path, folder, index_folder):
    os.symlink(tmp_path / "nowhere.md", folder / "dangling.md")
    os.mkfifo(folder / "pipe.md")
    index, report = index_folder(folder)
    assert reasons(report) == {
        "dangling.md": "cannot read: No such file or directory",
        "pipe.md": "not a regular file",
    }


def test_odd_file_names(tmp_path, folder, index_folder):
    for name in ["with space.md", "换行\n名字.md", "-starts-with-dash.md", "emoji🙂.md", "引号'\"名.md"]:
        write_article(folder, name, "奇怪的文件名", f"<p>文件名很奇怪的文章{len(name)}</p>")
    bad_name = os.fsencode(folder) + b"/latin1-\xe9.md"
    with open(bad_name, "wb") as handle:
        handle.write("---\ntitle: 名字不是UTF-8\n---\n<p>正文</p>".encode())
    index, report = index_folder(folder)
    assert report.added == 6
    assert [failure.reason for failure in report.failures] == ["file name is not valid UTF-8: rename the file"]
    assert "\\udce9" in report.failures[0].path
    assert len(found(index, "文件名很奇怪")) == 5


def test_cli_reports_each_problem_on_one_line(tmp_path, folder):
    (folder / "换行\n坏文件.md").write_bytes(b"\x00binary")
    run = subprocess.run(
        [sys.executable, "-m", "searcher", "index", "articles", "--index", "ix"],
        cwd=folder.parent, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 1
    assert run.stderr.splitlines() == ["articles/换行\\n坏文件.md: binary file (contains NUL bytes)"]
    assert "1 added, 0 updated, 0 removed, 0 unchanged, 1 failed" in run.stdout


def test_dates_stay_timezone_aware_through_the_index(tmp_path, folder, index_folder):
    write_article(folder, "zone.md", "时区", "<p>带时区的日期</p>", date="2022-07-12T21:50:00+08:00")
    index, _ = index_folder(folder)
    assert index.search("带时区").hits[0].date == dt.datetime(2022, 7, 12, 13, 50, tzinfo=dt.timezone.utc)
