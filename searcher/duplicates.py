"""Near-duplicates: the same story re-published (another feed, a changed headline, a line added or cut).

Two articles are near-duplicates when the sets of their 5-character shingles (folded text, spaces left out)
overlap by at least :data:`NEAR_DUPLICATE` (Jaccard similarity). The threshold is measured on the shared
news corpus, which has no re-published copies but many *recurring* reports: the same ceremony a year later
(中央领导同志看望老同志, 2024 and 2025: 0.70), the same kind of meeting (全国人大主席团会议: 0.53), the same
obituary formula (…同志遗体在京火化: 0.46–0.49); every other pair of its 3,000 articles is below 0.70.
Those are different events, which a reader wants to see. A re-publication is well above: each of the
3,000 with a source line put before and an editor's line after scores 0.93 or more (median 0.98); with a
source line and one of its sentences dropped, 2,827 of 3,000 still reach 0.8 (median 0.93; those below are
articles of two or three sentences, where one sentence is a third of the text). 0.8 lies between.

Comparing shingle sets costs too much per query, so the index keeps a small *sketch* of each article (the
:data:`SKETCH_SIZE` smallest hashes of its shingles, a bottom-k MinHash) and only a pair whose sketches
estimate a similarity of at least :data:`CANDIDATE` has its texts compared exactly. At a true similarity of
0.8 the estimate falls below 0.5 with a probability of 3·10⁻⁵, so the sketch decides nothing by itself.

>>> report = "国务院常务会议研究部署推进城市更新的政策措施。会议要求各地因地制宜，有序推进老旧小区改造和街区更新。"
>>> is_near_duplicate(report, report + "（来源：新华社）"), is_near_duplicate(report, report[:24])
(True, False)
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from .folding import fold

SHINGLE_CHARS = 5
NEAR_DUPLICATE = 0.8
SKETCH_SIZE = 32
CANDIDATE = 0.5

Item = TypeVar("Item")


def shingles(text: str) -> set[str]:
    """The distinct 5-character pieces of the folded text, spaces left out (a shorter text is one piece).

    >>> sorted(shingles("城市 更新行动"))
    ['城市更新行', '市更新行动']
    """
    chars = "".join(char for char in fold(text) if not char.isspace())
    if len(chars) <= SHINGLE_CHARS:
        return {chars} if chars else set()
    return {chars[i : i + SHINGLE_CHARS] for i in range(len(chars) - SHINGLE_CHARS + 1)}


def sketch(text: str) -> tuple[int, ...]:
    """The text's bottom-k sketch: the smallest CRC-32 hashes of its shingles (their UTF-8 bytes), ascending.

    Hand-written rather than datasketch's MinHash: that brings scipy for these few lines, and its sketches
    are 128 permutations (1 KB) an article where 32 integers suffice to pick candidates.

    >>> sketch("城市 更新行动") == tuple(sorted(zlib.crc32(piece.encode()) for piece in shingles("城市 更新行动")))
    True
    """
    return folded_sketch(fold(text))


def folded_sketch(folded: str) -> tuple[int, ...]:
    """:func:`sketch` of a text that is folded already."""
    chars = _SPACES.sub("", folded)
    if len(chars) <= SHINGLE_CHARS:
        return (zlib.crc32(chars.encode("utf-8")),) if chars else ()
    code_points = np.frombuffer(chars.encode("utf-32-le"), np.uint32)
    # Where each character's UTF-8 bytes start: a shingle is the bytes from one start to the fifth next.
    starts = np.concatenate([[0], np.cumsum(1 + (code_points >= 0x80) + (code_points >= 0x800) + (code_points >= 0x10000))])
    hashes = _crc32_of_slices(np.frombuffer(chars.encode("utf-8"), np.uint8), starts[:-SHINGLE_CHARS], starts[SHINGLE_CHARS:])
    return tuple(np.unique(hashes)[:SKETCH_SIZE].tolist())


_SPACES = re.compile(r"\s+")


def _crc_table() -> np.ndarray:
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0xEDB88320), table >> 1)
    return table


_CRC_TABLE = _crc_table()


def _crc32_of_slices(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``zlib.crc32(data[start:end])`` of every slice, computed a byte of all slices at a time (the same
    table-driven CRC-32 as zlib's). zlib hashes one buffer a call, and a call per shingle (one per
    character of the text) was a tenth of indexing an article.

    >>> data = np.frombuffer("城市更新 abc".encode(), np.uint8)
    >>> _crc32_of_slices(data, np.array([0, 3]), np.array([12, 16])).tolist() == [zlib.crc32(data[0:12]), zlib.crc32(data[3:16])]
    True
    """
    sizes = ends - starts
    order = np.argsort(-sizes, kind="stable")  # longest first: the slices still going are a prefix
    starts, sizes = starts[order], sizes[order]
    crc = np.full(len(starts), 0xFFFFFFFF, np.uint32)
    for step in range(int(sizes.max(initial=0))):
        going = int(np.searchsorted(-sizes, -step))  # how many are longer than step
        current = crc[:going]
        crc[:going] = _CRC_TABLE[(current ^ data[starts[:going] + step]) & 0xFF] ^ (current >> 8)
    crc[order] = crc.copy()
    return crc ^ np.uint32(0xFFFFFFFF)


