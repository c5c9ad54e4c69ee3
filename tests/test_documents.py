"""Ingestion: real files on disk become documents with the right metadata and clean text."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from searcher.documents import (
    DocumentError,
    clean_html_body,
    discover_files,
    parse_date,
    parse_document,
    parse_html,
    read_document,
)

from .helpers import SEED_ARTICLE, write_article


def test_seed_metadata_is_parsed_exactly():
    doc = read_document(SEED_ARTICLE)
    assert doc.title == "北京城市更新联盟成立 探索减量发展下的城市更新路径"
    assert doc.author == "证券时报网"
    assert doc.categories == ["金融", "证券时报网", "要闻"]
    assert doc.date == dt.datetime(2022, 7, 12, 21, 50, tzinfo=dt.timezone.utc)
    assert doc.date.tzinfo is not None
    assert doc.metadata == {"comments": False}  # image URLs are dropped, unknown scalars kept
    assert doc.body.startswith("证券时报记者 贺觉渊\n7月12日，首届北京城市更新论坛")
    assert "<p" not in doc.body and "style=" not in doc.body
    assert "建设银行将担任北京城市更新联盟" in doc.body  # link text stays in place
    assert doc.size == SEED_ARTICLE.stat().st_size and len(doc.content_hash) == 32


def test_entities_are_decoded_in_title_and_body(tmp_path):
    path = write_article(
        tmp_path, "a.md", "函数&#123;x&#125;", "<p>对象&#123;a: 1&#125;&nbsp;与&lt;div&gt; &amp; 更多</p>"
    )
    doc = read_document(path)
    assert doc.title == "函数{x}"
    assert doc.body == "对象{a: 1} 与<div> & 更多"


def test_title_underscore_replacements_stay(tmp_path):
    doc = read_document(write_article(tmp_path, "a.md", "央行_降息_了", "<p>正文</p>"))
    assert doc.title == "央行_降息_了"


def test_style_script_and_comments_are_not_text(tmp_path):
    body = (
        "<style>.markdown-body{color:red}</style><script>var secret = 1;</script>"
        "<!-- hidden comment --><p>可见的正文</p><noscript>没有脚本</noscript>"
    )
    doc = read_document(write_article(tmp_path, "a.md", "标题", body))
    assert doc.body == "可见的正文"


def test_blocks_become_lines_and_whitespace_collapses():
    tree = parse_html("<p>　　第一段  有\t空格</p><div>第二<br>行</div><ul><li>甲</li><li>乙</li></ul>")
    assert clean_html_body(tree) == "第一段 有 空格\n第二\n行\n甲\n乙"


def test_deeply_nested_html_does_not_crash():
    html = "<div>" * 10000 + "<p>深处的文字</p>" + "</div>" * 10000
    doc = parse_document(html, name="deep.html")
    assert doc.body == "深处的文字" and doc.title == "deep"


def test_gbk_and_gb18030_files_are_decoded(tmp_path):
    text = "\n---\ntitle: 国标编码\nauthor: 测试\n---\n<p>这是一篇用GBK保存的文章。</p>\n"
    (tmp_path / "gbk.md").write_bytes(text.encode("gbk"))
    (tmp_path / "gb18030.md").write_bytes(text.replace("文章", "文章𠀀").encode("gb18030"))
    assert read_document(tmp_path / "gbk.md").body == "这是一篇用GBK保存的文章。"
    assert read_document(tmp_path / "gb18030.md").body == "这是一篇用GBK保存的文章𠀀。"


def test_utf8_bom_is_removed(tmp_path):
    path = tmp_path / "bom.md"
    path.write_bytes("\ufeff---\ntitle: 带BOM\n---\n正文".encode("utf-8"))
    doc = read_document(path)
    assert doc.title == "带BOM" and doc.body == "正文"


def test_binary_and_undecodable_files_are_refused(tmp_path):
    (tmp_path / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "noise.txt").write_bytes(bytes([0xFF, 0x30]) * 50)
    with pytest.raises(DocumentError, match="binary"):
        read_document(tmp_path / "image.md")
    with pytest.raises(DocumentError, match="not text"):
        read_document(tmp_path / "noise.txt")


def test_broken_front_matter_is_a_one_line_error(tmp_path):
    path = tmp_path / "broken.md"
    path.write_text("---\ntitle: '没有闭合\ndate: [1, 2\n---\n正文", encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    assert "front matter" in str(caught.value) and "\n" not in str(caught.value)


def test_yaml_tags_are_not_executed(tmp_path):
    path = tmp_path / "evil.md"
    path.write_text("---\ntitle: !!python/object/apply:os.system ['echo pwned']\n---\n正文", encoding="utf-8")
    with pytest.raises(DocumentError, match="front matter"):
        read_document(path)


@pytest.mark.parametrize(
    ("content", "name", "title"),
    [
        ("<html><head><title>网页标题</title></head><body><h1>正文标题</h1><p>正文</p></body></html>", "a.html", "网页标题"),
        ("<h2>第一个标题</h2><p>正文</p>", "b.htm", "第一个标题"),
        ("# Markdown 标题\n\n正文段落", "c.md", "Markdown 标题"),
        ("只有正文，没有标题", "笔记.txt", "笔记"),
    ],
)
def test_files_without_front_matter_get_a_title(tmp_path, content, name, title):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    doc = read_document(path)
    assert doc.title == title
    assert "正文" in doc.body


def test_title_element_is_not_body_text(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><head><title>网页标题</title></head><body><p>正文</p></body></html>", "utf-8")
    assert read_document(path).body == "正文"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 12 Jul 2022 21:50:00 GMT", dt.datetime(2022, 7, 12, 21, 50, tzinfo=dt.timezone.utc)),
        ("2022-07-12 21:50:00", dt.datetime(2022, 7, 12, 21, 50, tzinfo=dt.timezone.utc)),
        ("2022-07-12T21:50:00+08:00", dt.datetime(2022, 7, 12, 13, 50, tzinfo=dt.timezone.utc)),
        ("2022-07-12T21:50:00Z", dt.datetime(2022, 7, 12, 21, 50, tzinfo=dt.timezone.utc)),
        (dt.date(2022, 7, 12), dt.datetime(2022, 7, 12, tzinfo=dt.timezone.utc)),
        (dt.datetime(2022, 7, 12, 21, 50), dt.datetime(2022, 7, 12, 21, 50, tzinfo=dt.timezone.utc)),
        ("not a date", None),
        (42, None),
        (None, None),
    ],
)
def test_dates_become_timezone_aware(value, expected):
    parsed = parse_date(value)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is not None


def test_yaml_timestamps_and_string_categories(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: 标题\ndate: 2022-07-12 21:50:00\ncategories: 要闻\ntags: [a, b]\nviews: 7\n---\n正文", "utf-8")
    doc = read_document(path)
    assert doc.date == dt.datetime(2022, 7, 12, 21, 50, tzinfo=dt.timezone.utc)
    assert doc.categories == ["要闻"]
    assert doc.metadata == {"views": 7}


def test_discovery_takes_article_suffixes_recursively_and_survives_symlink_loops(tmp_path):
    for name in ["a.md", "b.markdown", "c.TXT", "d.html", "e.htm", "sub/deeper/f.md", "skip.pdf", "skip.py", ".hidden.md"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("正文", encoding="utf-8")
    os.symlink(tmp_path, tmp_path / "sub" / "loop")
    found = sorted(str(path.relative_to(tmp_path)) for path in discover_files(tmp_path))
    assert found == ["a.md", "b.markdown", "c.TXT", "d.html", "e.htm", "sub/deeper/f.md"]


def test_every_corpus_article_in_the_sample_parses_to_clean_text(corpus_sample: Path):
    for path in sorted(corpus_sample.iterdir()):
        doc = read_document(path)
        assert doc.title and doc.author and len(doc.categories) == 3, path.name
        assert doc.date is not None, path.name
        assert "&#123;" not in doc.body and "<p>" not in doc.body and "\u3000" not in doc.body, path.name
        assert sum(1 for char in doc.body if "\u4e00" <= char <= "\u9fff") >= 300, path.name
