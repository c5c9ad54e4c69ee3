"""Build the baseline's index of a folder in a process of its own: ``python -m benchmarks.naive_build FOLDER INDEX``.

Both benchmarks (``python -m benchmarks`` and the scale benchmark) measure each build's time and peak memory
as a fresh process, which searcher has in its CLI (``searcher index``) and the baseline has here: the
:class:`~benchmarks.engines.NaiveEngine` build over every article file under FOLDER. Its last line, the
counts, is what the benchmark reads back.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .corpus import CorpusError, find_corpus
from .engines import NaiveEngine


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m benchmarks.naive_build FOLDER INDEX", file=sys.stderr)
        return 2
    try:
        corpus = find_corpus(Path(argv[0]), None)
    except CorpusError as error:
        print(f"benchmarks: {error}", file=sys.stderr)
        return 1
    outcome = NaiveEngine(Path(argv[1])).build(corpus)
    print(f"baseline: indexed {outcome.indexed:,} files, {outcome.failures:,} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
