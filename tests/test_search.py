"""Search on real indexes: ranking rules, phrases, operators, fields, exact totals, paging, highlights."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import searcher.index
from searcher import Index
from searcher.analysis import index_analyzer
from searcher.documents import read_document

from .helpers import SEED_ARTICLE, SEEDS, write_article


@pytest.fixture(scope="module")
def small_index(tmp_path_factory) -> Index:
    folder = tmp_path_factory.mktemp("articles")
    write_article(folder, "phrase.md", "行动计划", "<p>本市推进城市更新行动，改造老旧小区。</p>")
    write_article(folder, "apart.md", "换代", "<p>我们关注城市的更新换代与发展。</p>")
    write_article(folder, "both.md", "两地合作", "<p>北京与上海签署合作协议。</p>", author="甲报", categories="[要闻, 国内]")
    write_article(folder, "beijing.md", "首都新闻", "<p>北京北京北京，北京的发展。</p>", author="乙报", categories="[国内]")
    write_article(folder, "shanghai.md", "申城新闻", "<p>上海发布新规，涉及住房。</p>", author="乙报", categories="[国际]")
    write_article(folder, "title.md", "乡村振兴", "<p>一篇关于农业的文章，内容很长很长。</p>")
    write_article(folder, "body.md", "农业报道", "<p>一篇关于乡村振兴的文章，内容很长很长。</p>")
    index = Index.open_or_create(tmp_path_factory.mktemp("ix") / "small")
    assert index.update([folder]).failures == []
    yield index
    index.close()


def names(results) -> list[str]:
    return [Path(hit.path).name for hit in results.hits]


def test_phrase_matches_adjacent_words_only(small_index):
    assert names(small_index.search('"城市更新"')) == ["phrase.md"]
    assert names(small_index.search('"城市的更新"')) == ["apart.md"]


def test_documents_with_all_words_come_first_then_those_with_some(small_index):
    results = small_index.search("北京 上海")
    assert names(results)[0] == "both.md"
    assert set(names(results)[1:]) == {"beijing.md", "shanghai.md"}
    assert [hit.matched_all for hit in results.hits] == [True, False, False]
    assert results.total == 3


def test_all_words_first_holds_across_pages(small_index):
    everything = names(small_index.search("北京 上海", limit=10))
    paged = [name for offset in range(3) for name in names(small_index.search("北京 上海", limit=1, offset=offset))]
    assert paged == everything
    assert small_index.search("北京 上海", limit=1, offset=2).total == 3


def test_exclusion_and_or(small_index):
    assert set(names(small_index.search("北京 OR 上海 -住房"))) == {"both.md", "beijing.md"}
    assert set(names(small_index.search("北京 OR 住房"))) == {"both.md", "beijing.md", "shanghai.md"}
    assert "beijing.md" not in names(small_index.search("北京 -发展"))


def test_field_restrictions(small_index):
    assert set(names(small_index.search("author:乙报"))) == {"beijing.md", "shanghai.md"}
    assert set(names(small_index.search("category:国内"))) == {"both.md", "beijing.md"}
    assert names(small_index.search("title:乡村振兴")) == ["title.md"]
    assert names(small_index.search("body:乡村振兴")) == ["body.md"]
    assert names(small_index.search("北京 author:甲报")) == ["both.md"]


def test_a_match_in_the_title_outranks_the_same_match_in_the_body(small_index):
    assert names(small_index.search("乡村振兴")) == ["title.md", "body.md"]


def test_hits_carry_metadata_and_highlights_pointing_at_query_words(small_index):
    hit = small_index.search("合作").hits[0]
    assert (hit.title, hit.author, hit.categories) == ("两地合作", "甲报", ["要闻", "国内"])
    assert [hit.snippet.text[s:e] for s, e in hit.snippet.highlights] == ["合作"]
    assert [hit.title[s:e] for s, e in hit.title_highlights] == ["合作"]


def test_the_seed_is_found_with_its_words_highlighted(sample_index):
    results = sample_index.search("城市更新")
    top = results.hits[0]
    # The corpus holds the same article as the seed (the genuine mirror post): either ranks first, with the
    # other folded into it as a near-duplicate.
    names = {Path(top.path).name, *(Path(path).name for path in top.near_duplicates)}
    assert names == {SEED_ARTICLE.name, "北京城市更新联盟成立 探索减量发展下的城市更新路径.md"}
    words = [top.snippet.text[s:e] for s, e in top.snippet.highlights]
    assert words and set(words) == {"城市更新"}
    assert top.date.isoformat() == "2022-07-12T21:50:00+00:00"


@pytest.mark.parametrize("word", ["城市", "发展", "人工智能", "javascript", "2022"])
def test_total_is_the_exact_number_of_matching_documents(sample_index, corpus_sample, word):
    analyzer = index_analyzer()
    expected = 0
    for path in [*corpus_sample.iterdir(), SEED_ARTICLE]:
        doc = read_document(path)
        tokens = {t.text for t in analyzer(doc.title)} | {t.text for t in analyzer(doc.body)}
        expected += word in tokens
    results = sample_index.search(word, limit=3)
    assert results.total == expected > 0
    assert len(results.hits) == 3


def test_scores_descend_within_the_all_words_group(sample_index):
    hits = sample_index.search("国务院 常务会议", limit=30).hits
    full = [hit.score for hit in hits if hit.matched_all]
    assert full == sorted(full, reverse=True)


def test_an_article_is_found_again_by_its_title(sample_index, corpus_sample):
    counts = Counter(read_document(path).title for path in corpus_sample.iterdir())
    unique = [path for path in sorted(corpus_sample.iterdir()) if counts[read_document(path).title] == 1][:15]
    for path in unique:
        results = sample_index.search(read_document(path).title.replace('"', " "), limit=3)
        assert str(path) in [hit.path for hit in results.hits], path.name


def test_documents_with_some_of_the_words_are_ranked_by_score_too(sample_index):
    hits = sample_index.search("城市更新 javascript 闭包", limit=40).hits
    partial = [hit.score for hit in hits if not hit.matched_all]
    assert len(partial) >= 10
    assert partial == sorted(partial, reverse=True)


def test_a_question_ranks_by_its_important_words_not_by_having_every_word(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    # Every word of the question, the content words once each among much else ...
    write_article(folder, "all-words.md", "常见问题", "<p>" + "今天天气很好，我们去公园散步。" * 20
                  + "可以吗？人寿保险和退保也有人问。" + "明天继续下雨，大家注意出行安全。" * 20 + "</p>")
    # ... against an answer about the question's subject that never says 可以 or 吗.
    write_article(folder, "answer.md", "退保须知", "<p>人寿保险退保时，保单的现金价值退还投保人。退保前请了解人寿保险的条款。</p>")
    with Index.open_or_create(tmp_path / "ix") as index:
        index.update([folder])
        results = index.search("人寿保险可以退保吗")
    assert names(results) == ["answer.md", "all-words.md"]
    assert [hit.matched_all for hit in results.hits] == [False, True]


def test_parallel_and_serial_indexing_find_the_same_documents_with_the_same_scores(sample_index, corpus_sample, tmp_path):
    # The sample index is built by a worker process per core (two on CI); this one by this process alone.
    with Index.open_or_create(tmp_path / "serial") as serial:
        serial.update([corpus_sample, SEEDS], workers=1)
        for query in ["城市更新", "发展", "javascript 函数", '"人工智能"', "习近平 -会见", "chengshi", "date:2023 经济"]:
            parallel_hits = sample_index.search(query, limit=200, collapse=False)
            serial_hits = serial.search(query, limit=200, collapse=False)
            assert parallel_hits.total == serial_hits.total > 0, query
            assert sorted((hit.path, round(hit.score, 6)) for hit in parallel_hits.hits) == sorted(
                (hit.path, round(hit.score, 6)) for hit in serial_hits.hits
            ), query


def every_posting(index_path: Path) -> dict:
    """Each term of an index with its postings as (path, weight, value) and its statistics, whatever the
    segments and docnums."""
    import whoosh.index

    from searcher.index import INDEX_NAME

    with whoosh.index.open_dir(index_path, indexname=INDEX_NAME).reader() as reader:
        paths = {docnum: fields["path"] for docnum, fields in reader.iter_docs()}
        postings = {}
        for fieldname, term in reader.all_terms():
            info = reader.term_info(fieldname, term)
            matcher = reader.postings(fieldname, term)
            found = []
            while matcher.is_active():
                found.append((paths[matcher.id()], matcher.weight(), matcher.value()))
                matcher.next()
            statistics = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight())
            postings[fieldname, term] = (sorted(found), statistics)
    return postings


def test_new_segments_hold_exactly_the_postings_whooshs_own_writer_makes(corpus_sample, tmp_path, monkeypatch):
    # New documents' postings are computed as arrays a document at a time (words a piece of text at a time),
    # held in memory with small posting lists inlined, and written a field at a time: in worker processes,
    # or in this one, with a new segment whenever one holds enough postings. Whoosh's own writer, given the
    # same fields and analysing them token by token (its Positions.word_values of our analyzers' tokens),
    # must make exactly the same terms, postings, values and statistics.
    import whoosh.codec.whoosh3
    import whoosh.index

    monkeypatch.setattr(whoosh.codec.whoosh3.W3Codec.__init__, "__defaults__", (16, 3, 1))  # blocks of 16
    monkeypatch.setattr(searcher.index, "PARALLEL_DOCUMENTS", 2)
    monkeypatch.setattr(searcher.index, "SEGMENT_POSTINGS", 20_000)
    monkeypatch.setattr(searcher.index, "CHUNK_CHARS", 5_000)
    monkeypatch.setattr(searcher.index, "ANALYSED_PIECE_CHARS", 300)
    folder = tmp_path / "articles"
    folder.mkdir()
    for path in sorted(corpus_sample.glob("*.md"))[:30]:
        (folder / path.name).write_bytes(path.read_bytes())
    # A character in 1,500 places, the same part twice in one token (one position twice), traditional and
    # full-width text, Latin compounds, an empty title, positions past 65,535.
    write_article(folder, "long-lists.md", "的的", "<p>" + "的确，" * 1_500 + "ab-ab ＡＢＣ１２３ 臺灣 v9.6.0 3.5%</p>")
    write_article(folder, "far.md", "", "<p>" + "城市更新 " * 70_000 + "尾声</p>")
    for number in range(20):  # blocks whose postings all have the same weight, not 1
        write_article(folder, f"twice-{number}.md", f"第{number}篇", "<p>鲸落。鲸落。</p>")
    built, segments = {}, {}
    for workers in (1, 2):
        with Index.open_or_create(tmp_path / f"workers-{workers}") as index:
            assert index.update([folder], workers=workers).failures == []
        built[workers] = every_posting(tmp_path / f"workers-{workers}")
        segments[workers] = len(list((tmp_path / f"workers-{workers}").glob("*.trm")))
    with Index.open_or_create(tmp_path / "whoosh"):
        pass
    with whoosh.index.open_dir(tmp_path / "whoosh", indexname=searcher.index.INDEX_NAME).writer() as writer:
        for path in sorted(folder.glob("*.md")):
            writer.add_document(**searcher.index._fields(read_document(path)))
    whooshs = every_posting(tmp_path / "whoosh")
    assert segments[1] > 2 and segments[2] > 2
    assert len(whooshs) > 10_000
    assert max(len(value) // 4 for found, _ in whooshs.values() for _, _, value in found if value) > 1_000
    assert built[1] == whooshs
    assert built[2] == whooshs


def test_postings_pickled_natively_are_the_same_postings_in_less_space(corpus_sample, tmp_path, monkeypatch):
    # Segments' posting blocks are pickled with protocol 5 (a posting's value as bytes), not the W3 codec's
    # protocol 2 (each value a call to codecs.encode): the same postings either way, in less space, and an
    # index of protocol 2 segments (written before) stays readable beside new ones.
    folder = tmp_path / "articles"
    folder.mkdir()
    for path in sorted(corpus_sample.glob("*.md"))[:20]:
        (folder / path.name).write_bytes(path.read_bytes())
    built, sizes = {}, {}
    for protocol in (2, searcher.index.POSTINGS_PICKLE_PROTOCOL):
        monkeypatch.setattr(searcher.index, "POSTINGS_PICKLE_PROTOCOL", protocol)
        with Index.open_or_create(tmp_path / f"protocol-{protocol}") as index:
            index.update([folder], workers=2)
        built[protocol] = every_posting(tmp_path / f"protocol-{protocol}")
        sizes[protocol] = sum(path.stat().st_size for path in (tmp_path / f"protocol-{protocol}").glob("*.pst"))
    assert built[5] == built[2]
    assert sizes[5] < 0.8 * sizes[2]
    (folder / "seed.md").write_bytes(SEED_ARTICLE.read_bytes())
    with Index.open(tmp_path / "protocol-2") as index:
        index.update([folder])
        assert "seed.md" in names(index.search("城市更新"))
        for path in sorted(folder.glob("*.md"))[:20:4]:
            assert path.name in names(index.search(read_document(path).title, limit=3)), path.name


def test_an_index_without_documents_answers_with_no_hits(tmp_path):
    with Index.open_or_create(tmp_path / "empty") as index:
        for sort in ("relevance", "-date"):
            results = index.search("城市更新", sort=sort)
            assert (results.total, results.hits) == (0, [])
        assert index.suggest("城市").words == []


def test_scores_computed_a_posting_list_at_a_time_are_whooshs_own(corpus_sample, tmp_path, monkeypatch):
    # Searches score their matches a posting list at a time (searcher.index._Scoring), not through Whoosh's
    # matchers. Every query a search makes must match the documents Whoosh's own search matches, with its
    # scores: over several segments, with deleted documents, in posting lists inlined, of one block and of
    # several (blocks of 16 postings here, not 128, so that the sample has long lists).
    import whoosh.codec.whoosh3

    monkeypatch.setattr(whoosh.codec.whoosh3.W3Codec.__init__, "__defaults__", (16, 3, 1))
    monkeypatch.setattr(searcher.index, "PARALLEL_DOCUMENTS", 2)
    monkeypatch.setattr(searcher.index, "SEGMENT_POSTINGS", 100_000)
    monkeypatch.setattr(searcher.index, "CHUNK_CHARS", 5_000)
    monkeypatch.setattr(searcher.index, "MERGED_SEGMENT_DOCS", 0)
    folder = tmp_path / "articles"
    folder.mkdir()
    articles = sorted(corpus_sample.glob("*.md"))[:60]
    for path in articles:
        (folder / path.name).write_bytes(path.read_bytes())
    with Index.open_or_create(tmp_path / "index") as index:
        index.update([folder], workers=2)
        for path in articles[::7]:
            (folder / path.name).unlink()
        (folder / "seed.txt").write_bytes(SEED_ARTICLE.read_bytes())
        index.update([folder], workers=1)
        queries = []
        translate = searcher.index._translate
        monkeypatch.setattr(searcher.index, "_translate", lambda node, spellings: queries.append(
            translate(node, spellings)) or queries[-1])
        for text in ["城市更新", "发展 经济", '"人工智能"', "javascript 函数", "习近平 -会见", "北京 OR 上海", "chengshi",
                     "title:城市", "数据*", "中国 -美国 -日本", '"新闻联播"', "的 是"]:
            index.search(text, limit=5)
        engine = index.engine
        whoosh_searcher = engine._current_searcher()
        scoring = engine._scoring(whoosh_searcher)
        assert len(whoosh_searcher.leaf_searchers()) > 2 and whoosh_searcher.reader().has_deletions()
        compared = 0
        for query in queries:
            found = scoring.scores(query)
            ours = dict(zip(found.ids.tolist(), found.scores.tolist(), strict=True))
            assert len(ours) == len(found)
            whooshs = {hit.docnum: hit.score for hit in whoosh_searcher.search(query, limit=None)}
            assert ours.keys() == whooshs.keys(), query
            assert ours == pytest.approx(whooshs, rel=1e-12), query
            compared += len(ours)
        assert compared > 500
