"""The ``searcher`` command: a thin, typed layer over :class:`searcher.Index`.

Output for people goes through rich (colour only on a terminal, never with ``NO_COLOR``); ``--json`` output
is for programs. Errors are one line on stderr: exit status 2 for a bad query or bad arguments, 1 for
anything else (a missing index, files that failed to index).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
import typer.core
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from .index import SearcherIndexError
from .library import Index, default_index_path
from .query import QuerySyntaxError
from .search import Hit, SearchResults
from .sync import BATCH_SIZE, MAX_BATCHES

try:  # (typer vendors click since 0.22, and has no name of its own for click's usage error)
    from typer._click.exceptions import UsageError
except ImportError:
    from click.exceptions import UsageError

HIGHLIGHT = "bold red"
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


class _OneLineUsageErrors(typer.core.TyperGroup):
    """Typer's commands, with a usage error (a missing argument, an unknown option: ``searcher query --``)
    told in one line like every other error, instead of typer's usage line, hint and boxed message."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except UsageError as error:
            command = error.ctx.command_path if error.ctx is not None else ctx.command_path
            err.print(Text(f"searcher: {error.format_message().rstrip('.')} (see `{command} --help`)", style="red"), soft_wrap=True)
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=_OneLineUsageErrors,
    add_completion=False,
    no_args_is_help=True,
    help="Chinese full-text search over folders of articles (Markdown/HTML with YAML front matter).",
)

