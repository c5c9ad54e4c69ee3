"""Helpers shared by the tests: where the seed and the shared corpus are, how to write an article, and how
to run the command line as a user does (a real process, no colour), and the Chinese runs of articles."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from searcher.analysis import HAN_RUN
from searcher.documents import read_document
from searcher.folding import fold

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SEED_ARTICLE = SEEDS / "000_d232eb3cb27245ac.txt"
CORPUS = REPO.parent / "shared" / "corpus" / "news"


def searcher(*args: str, cwd: Path, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "searcher", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100", **(env or {})},
    )

def write_article(folder: Path, name: str, title: str, body: str, **front_matter: str) -> Path:
    """Write an article in the seed format (YAML front matter + HTML body)."""
    lines = ["", "---", f"title: '{title}'"]
    lines += [f"{key}: {value}" for key, value in front_matter.items()]
    lines += ["---", "", "<div>", body, "</div>", ""]
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# Runs that are no corpus text: characters outside jieba's own Han range (CJK extension A, U+9FD6–U+9FFF),
# which it leaves as single characters, and a run long enough for several routes.
ODD_RUNS = ["㐀㐁城市", "城市更新鿖鿗发展", "中华人民共和国国务院总理李强主持召开国务院常务会议研究部署推进城市更新"]


def han_runs(folder: Path) -> list[str]:
    """Every run of Han characters (of up to 200) in the articles of a folder, folded, and :data:`ODD_RUNS`."""
    runs = set(ODD_RUNS)
    for path in sorted(folder.iterdir()):
        article = read_document(path)
        runs.update(run for run in HAN_RUN.findall(fold(f"{article.title}\n{article.body}")) if len(run) <= 200)
    return sorted(runs)
