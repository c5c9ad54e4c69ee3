"""The command line, run as a user runs it: real processes on real folders, in a temporary working directory."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest

from .helpers import SEED_ARTICLE, SEEDS, searcher, write_article


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder with a copy of seeds/ and an index built by `searcher index seeds/` at the default place."""
    folder = tmp_path_factory.mktemp("work")
    shutil.copytree(SEEDS, folder / "seeds")
    run = searcher("index", "seeds/", cwd=folder)
    assert run.returncode == 0, run.stderr
    return folder


def test_quick_start_indexes_the_seed_into_the_default_index(workdir):
    assert (workdir / "indexes" / "default" / "searcher.json").is_file()
    rerun = searcher("index", "seeds/", cwd=workdir)
    assert rerun.returncode == 0
    assert "0 added, 0 updated, 0 removed, 1 unchanged, 0 failed" in rerun.stdout


def test_query_shows_the_seed_with_title_metadata_and_snippet(workdir):
    run = searcher("query", "城市更新", cwd=workdir)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith(" 1. 北京城市更新联盟成立 探索减量发展下的城市更新路径")
    assert "证券时报网 · 2022-07-12 · seeds/000_d232eb3cb27245ac.txt" in lines[1]
    assert "城市更新" in "".join(lines[2:])
    assert "1–1 of 1" in run.stdout


def test_a_hit_with_only_some_of_the_words_says_so(workdir):
    run = searcher("query", "城市更新 火星", cwd=workdir)
    assert run.returncode == 0, run.stderr
    assert "seeds/000_d232eb3cb27245ac.txt · only some of the words" in run.stdout.splitlines()[1]


def test_query_highlights_in_colour_on_a_terminal(workdir):
    env = {"NO_COLOR": "", "FORCE_COLOR": "1", "TERM": "xterm-256color"}
    run = searcher("query", "城市更新", cwd=workdir, env=env)
    assert "\x1b[1;31m城市更新" in run.stdout


def test_json_output_has_the_documented_keys_and_offsets(workdir):
    run = searcher("query", "城市更新", "--json", cwd=workdir)
    data = json.loads(run.stdout)
    assert {"query", "total", "took_ms", "hits"} <= data.keys()
    assert data["query"] == "城市更新" and data["total"] == 1
    hit = data["hits"][0]
    assert {"path", "title", "author", "date", "categories", "score", "snippet", "highlights"} <= hit.keys()
    assert hit["path"] == str(workdir / "seeds" / SEED_ARTICLE.name)
    assert hit["date"] == "2022-07-12T21:50:00+00:00"
    assert hit["categories"] == ["金融", "证券时报网", "要闻"]
    assert hit["highlights"] and all(hit["snippet"][s:e] == "城市更新" for s, e in hit["highlights"])


def test_queries_from_stdin_give_one_json_line_each(workdir):
    run = searcher("query", "-", "--json", cwd=workdir, stdin="城市更新\n\n建设银行 OR 不存在\nfoo:bar\n")
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["城市更新", "建设银行 OR 不存在", "foo:bar"]
    assert lines[0]["total"] == 1 and lines[1]["total"] == 1
    assert "unknown field" in lines[2]["error"]
    assert run.returncode == 2


def test_a_leading_minus_is_an_exclusion_not_an_option(workdir):
    excluded = searcher("query", "-住房 城市更新", "--json", cwd=workdir)
    assert excluded.returncode == 0 and json.loads(excluded.stdout)["total"] == 0
    kept = searcher("query", "-不存在 城市更新", "--json", cwd=workdir)
    assert kept.returncode == 0 and json.loads(kept.stdout)["total"] == 1


@pytest.mark.parametrize("query", ['"城市更新', "foo:bar", "OR", "(城市", "，。"])
def test_a_bad_query_is_one_line_and_exit_status_2(workdir, query):
    run = searcher("query", query, cwd=workdir)
    assert run.returncode == 2
    assert run.stdout == ""
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["query", "--"], "missing argument 'text'"),
    (["query", "城市更新", "--limit", "many"], "invalid value for '--limit'"),
    (["nosuch"], "no such command 'nosuch'"),
])
def test_a_usage_error_is_one_line_and_exit_status_2(tmp_path, args, message):
    run = searcher(*args, cwd=tmp_path)
    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1 and message in run.stderr.lower()


def test_a_missing_index_says_what_to_run(tmp_path):
    run = searcher("query", "城市更新", cwd=tmp_path)
    assert run.returncode == 1
    assert "searcher index" in run.stderr and len(run.stderr.strip().splitlines()) == 1
    run = searcher("stats", "--index", str(tmp_path), cwd=tmp_path)
    assert run.returncode == 1 and "not a searcher index" in run.stderr


