"""Known-item queries: what a person types to find an article again that they read before.

Two kinds, one of each per drawn article:

* ``keywords``: 2–3 of the article's most characteristic words (jieba's TF-IDF ``extract_tags``, a random
  2–3 of its top 8, in random order), as someone remembers what an article was about;
* ``fragment``: a 6–12 character piece of its body (from a run of letters, digits and Han, so without
  punctuation or quotes), as someone remembers a phrase of it.

The target is the article's own path: the corpus has near-duplicates (daily roundups under the same
title), and finding a sibling instead does not count.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from searcher import Document

from .naive import jieba
from .sampling import as_typed, substring_of_runs, text_runs

TOP_KEYWORDS = 8
KEYWORDS = (2, 3)
FRAGMENT = (6, 12)
KINDS = ("keywords", "fragment")


@dataclass(frozen=True)
class KnownItem:
    """One query and the one article it is meant to find."""

    kind: str  # one of KINDS
    text: str
    target: str  # the article's path


def make_known_items(documents: list[Document], count: int, seed: int) -> list[KnownItem]:
    """Queries of both kinds for ``count`` articles drawn at random (without replacement) among those that
    have enough keywords and a long enough run of text; fewer if the corpus has fewer such articles."""
    rng = random.Random(seed)
    order = rng.sample(range(len(documents)), len(documents))
    items: list[KnownItem] = []
    drawn = 0
    for number in order:
        if drawn == count:
            break
        document = documents[number]
        keywords = _keywords_query(rng, document)
        fragment = _fragment_query(rng, document)
        if keywords is None or fragment is None:
            continue
        items += [KnownItem("keywords", keywords, document.path), KnownItem("fragment", fragment, document.path)]
        drawn += 1
    return items


def _keywords_query(rng: random.Random, document: Document) -> str | None:
    tags = jieba.analyse.extract_tags(f"{document.title}\n{document.body}", topK=TOP_KEYWORDS)
    # Only words a query can carry as words: a tag with query syntax in it would be mangled by as_typed.
    tags = [tag for tag in tags if as_typed(tag) == tag]
    if len(tags) < KEYWORDS[0]:
        return None
    return " ".join(rng.sample(tags, min(rng.randint(*KEYWORDS), len(tags))))


def _fragment_query(rng: random.Random, document: Document) -> str | None:
    runs = text_runs(document.body, FRAGMENT[0])
    if not runs:
        return None
    length = min(rng.randint(*FRAGMENT), max(len(run) for run in runs))
    return substring_of_runs(rng, runs, length)
