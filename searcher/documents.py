"""Ingestion: find article files, decode them, read their front matter and clean their HTML body.

This is the first stage of the pipeline. It knows nothing about analysis or the index: it turns a file on
disk into a :class:`Document` of plain Python values, or raises :class:`DocumentError` with a one-line
reason a person can act on.

>>> doc = read_document(Path("seeds/000_d232eb3cb27245ac.txt"))
>>> doc.title, doc.author, doc.categories
('北京城市更新联盟成立 探索减量发展下的城市更新路径', '证券时报网', ['金融', '证券时报网', '要闻'])
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import hashlib
import html
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

# The parsers (python-frontmatter with PyYAML, lxml) are imported where an article is parsed: a process that
# only searches never parses one, and importing them is ≈0.1 s of a query's start.
if TYPE_CHECKING:
    import lxml.html

LEGACY_ENCODINGS = ["gb18030", "big5"]
ARTICLE_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".html", ".htm"})

# Front-matter keys that are presentation only (the seed format's image placeholders).
IGNORED_KEYS = frozenset({"headimg", "thumbnail", "cover", "image"})
KNOWN_KEYS = frozenset({"title", "author", "categories", "category", "date"})

# Elements whose text is never article text.
DROPPED_TAGS = ("style", "script", "noscript", "template", "head")

# Elements that start a new line of text when rendered; everything else is inline (link text stays in place).
BLOCK_TAGS = frozenset(
    """address article aside blockquote body br dd details dialog div dl dt fieldset figcaption figure
    footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary table tbody td tfoot
    th thead title tr ul""".split()
)

# Any run of whitespace inside a line, the full-width ideographic space (U+3000) and NBSP included.
_INLINE_SPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")
_DROPPED_ELEMENTS = re.compile(r"<(style|script|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"</?([a-zA-Z][\w-]*)[^>]*>")
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


class DocumentError(Exception):
    """A file that cannot become a document; ``str(error)`` is the one-line reason."""


@dataclass
class Document:
    """One article, ready for analysis: metadata and a clean body of plain text."""

    path: str
    title: str
    body: str
    author: str = ""
    categories: list[str] = field(default_factory=list)
    date: dt.datetime | None = None
    metadata: dict[str, str | int | float | bool] = field(default_factory=dict)
    content_hash: str = ""
    mtime_ns: int = 0
    size: int = 0


@dataclass(frozen=True)
class FileState:
    """What incremental indexing compares to decide whether a file may have changed."""

    mtime_ns: int
    size: int


@dataclass(frozen=True)
class ArticleFile:
    """A file's bytes as read, with what identifies this version of it."""

    path: Path
    raw: bytes
    state: FileState
    content_hash: str


