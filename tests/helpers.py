"""Helpers shared by the tests: where the seed and the shared corpus are, how to write an article, and how
to run the command line as a user does (a real process, no colour)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