def test_index_location_from_option_and_environment(tmp_path):
    run = searcher("index", str(SEEDS), "--index", "elsewhere", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    env = {"SEARCHER_INDEX": str(tmp_path / "elsewhere")}
    assert json.loads(searcher("stats", "--json", cwd=tmp_path, env=env).stdout)["documents"] == 1


def test_stats(workdir):
    data = json.loads(searcher("stats", "--json", cwd=workdir).stdout)
    assert data["documents"] == 1 and data["terms"] > 100 and data["size_bytes"] > 0
    assert data["last_update"].startswith("20")
    text = searcher("stats", cwd=workdir).stdout
    assert "documents    1" in text


def test_failed_files_are_listed_one_per_line_and_set_the_exit_status(tmp_path):
    articles = tmp_path / "articles"
    write_article(articles, "good.md", "好文章", "<p>正常的正文。</p>")
    (articles / "bad.md").write_bytes(b"\x00\x01binary")
    (articles / "broken.md").write_text("---\ntitle: [x\n---\n正文", encoding="utf-8")
    run = searcher("index", "articles", cwd=tmp_path)
    assert run.returncode == 1
    assert "1 added, 0 updated, 0 removed, 0 unchanged, 2 failed" in run.stdout
    problems = sorted(run.stderr.strip().splitlines())
    assert problems[0].startswith("articles/bad.md: binary")
    assert problems[1].startswith("articles/broken.md: invalid YAML front matter")


def test_indexing_a_missing_folder_is_exit_status_2(tmp_path):
    run = searcher("index", "nowhere", cwd=tmp_path)
    assert run.returncode == 2 and "no such folder" in run.stderr


def test_every_command_documents_an_example():
    for command in ("index", "query", "stats"):
        run = searcher(command, "--help", cwd=SEEDS)
        assert run.returncode == 0 and "Example: searcher " + command in run.stdout.replace("\n", " ")


def test_a_second_indexing_run_fails_cleanly_or_waits_with_wait(tmp_path):
    from searcher import Index

    def hold_the_lock(index: Index, locked: threading.Event, seconds: float) -> None:
        with index.engine.writer():
            locked.set()
            time.sleep(seconds)

    with Index.open_or_create(tmp_path / "ix") as index:
        with index.engine.writer():
            refused = searcher("index", str(SEEDS), "--index", "ix", cwd=tmp_path)
        assert refused.returncode == 1 and "--wait" in refused.stderr

        locked = threading.Event()
        holder = threading.Thread(target=hold_the_lock, args=(index, locked, 2.0))
        holder.start()
        locked.wait(10)
        waited = searcher("index", str(SEEDS), "--index", "ix", "--wait", "30", cwd=tmp_path)
        holder.join()
        assert waited.returncode == 0, waited.stderr
        assert "waiting up to 30 s for another searcher index on ix" in waited.stderr
        assert "1 added" in waited.stdout


def test_query_options_filter_sort_page_and_count_facets(workdir):
    run = searcher("query", "城市更新", "--since", "2022-07", "--until", "2022-07-12", "--sort", "-date",
                   "--page", "1", "--facets", "author,category", "--json", cwd=workdir)
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert (results["total"], results["sort"]) == (1, "-date")
    assert results["facets"]["author"] == [["证券时报网", 1]]
    assert searcher("query", "城市更新", "--until", "2022-07-11", "--json", cwd=workdir).stdout.count('"total": 0') == 1
    text = searcher("query", "城市更新", "--facets", "author", cwd=workdir).stdout
    assert "author: 证券时报网 1" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--page", "2", "--offset", "3"], "give --page or --offset, not both"),
        (["--sort", "size"], "unknown sort 'size'"),
        (["--facets", "colour"], "unknown facet 'colour'"),
        (["--since", "July"], "bad date 'July'"),
    ],
)
def test_bad_query_options_are_one_line_and_exit_status_2(workdir, args, message):
    run = searcher("query", "城市更新", *args, cwd=workdir)
    assert run.returncode == 2
    assert message in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_show_prints_the_stored_article_and_similar_finds_no_other(workdir):
    run = searcher("show", "seeds/000_d232eb3cb27245ac.txt", "--highlight", "城市更新", "--json", cwd=workdir)
    assert run.returncode == 0, run.stderr
    article = json.loads(run.stdout)
    assert article["title"] == "北京城市更新联盟成立 探索减量发展下的城市更新路径"
    assert all(article["body"][start:end] == "城市更新" for start, end in article["highlights"])
    assert article["highlights"]
    similar = searcher("similar", "seeds/000_d232eb3cb27245ac.txt", cwd=workdir)
    assert similar.returncode == 0 and "no matches" in similar.stdout
    missing = searcher("show", "seeds/missing.md", cwd=workdir)
    assert missing.returncode == 1 and "is not in the index" in missing.stderr
