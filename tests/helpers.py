"""Helpers shared by the tests: where the seed and the shared corpus are, and how to write an article."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SEED_ARTICLE = SEEDS / "000_d232eb3cb27245ac.txt"
CORPUS = REPO.parent / "shared" / "corpus" / "news"

def write_article(folder: Path, name: str, title: str, body: str, **front_matter: str) -> Path:
    """Write an article in the seed format (YAML front matter + HTML body)."""
    lines = ["", "---", f"title: '{title}'"]
    lines += [f"{key}: {value}" for key, value in front_matter.items()]
    lines += ["---", "", "<div>", body, "</div>", ""]
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