IndexOption = Annotated[
    Path | None,
    typer.Option("--index", "-i", help="Index folder (default: $SEARCHER_INDEX, else indexes/default)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(Text(f"searcher: {message}", style="red"), soft_wrap=True)
    return typer.Exit(code)


def _display_path(path: str) -> str:
    """A path relative to the current directory when that is shorter (``../shared/news/01.md``), with
    control characters (a newline in a file name) escaped so that it stays on one line."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # on another drive (Windows)
        relative = path
    if len(relative) < len(path):
        path = relative
    return "".join(char if char.isprintable() or char == " " else ascii(char)[1:-1] for char in path)


@app.command("index")
def index_command(
    folders: Annotated[list[Path], typer.Argument(help="Folders (or files) of articles to index.")],
    index: IndexOption = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for another run updating the same index.")] = 0,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Build a new index from scratch and swap it in when done.")
    ] = False,
    batch_size: Annotated[
        int | None,
        typer.Option(min=1, help=f"Files per atomic commit (default: {BATCH_SIZE:,}, or a {MAX_BATCHES}th of the files if more)."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Processes that index side by side (default: one per core).")
    ] = None,
    userdict: Annotated[
        Path | None, typer.Option(help="Extra words for jieba (its format: word [freq] [tag] per line), kept with the index.")
    ] = None,
    synonyms: Annotated[
        Path | None, typer.Option(help="Synonym groups, one per line (浙大 浙江大学), kept with the index.")
    ] = None,
) -> None:
    """Build or update an index: add new articles, re-index changed ones, drop vanished ones.

    Example: searcher index seeds/ --index indexes/default --userdict words.txt --synonyms synonyms.txt
    """
    target_path = index or default_index_path()
    progress = Progress(
        TextColumn("indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    task = progress.add_task("indexing", total=None)

    def show_progress(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    def show_waiting() -> None:
        err.print(Text(f"waiting up to {wait:g} s for another searcher index on {target_path}…", style="yellow"))

    try:
        with progress:
            if rebuild:
                target, report = Index.rebuild(target_path, folders, progress=show_progress, batch_size=batch_size,
                                               user_dictionary=userdict, workers=workers)
            else:
                target = Index.open_or_create(target_path, user_dictionary=userdict)
            with target:
                if not rebuild:
                    report = target.update(folders, progress=show_progress, wait_seconds=wait, on_wait=show_waiting,
                                           batch_size=batch_size, workers=workers)
                if synonyms:
                    target.set_synonyms(synonyms)
    except FileNotFoundError as error:
        raise _fail(str(error), code=2) from None
    except SearcherIndexError as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"cannot write the index at {target_path}: {error.strerror or error}; it keeps its last commit") from None
    except KeyboardInterrupt:
        raise _fail("interrupted: the index keeps what was committed; run the same command to finish", 130) from None
    for failure in report.failures:
        err.print(Text(f"{_display_path(failure.path)}: {failure.reason}", style="yellow"), soft_wrap=True)
    out.print(f"{_display_path(str(target.path))}: {report.summary()}", soft_wrap=True)
    if report.failures:
        raise typer.Exit(1)


@app.command("query", context_settings={"ignore_unknown_options": True})
def query_command(
    text: Annotated[str, typer.Argument(help="The query, or - to read one query per line from stdin.")],
    index: IndexOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, max=1000, help="Hits to show.")] = 10,
    page: Annotated[int | None, typer.Option(min=1, help="Page of --limit hits to show (1 is the first).")] = None,
    offset: Annotated[int, typer.Option(min=0, help="Hits to skip (instead of --page).")] = 0,
    sort: Annotated[str, typer.Option(help="relevance, date (oldest first) or -date (newest first).")] = "relevance",
    author: Annotated[str | None, typer.Option(help="Only articles by this author (as author:).")] = None,
    category: Annotated[str | None, typer.Option(help="Only articles in this category (as category:).")] = None,
    since: Annotated[str | None, typer.Option(help="Only articles dated on or after: 2022, 2022-07, 2022-07-12.")] = None,
    until: Annotated[str | None, typer.Option(help="Only articles dated on or before: 2022, 2022-07, 2022-07-12.")] = None,
    facets: Annotated[
        str | None, typer.Option(help="Count the values of these fields over all matches: author,category.")
    ] = None,
    collapse: Annotated[
        bool, typer.Option("--collapse/--no-collapse", help="Fold near-duplicates into the best-ranked copy (+N similar).")
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Search the index: ranked hits with highlighted snippets.

    Words are all required (documents with only some of them follow); "quoted words" are a phrase;
    OR means either; -word or NOT word excludes; parentheses group; title:, body: restrict a part;
    author:, category: and date:2022-07 (or date:2022-07-01..2022-07-31, date:>2022-01-01) filter.

    Example: searcher query '"城市更新" -住房 author:证券时报网' --sort -date --facets author,category --json
    """
    if page is not None and offset:
        raise _fail("give --page or --offset, not both", code=2)
    skip = (page - 1) * limit if page is not None else offset
    options = {"sort": sort, "author": author, "category": category, "since": since, "until": until,
               "collapse": collapse, "facets": [name.strip() for name in facets.split(",") if name.strip()] if facets else []}
    with _open_index(index) as target:
        if text != "-":
            try:
                results = target.search(text, limit=limit, offset=skip, **options)
            except (QuerySyntaxError, ValueError) as error:
                raise _fail(f"bad query: {error}", code=2) from None
            if as_json:
                out.print_json(data=results.to_json(), ensure_ascii=False)
            else:
                _print_results(results)
            return
        bad_queries = 0
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            try:
                results = target.search(line, limit=limit, offset=skip, **options)
            except (QuerySyntaxError, ValueError) as error:
                bad_queries += 1
                if as_json:
                    print(json.dumps({"query": line, "error": str(error)}, ensure_ascii=False), flush=True)
                else:
                    err.print(Text(f"searcher: bad query {line!r}: {error}", style="red"), soft_wrap=True)
                continue
            if as_json:
                print(json.dumps(results.to_json(), ensure_ascii=False), flush=True)
            else:
                out.rule(Text(line), style="dim")
                _print_results(results)
        if bad_queries:
            raise typer.Exit(2)


@app.command("show")
def show_command(
    path: Annotated[Path, typer.Argument(help="An indexed article file.")],
    index: IndexOption = None,
    highlight: Annotated[str | None, typer.Option(help="Mark the words of this query in the text.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show one indexed article: its metadata and its cleaned text, as stored.

    Example: searcher show seeds/000_d232eb3cb27245ac.txt --highlight 城市更新
    """
    with _open_index(index) as target:
        try:
            article = target.show(path, highlight)
        except QuerySyntaxError as error:
            raise _fail(f"bad query: {error}", code=2) from None
    if article is None:
        raise _fail(f"{_display_path(str(path))} is not in the index at {target.path}: index it first")
    if as_json:
        out.print_json(data=article.to_json(), ensure_ascii=False)
        return
    out.print(_marked(article.title, article.title_highlights, base="bold"))
    meta = [part for part in (article.author, article.date.isoformat() if article.date else "",
                              ", ".join(article.categories)) if part]
    out.print(Text(" · ".join([*meta, _display_path(article.path)]), style="dim"))
    out.print()
    out.print(_marked(article.body.text, article.body.highlights))


@app.command("similar")
def similar_command(
    path: Annotated[Path, typer.Argument(help="An indexed article file.")],
    index: IndexOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=100, help="Articles to show.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Articles like an indexed one, by its most characteristic words (itself and copies left out).

    Example: searcher similar seeds/000_d232eb3cb27245ac.txt --limit 5
    """
    with _open_index(index) as target:
        results = target.similar(path, limit)
    if results is None:
        raise _fail(f"{_display_path(str(path))} is not in the index at {target.path}: index it first")
    if as_json:
        out.print_json(data=results.to_json(), ensure_ascii=False)
    else:
        _print_results(results)


@app.command("suggest")
def suggest_command(
    prefix: Annotated[str, typer.Argument(help="The start of a word, in characters or pinyin.")],
    index: IndexOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=100, help="Words to show.")] = 10,
    titles: Annotated[int, typer.Option(min=0, max=100, help="Titles to show.")] = 5,
    as_json: JsonOption = False,
) -> None:
    """Complete a prefix: the index's words that start with it (or whose pinyin does), most frequent first,
    and titles that contain it.

    Example: searcher suggest chengs --limit 5
    """
    with _open_index(index) as target:
        try:
            found = target.suggest(prefix, limit, titles)
        except ValueError as error:
            raise _fail(str(error), code=2) from None
    if as_json:
        out.print_json(data=found.to_json(), ensure_ascii=False)
        return
    for completion in found.words:
        line = Text(completion.word, style="bold")
        line.append(f"  {completion.documents:,} document{'' if completion.documents == 1 else 's'}", style="dim")
        if completion.spelled:
            line.append(f"  ({completion.spelled})", style="dim")
        out.print(line)
    for title in found.titles:
        line = Text("title: ", style="dim")
        line.append(title.title)
        line.append(f"  {_display_path(title.path)}", style="dim")
        out.print(line, soft_wrap=True)
    if not found.words and not found.titles:
        out.print(Text(f"no completions for {prefix!r}", style="dim"))
    out.print(Text(f"{found.took_ms:.1f} ms", style="dim"))


def _open_index(path: Path | None) -> Index:
    try:
        target = Index.open(path)
    except SearcherIndexError as error:
        raise _fail(str(error)) from None
    for warning in target.warnings:
        err.print(Text(f"searcher: warning: {warning}", style="yellow"), soft_wrap=True)
    return target


def _print_results(results: SearchResults) -> None:
    if results.corrected:
        out.print(Text(f"nothing has {results.query!r} as typed; showing results for {results.did_you_mean!r}:",
                       style="yellow"))
    elif results.did_you_mean:
        out.print(Text(f"did you mean: {results.did_you_mean}?", style="yellow"))
    if not results.hits:
        message = "no matches" if results.total == 0 else f"no hits on this page ({results.total} in all)"
        out.print(Text(f"{message} · {results.took_ms:.1f} ms", style="dim"))
        _print_facets(results)
        return
    if results.as_pinyin:
        out.print(Text(f"nothing matches {results.query!r} as typed; read as pinyin:", style="dim italic"))
    for rank, hit in enumerate(results.hits, start=results.offset + 1):
        _print_hit(rank, hit, with_score=results.sort == "relevance")
    first, last = results.offset + 1, results.offset + len(results.hits)
    order = "" if results.sort == "relevance" else f" · {'newest' if results.sort == '-date' else 'oldest'} first"
    out.print(Text(f"{first}–{last} of {results.total}{order} · {results.took_ms:.1f} ms", style="dim"))
    _print_facets(results)


def _print_facets(results: SearchResults) -> None:
    for name, counts in results.facets.items():
        line = Text(f"{name}: ", style="bold")
        line.append(" · ".join(f"{value} {count}" for value, count in counts) or "none")
        out.print(line)


def _print_hit(rank: int, hit: Hit, with_score: bool = True) -> None:
    title = _marked(hit.title, hit.title_highlights, base="bold")
    line = Text(f"{rank:>2}. ")
    line.append_text(title)
    if with_score:
        line.append(f"  {hit.score:.2f}", style="dim")
    out.print(line)
    meta = [part for part in (hit.author, hit.date.strftime("%Y-%m-%d") if hit.date else "") if part]
    meta.append(_display_path(hit.path))
    if not hit.matched_all:
        meta.append("only some of the words")
    if hit.near_duplicates:
        meta.append(f"+{len(hit.near_duplicates)} similar")
    out.print(Padding(Text(" · ".join(meta), style="dim"), (0, 0, 0, 4), expand=False))
    out.print(Padding(_marked(hit.snippet.text, hit.snippet.highlights), (0, 0, 0, 4), expand=False))
    out.print()


def _marked(text: str, spans: list[tuple[int, int]], base: str = "") -> Text:
    marked = Text(text, style=base)
    for start, end in spans:
        marked.stylize(HIGHLIGHT, start, end)
    return marked


@app.command("stats")
def stats_command(index: IndexOption = None, as_json: JsonOption = False) -> None:
    """Show what an index holds: documents, distinct terms, size on disk, last update.

    Example: searcher stats --json
    """
    try:
        with Index.open(index) as target:
            stats = target.stats()
    except SearcherIndexError as error:
        raise _fail(str(error)) from None
    last_update = stats.last_update.isoformat(timespec="seconds") if stats.last_update else None
    if as_json:
        data = {
            "path": stats.path,
            "documents": stats.documents,
            "terms": stats.terms,
            "size_bytes": stats.size_bytes,
            "last_update": last_update,
        }
        out.print_json(data=data, ensure_ascii=False)
        return
    out.print(f"index        {escape(_display_path(stats.path))}")
    out.print(f"documents    {stats.documents:,}")
    out.print(f"terms        {stats.terms:,}")
    out.print(f"size         {stats.size_bytes / 1e6:.1f} MB")
    out.print(f"last update  {last_update or 'never'}")


def main() -> None:
    app()
