"""Near-duplicate collapsing on real articles: re-publications of a corpus article fold into it, the corpus's
recurring reports (the same yearly visit, other years) stay apart."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from searcher import Index
from searcher.documents import read_document
from searcher.duplicates import NEAR_DUPLICATE, similarity

from .helpers import CORPUS, searcher, write_article

# 中央领导同志慰问/看望老同志 in 2023, 2024 and 2025: the same yearly report, similarity 0.59–0.70.
RECURRING = ["01076.md", "01648.md", "02160.md"]
ORIGINAL = "00097.md"  # 区块链共识机制, a long translated article
OTHERS = ["00002.md", "00242.md", "01500.md", "02500.md"]


def republish(original: Path, folder: Path, name: str, *, drop_sentence: bool = False) -> Path:
    """The article as another feed re-publishes it: another title and author, a source line before the text,
    and (optionally) one of its sentences left out."""
    article = read_document(original)
    body = article.body
    if drop_sentence:
        sentence = body.split("。")[3] + "。"
        body = body.replace(sentence, "", 1)
    return write_article(folder, name, f"【转载】{article.title}", f"<p>（本文转载自{article.author}）</p>\n<p>{body}</p>",
                         author="转载网", date="Sat, 23 Sep 2017 08:00:00 GMT")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("duplicates")
    for name in [*RECURRING, ORIGINAL, *OTHERS]:
        shutil.copy2(CORPUS / name, folder / name)
    republish(CORPUS / ORIGINAL, folder, "copy.md")
    republish(CORPUS / ORIGINAL, folder, "edited-copy.md", drop_sentence=True)
    return folder


@pytest.fixture(scope="module")
def index(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Index:
    index = Index.open_or_create(tmp_path_factory.mktemp("indexes") / "duplicates")
    assert index.update([folder]).failures == []
    yield index
    index.close()


def names(paths: list[str]) -> list[str]:
    return [Path(path).name for path in paths]


def test_republished_copies_fold_into_the_best_ranked_one(index, folder):
    results = index.search("共识机制")
    shown = names([hit.path for hit in results.hits])
    copies = {ORIGINAL, "copy.md", "edited-copy.md"}
    assert len(copies & set(shown)) == 1, shown
    first = next(hit for hit in results.hits if Path(hit.path).name in copies)
    assert set(names(first.near_duplicates)) | {Path(first.path).name} == copies
    # The total still counts every match, the folded copies included.
    assert results.total == index.search("共识机制", collapse=False).total


def test_no_collapse_shows_every_copy(index):
    shown = names([hit.path for hit in index.search("共识机制", collapse=False).hits])
    assert {ORIGINAL, "copy.md", "edited-copy.md"} <= set(shown)
    assert all(not hit.near_duplicates for hit in index.search("共识机制", collapse=False).hits)


def test_recurring_reports_of_other_years_are_not_folded(index, folder):
    texts = [read_document(folder / name).body for name in RECURRING]
    # The measured rule: the closest of them are well similar, and still below the threshold.
    assert 0.5 < similarity(texts[1], texts[2]) < NEAR_DUPLICATE
    results = index.search("老同志")
    assert set(RECURRING) <= set(names([hit.path for hit in results.hits]))
    assert all(not hit.near_duplicates for hit in results.hits)


def test_collapsed_pages_join_up_without_repeating_or_losing_an_article(index):
    whole = index.search("的", limit=100)
    pages = [hit for offset in range(0, 12, 3) for hit in index.search("的", limit=3, offset=offset).hits]
    assert [hit.path for hit in pages] == [hit.path for hit in whole.hits][: len(pages)]
    folded = [path for hit in whole.hits for path in hit.near_duplicates]
    assert len(whole.hits) + len(folded) == whole.total
    assert len({hit.path for hit in whole.hits} | set(folded)) == whole.total


def test_cli_marks_folded_copies_and_no_collapse_lists_them(index, tmp_path):
    collapsed = searcher("query", "区块链共识机制", "--index", str(index.path), "-n", "3", cwd=tmp_path)
    assert collapsed.returncode == 0, collapsed.stderr
    assert "+2 similar" in collapsed.stdout
    listed = searcher("query", "区块链共识机制", "--index", str(index.path), "-n", "3", "--no-collapse", cwd=tmp_path)
    assert "similar" not in listed.stdout and "【转载】" in listed.stdout
    hits = json.loads(searcher("query", "区块链共识机制", "--index", str(index.path), "--json", cwd=tmp_path).stdout)["hits"]
    assert sorted(len(hit["near_duplicates"]) for hit in hits)[-1] == 2


def test_collapsing_compares_only_groups_sharing_hashes_and_folds_as_comparing_every_group(corpus_sample):
    # collapse compares an item only with the groups whose sketch shares enough hashes with its own; the
    # groups must be exactly those of comparing it with every group before it, in order.
    import random

    from searcher.duplicates import CANDIDATE, collapse, estimated_similarity, is_near_duplicate, sketch

    bodies = [read_document(path).body for path in sorted(corpus_sample.glob("*.md"))]
    texts = bodies + ["", ""]
    for body in bodies[::3]:  # re-publications: a source line added, a sentence cut, a long article's half
        sentences = body.split("。")
        texts += [f"（来源：新华社）{body}", "。".join(sentences[:3] + sentences[4:]), body[: len(body) // 2]]
    random.Random(7).shuffle(texts)
    sketches = {text: sketch(text) for text in texts}

    def comparing_every_group(items: list[str]) -> list[tuple[str, list[str]]]:
        groups: list[tuple[str, list[str]]] = []
        for item in items:
            for first, copies in groups:
                if estimated_similarity(sketches[first], sketches[item]) >= CANDIDATE and is_near_duplicate(first, item):
                    copies.append(item)
                    break
            else:
                groups.append((item, []))
        return groups

    expected = comparing_every_group(texts)
    assert sum(1 for _, copies in expected if copies) > 30
    assert collapse(texts, lambda text: text, sketches.__getitem__) == expected