def discover_files(folder: Path) -> Iterator[Path]:
    """Yield every article file under ``folder`` (recursively), in a stable order.

    Symlinked directories are followed, but each real directory is visited once, so a link that points back
    up the tree cannot loop. Hidden files and directories (``.git``) are skipped.
    """
    seen: set[tuple[int, int]] = set()
    for root, dirs, files in os.walk(folder, followlinks=True):
        try:
            info = os.stat(root)
        except OSError:
            dirs[:] = []
            continue
        if (info.st_dev, info.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((info.st_dev, info.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in ARTICLE_SUFFIXES:
                yield Path(root, name)


def file_state(path: Path) -> FileState:
    """The file's modification time and size (raises OSError if it is gone)."""
    return _state_of(path.stat())


def load_file(path: Path) -> ArticleFile:
    """Read a file's bytes and hash them; raise :class:`DocumentError` if it cannot be read."""
    try:
        # O_NONBLOCK: opening a FIFO (or a device) named like an article must not hang the whole run.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise DocumentError("not a regular file")
            state = _state_of(info)
            raw = handle.read()
    except OSError as error:
        raise DocumentError(f"cannot read: {error.strerror or error}") from error
    return ArticleFile(path, raw, state, hashlib.blake2b(raw, digest_size=16).hexdigest())


def _state_of(info: os.stat_result) -> FileState:
    return FileState(mtime_ns=info.st_mtime_ns, size=info.st_size)


def read_document(path: Path) -> Document:
    """Read one article file into a :class:`Document`; raise :class:`DocumentError` if it cannot be."""
    return document_from_file(load_file(path))


def document_from_file(article: ArticleFile) -> Document:
    """Decode and parse a file already read."""
    document = parse_document(decode_text(article.raw), name=article.path.name)
    document.path = str(article.path)
    document.content_hash = article.content_hash
    document.mtime_ns = article.state.mtime_ns
    document.size = article.state.size
    return document


def decode_text(raw: bytes) -> str:
    """Decode a file's bytes.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are read as such; a UTF-8 file cut off inside its last
    character loses only that character. Otherwise the text is GB18030 (a superset of GBK and GB2312) or
    Big5, told apart by how common their characters are, and a file whose lines mix UTF-8 with those is decoded line by
    line. Binary data, or bytes that are none of these, raise :class:`DocumentError`.

    >>> decode_text("城市更新".encode("gbk"))
    '城市更新'
    >>> decode_text("臺灣的軟體產業發展迅速，許多公司在國際市場上表現優異。".encode("big5"))
    '臺灣的軟體產業發展迅速，許多公司在國際市場上表現優異。'
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise DocumentError("not valid UTF-16 despite its byte-order mark") from error
    if b"\x00" in raw:
        raise DocumentError("binary file (contains NUL bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data":
            return raw[: error.start].decode("utf-8-sig")
    text = _decode_mixed_lines(raw) or _decode_chinese_legacy(raw)
    if text is None:
        raise DocumentError("not text: neither UTF-8, GB18030/GBK nor Big5")
    if _looks_binary(text):
        raise DocumentError("binary file (mostly control characters)")
    return text


def _looks_binary(text: str) -> bool:
    controls = sum(1 for char in text[:4096] if ord(char) < 32 and char not in "\t\n\r\f")
    return controls > len(text[:4096]) // 100


def _decode_chinese_legacy(raw: bytes) -> str | None:
    """GB18030 or Big5, whichever gives the more plausible Chinese; GB18030 when both are equally so.

    Both decoders accept most of each other's bytes and turn them into rare characters, so the choice is the
    decoding with the larger share of common characters (GB2312 level 1 or Big5 level 1). This is written
    here because charset-normalizer, tried first, cannot tell them apart on short text: it read 4-character
    GBK strings as Big5.
    """
    candidates = []
    for encoding in LEGACY_ENCODINGS:
        try:
            candidates.append(raw.decode(encoding))
        except UnicodeDecodeError:
            pass
    return max(candidates, key=_common_character_share, default=None)


def _common_character_share(text: str) -> float:
    han = [char for char in text[:20000] if ord(char) >= 0x2E80][:2000]
    if not han:
        return 0.0
    return sum(1 for char in han if _is_common_character(char)) / len(han)


def _is_common_character(char: str) -> bool:
    for encoding, first, last in (("gb2312", 0xB0, 0xD7), ("big5", 0xA4, 0xC6)):
        try:
            encoded = char.encode(encoding)
        except UnicodeEncodeError:
            continue
        if len(encoded) == 2 and first <= encoded[0] <= last:
            return True
    return False


def _decode_mixed_lines(raw: bytes) -> str | None:
    """Decode line by line when some lines are UTF-8 with non-ASCII text and others are not UTF-8 at all
    (files concatenated from different sources); None if the file is not of that kind. The other lines are
    taken to share one legacy encoding, detected on all of them together (a single short line is too
    little to tell GBK from Big5)."""
    lines = raw.split(b"\n")
    utf8: dict[int, str] = {}
    for number, line in enumerate(lines):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        # GBK bytes are now and then valid UTF-8 too, but then they decode to Latin and Greek letters
        # ("目前为止" as "ĿǰΪֹ"), not to Chinese.
        if line.isascii() or HAN.search(text):
            utf8[number] = text
    legacy_numbers = [number for number in range(len(lines)) if number not in utf8]
    if not legacy_numbers or all(lines[number].isascii() for number in utf8):
        return None
    legacy = _decode_chinese_legacy(b"\n".join(lines[number] for number in legacy_numbers))
    if legacy is None:
        return None
    # A newline byte is never part of a GBK or Big5 character, so the legacy lines split back one to one.
    decoded = dict(zip(legacy_numbers, legacy.split("\n"), strict=True))
    return "\n".join(utf8[number] if number in utf8 else decoded[number] for number in range(len(lines)))


def parse_document(text: str, name: str = "") -> Document:
    """Split decoded text into front matter and body, and clean both.

    >>> doc = parse_document("---\\ntitle: 标题\\ndate: 2022-07-12\\n---\\n<p>正文&#123;x&#125;</p>")
    >>> doc.title, doc.body, doc.date.isoformat()
    ('标题', '正文{x}', '2022-07-12T00:00:00+00:00')
    """
    metadata, content = _split_front_matter(text)
    try:
        tree = parse_html(content)
        body = clean_html_body(tree)
    except HtmlTooDeepError:
        tree = None
        body = strip_tags_flat(content)
    title = _text_value(metadata.get("title")) or _html_title(tree) or _first_heading(content, tree)
    date = parse_date(metadata.get("date"))
    return Document(
        path=name,
        title=html.unescape(title).strip() or Path(name).stem,
        body=body,
        author=html.unescape(_text_value(metadata.get("author"))).strip(),
        categories=_categories(metadata.get("categories", metadata.get("category"))),
        date=date,
        metadata=_extra_metadata(metadata),
    )


def _split_front_matter(text: str) -> tuple[dict[str, object], str]:
    import frontmatter
    import yaml

    handler = frontmatter.YAMLHandler()
    stripped = text.lstrip("\ufeff \t\r\n")
    if not handler.detect(stripped):
        return {}, text
    try:
        # python-frontmatter loads YAML with yaml.SafeLoader: tags like !!python/object are refused.
        metadata, content = frontmatter.parse(stripped, handler=handler)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or type(error).__name__
        raise DocumentError(f"invalid YAML front matter{where}: {problem}") from error
    return metadata, content


class HtmlTooDeepError(Exception):
    """libxml2 stops at 2,048 levels of nesting and drops everything below them."""


def parse_html(content: str) -> lxml.html.HtmlElement | None:
    """Parse an HTML document or fragment (plain text and Markdown parse as one text node)."""
    import lxml.etree
    import lxml.html

    if not content.strip():
        return None
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        tree = lxml.html.document_fromstring(content, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None
    if any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in parser.error_log):
        raise HtmlTooDeepError
    return tree


def strip_tags_flat(content: str) -> str:
    r"""Text of HTML too deeply nested for lxml, by removing tags without building a tree.

    Only for that case: a regular expression cannot parse HTML in general, but it loses no text here,
    where the parser would lose everything below its depth limit.

    >>> strip_tags_flat("<div><style>p{}</style><p>第一&amp;段</p><b>粗</b>体</div>")
    '第一&段\n粗体'
    """
    text = _DROPPED_ELEMENTS.sub(" ", content)
    text = _TAG.sub(lambda tag: "\n" if tag.group(1).lower() in BLOCK_TAGS else "", text)
    return normalize_whitespace(html.unescape(text))


def clean_html_body(tree: lxml.html.HtmlElement | None) -> str:
    """The readable text of an HTML tree: style, script and comments dropped, entities decoded, block
    elements on their own lines, whitespace runs (full-width spaces too) collapsed, link text kept.

    >>> clean_html_body(parse_html("<style>p{}</style><p>城市&nbsp;更新</p><p>第二<a href='#'>段</a></p>"))
    '城市 更新\\n第二段'
    """
    import lxml.etree

    if tree is None:
        return ""
    pieces: list[str] = []
    skipping = 0
    # iterwalk instead of recursion: pathologically nested HTML must not hit Python's recursion limit.
    for event, element in lxml.etree.iterwalk(tree, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in DROPPED_TAGS:
                skipping += 1
            elif not skipping:
                if tag in BLOCK_TAGS:
                    pieces.append("\n")
                if element.text:
                    pieces.append(element.text)
            continue
        if tag in DROPPED_TAGS:
            skipping -= 1
        elif not skipping and tag in BLOCK_TAGS:
            pieces.append("\n")
        if not skipping and element.tail and element is not tree:
            pieces.append(element.tail)
    return normalize_whitespace("".join(pieces))


def normalize_whitespace(text: str) -> str:
    r"""Collapse spaces within lines and blank lines between them.

    >>> normalize_whitespace("　　第一行  \n\n\n 第二\u3000行 ")
    '第一行\n第二 行'
    """
    text = _INLINE_SPACE.sub(" ", text)
    return _BLANK_LINES.sub("\n", text).strip()


def _html_title(tree: lxml.html.HtmlElement | None) -> str:
    if tree is None:
        return ""
    found = tree.find(".//title")
    return normalize_whitespace(found.text_content()) if found is not None else ""


def _first_heading(content: str, tree: lxml.html.HtmlElement | None) -> str:
    if tree is not None:
        for heading in tree.iter("h1", "h2", "h3", "h4", "h5", "h6"):
            text = normalize_whitespace(heading.text_content())
            if text:
                return text
    match = _MARKDOWN_HEADING.search(content)
    return match.group(1) if match else ""


def parse_date(value: object) -> dt.datetime | None:
    """A timezone-aware datetime from the front matter's ``date``, or None if there is none or it is not a
    date. RFC 1123, ``YYYY-MM-DD HH:MM:SS`` and ISO 8601 are read; a date without a zone is taken as UTC.

    >>> parse_date("Tue, 12 Jul 2022 21:50:00 GMT").isoformat()
    '2022-07-12T21:50:00+00:00'
    >>> parse_date("2022-07-12 21:50:00+08:00").isoformat()
    '2022-07-12T21:50:00+08:00'
    """
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        parsed = _parse_date_string(value.strip())
        if parsed is None:
            return None
    else:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.timezone.utc)


def _parse_date_string(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def _text_value(value: object) -> str:
    if value is None or isinstance(value, (dict, list, tuple, set)):
        return ""
    return str(value)


def _categories(value: object) -> list[str]:
    if isinstance(value, (list, tuple)):
        items = [_text_value(item).strip() for item in value]
    else:
        items = [part.strip() for part in _text_value(value).split(",")]
    return [html.unescape(item) for item in items if item]


def _extra_metadata(metadata: dict[str, object]) -> dict[str, str | int | float | bool]:
    """Unknown scalar keys, kept for display; nested values are not worth their storage."""
    extra: dict[str, str | int | float | bool] = {}
    for key, value in metadata.items():
        key = str(key)
        if key in KNOWN_KEYS or key in IGNORED_KEYS:
            continue
        if isinstance(value, (str, int, float, bool)):
            extra[key] = value
        elif isinstance(value, (dt.date, dt.datetime)):
            extra[key] = value.isoformat()
    return extra
