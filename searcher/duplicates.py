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

import heapq
import zlib
from collections.abc import Callable, Sequence
from typing import TypeVar

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
    """The text's bottom-k sketch: the smallest CRC-32 hashes of its shingles, ascending.

    Hand-written rather than datasketch's MinHash: that brings numpy and scipy for these few lines, and its
    sketches are 128 permutations (1 KB) an article where 32 integers suffice to pick candidates.
    """
    return tuple(heapq.nsmallest(SKETCH_SIZE, {zlib.crc32(piece.encode("utf-8")) for piece in shingles(text)}))


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
    for item in items:
        item_sketch = sketch_of(item)
        for first, copies in groups:
            if estimated_similarity(sketch_of(first), item_sketch) >= CANDIDATE and is_near_duplicate(
                text_of(first), text_of(item)
            ):
                copies.append(item)
                break
        else:
            groups.append((item, []))
    return groups
