"""jieba's dictionary as a table on disk, so that a query is segmented without loading jieba.

jieba holds its dictionary (≈350,000 words and their prefixes, 580,000 entries) in a Python dict that takes
≈0.7 s to load from its cache, after ≈0.15 s to import jieba itself; a query of a few words needs a few dozen
lookups in it. So the first process that loads jieba copies its dictionary into an SQLite table in
searcher's cache folder, and later processes segment short texts by jieba's own algorithm over lookups in
that table. The algorithm is jieba 0.42.1's ``get_DAG``, ``calc`` and ``__cut_DAG_NO_HMM``, rewritten here
because jieba's code only runs on its in-memory dict; tests check that both give the same words on every
run of Chinese text in the corpus sample.

A user dictionary changes jieba's entries for its words, their prefixes and the total; those few entries
are kept beside the table as an overlay (a JSON file named by the dictionary's checksum).

>>> table = WordTable.build(":memory:", {"城市": 100, "城": 50, "城市更": 0, "城市更新": 200, "更新": 80, "更": 10, "新": 30}, 470)
>>> table.cut("城市更新")
['城市更新']
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable
from pathlib import Path

TABLE_FORMAT = 1

# jieba's re_han_default: what it segments with its dictionary; every other character is a word by itself.
_JIEBA_BLOCK = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&._%\\-]+)")


class WordTable:
    """Frequencies of jieba's dictionary entries (0 for a prefix that is not a word), read from SQLite."""

    def __init__(self, connection: sqlite3.Connection, total: int, overlay: dict[str, int] | None = None):
        self._connection = connection
        self.total = total
        self._overlay = overlay or {}
        self._log_total = math.log(total)

    @classmethod
    def build(cls, path: Path | str, frequencies: dict[str, int], total: int) -> WordTable:
        """Write a table of ``frequencies`` (jieba's ``FREQ``) at ``path``, atomically, and open it."""
        if str(path) == ":memory:":
            connection = sqlite3.connect(":memory:")
            _fill(connection, frequencies, total)
            return cls(connection, total)
        path = Path(path)
        handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        os.close(handle)
        try:
            connection = sqlite3.connect(temporary)
            _fill(connection, frequencies, total)
            connection.close()
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
        table = cls.open(path)
        assert table is not None
        return table

    @classmethod
    def open(cls, path: Path, overlay: Path | None = None) -> WordTable | None:
        """The table at ``path`` (with the user-dictionary ``overlay`` file, if given), or None if either is
        missing or unreadable: the caller then loads jieba."""
        try:
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            rows = dict(connection.execute("SELECT key, value FROM meta"))
            if rows.get("format") != str(TABLE_FORMAT):
                return None
            total = int(rows["total"])
            words = None
            if overlay is not None:
                recorded = json.loads(overlay.read_text(encoding="utf-8"))
                total, words = int(recorded["total"]), recorded["words"]
        except (sqlite3.Error, OSError, ValueError, KeyError):
            return None
        return cls(connection, total, words)

    def frequency(self, word: str) -> int | None:
        """jieba's frequency of ``word``: None if the dictionary has no such entry, 0 for a mere prefix."""
        if word in self._overlay:
            return self._overlay[word]
        row = self._connection.execute("SELECT frequency FROM words WHERE word = ?", (word,)).fetchone()
        return row[0] if row else None

    def words_among(self, texts: list[str]) -> set[str]:
        """Those of ``texts`` the dictionary holds as words (not just as prefixes), in one query per 500."""
        found = {text for text in texts if self._overlay.get(text)}
        rest = [text for text in texts if text not in self._overlay]
        for start in range(0, len(rest), 500):  # (older SQLite allows at most 999 parameters)
            chunk = rest[start : start + 500]
            found.update(word for (word,) in self._connection.execute(
                f"SELECT word FROM words WHERE frequency > 0 AND word IN ({','.join('?' * len(chunk))})", chunk))
        return found

    def cut(self, text: str) -> list[str]:
        """``jieba.lcut(text, HMM=False)`` for a text without spaces (a run of Chinese characters)."""
        words: list[str] = []
        for block in _JIEBA_BLOCK.split(text):
            if not block:
                continue
            if _JIEBA_BLOCK.fullmatch(block):
                words += self._cut_block(block)
            else:
                words += list(block)
        return words

    def _cut_block(self, block: str) -> list[str]:
        known: dict[str, int | None] = {}

        def frequency(piece: str) -> int | None:
            if piece not in known:
                known[piece] = self.frequency(piece)
            return known[piece]

        length = len(block)
        # jieba's get_DAG: the ends of the dictionary words starting at each character.
        ends: list[list[int]] = []
        for start in range(length):
            found = []
            end = start
            while end < length and frequency(block[start : end + 1]) is not None:
                if frequency(block[start : end + 1]):
                    found.append(end)
                end += 1
            ends.append(found or [start])
        # jieba's calc: the most probable route from the end backwards (ties go to the longer word, as
        # jieba's max over (score, end) tuples does).
        route: list[tuple[float, int]] = [(0.0, 0)] * (length + 1)
        for start in range(length - 1, -1, -1):
            route[start] = max(
                (math.log(frequency(block[start : end + 1]) or 1) - self._log_total + route[end + 1][0], end)
                for end in ends[start]
            )
        words = []
        start = 0
        while start < length:
            end = route[start][1] + 1
            words.append(block[start:end])
            start = end
        return words


def _fill(connection: sqlite3.Connection, frequencies: dict[str, int], total: int) -> None:
    with connection:
        connection.execute("CREATE TABLE words (word TEXT PRIMARY KEY, frequency INTEGER NOT NULL) WITHOUT ROWID")
        connection.executemany("INSERT INTO words VALUES (?, ?)", frequencies.items())
        connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        connection.executemany("INSERT INTO meta VALUES (?, ?)", [("format", str(TABLE_FORMAT)), ("total", str(total))])


def user_overlay(frequencies: dict[str, int], total: int, lines: Iterable[str]) -> dict:
    """What a user dictionary changed in jieba's entries: every entry that is a prefix of one of its lines
    (its words, their prefixes; a few more than changed, which does no harm), with the new total."""
    words = {}
    for line in lines:
        text = line.strip()
        for end in range(1, len(text) + 1):
            piece = text[:end]
            if piece in frequencies:
                words[piece] = frequencies[piece]
    return {"total": total, "words": words}