def estimated_similarity(first: Sequence[int], second: Sequence[int]) -> float:
    """The Jaccard similarity two sketches estimate: the share of the union's smallest hashes in both.

    >>> estimated_similarity(sketch("甲乙丙丁戊己庚辛"), sketch("甲乙丙丁戊己庚辛")), estimated_similarity((1, 2), (3, 4))
    (1.0, 0.0)
    """
    if not first or not second:
        return 1.0 if not first and not second else 0.0
    first_set, second_set = set(first), set(second)
    # sorted() of at most 64 integers, not heapq.nsmallest: that is Python code, and collapsing a page
    # compares a few hundred pairs of sketches.
    smallest = sorted(first_set | second_set)[:SKETCH_SIZE]
    both = first_set & second_set
    return sum(1 for value in smallest if value in both) / len(smallest)


def similarity(first: str, second: str) -> float:
    """The exact Jaccard similarity of two texts' shingle sets."""
    a, b = shingles(first), shingles(second)
    if not a or not b:
        return 1.0 if a == b else 0.0
    return len(a & b) / len(a | b)


def is_near_duplicate(first: str, second: str) -> bool:
    return similarity(first, second) >= NEAR_DUPLICATE


def collapse(
    items: Sequence[Item], text_of: Callable[[Item], str], sketch_of: Callable[[Item], Sequence[int]]
) -> list[tuple[Item, list[Item]]]:
    """Group ranked items: each one that is a near-duplicate of an earlier group's first item joins that
    group instead of starting its own. Returns ``(first item, its near-duplicates)`` in rank order.

    >>> story = "北京首届城市更新论坛今天举行。论坛发布了城市更新联盟的工作计划，明确了三年内的重点项目。"
    >>> items = [("a", story), ("b", "另一篇完全不同的报道，讲的是长江生态保护。"), ("c", story + "完")]
    >>> [(first[0], [copy[0] for copy in copies]) for first, copies in collapse(items, lambda i: i[1], lambda i: sketch(i[1]))]
    [('a', ['c']), ('b', [])]
    """
    groups: list[tuple[Item, list[Item]]] = []
    # The groups whose first item's sketch holds a hash (an empty sketch: None). Two sketches estimate a
    # similarity of CANDIDATE only if they share that share of the longer one's hashes (the estimate's
    # denominator is at least as long), so only groups sharing as many with the item are compared, in their
    # order: the same groups as comparing every group, where a page of 3,000 hits took 41 s.
    groups_with: dict[int | None, list[int]] = {}
    first_sketches: list[Sequence[int]] = []  # of each group's first item
    for item in items:
        item_sketch = sketch_of(item)
        hashes = item_sketch or (None,)
        shared = Counter(number for value in hashes for number in groups_with.get(value, ()))
        for number in sorted(number for number, count in shared.items()
                             if count >= CANDIDATE * max(len(hashes), len(first_sketches[number]))):
            first, copies = groups[number]
            if estimated_similarity(first_sketches[number], item_sketch) >= CANDIDATE and is_near_duplicate(
                text_of(first), text_of(item)
            ):
                copies.append(item)
                break
        else:
            for value in hashes:
                groups_with.setdefault(value, []).append(len(groups))
            groups.append((item, []))
            first_sketches.append(item_sketch)
    return groups
