"""InsuranceQA-zh as a retrieval test: questions whose relevant documents are known answers.

The data (GPL-3, research use) comes from ``pip install --no-deps insuranceqa-data==1.2`` and is never
copied into the repository: the answers are written to the work folder, one small UTF-8 file per answer
(``<work>/insuranceqa/answers/<id>.txt``, the file name's stem being the answer id), because searcher indexes
folders of files. The baseline indexes the same texts directly (title empty, body the answer). Every
answer of the pool is indexed, so a question competes against all 27,413 answers, not against its
200 listed negatives.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from . import naive
from .cache import files_fingerprint
from .measure import progress

PIP_COMMAND = "pip install --no-deps insuranceqa-data==1.2"
DATASET = "insuranceqa"


class InsuranceDataMissing(Exception):
    """The data package is not installed; ``str(error)`` is the one-line reason with the fix."""


@dataclass(frozen=True)
class Question:
    """One question of the valid split and the ids of its relevant answers."""

    id: str
    text: str  # Chinese, as in the data
    answers: frozenset[str]


@dataclass(frozen=True)
class Pool:
    """The answers as files for searcher, and as (id, text) for the baseline."""

    folder: Path
    answers: dict[str, str]  # id → Chinese text
    fingerprint: str  # of the data the baseline indexes (the package's answers file) and where

    def path_of(self, answer_id: str) -> str:
        return os.path.abspath(self.folder / f"{answer_id}.txt")


def load_package() -> ModuleType:
    """The ``insuranceqa_data`` module, or :class:`InsuranceDataMissing` naming the pip command."""
    try:
        import insuranceqa_data
    except ImportError as error:
        message = f"InsuranceQA data not installed: {PIP_COMMAND} (or pass --skip-insurance)"
        raise InsuranceDataMissing(message) from error
    return insuranceqa_data


def load_pool(package: ModuleType, work: Path) -> Pool:
    """All answers, with their files written under ``work`` (only files missing or different are written,
    so their modification times, and with them searcher's incremental update, stay put between runs)."""
    answers = {answer_id: entry["zh"] for answer_id, entry in package.load_answers().items()}
    folder = work / DATASET / "answers"
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for answer_id, text in answers.items():
        path = folder / f"{answer_id}.txt"
        data = text.encode("utf-8")
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
            written += 1
    if written:
        progress(f"wrote {written:,} answer files to {folder}")
    fingerprint = files_fingerprint([Path(package.ANS_DATA)]) + os.path.abspath(folder)
    return Pool(folder, answers, fingerprint)


def build_baseline(pool: Pool, path: Path) -> None:
    """The baseline's index of the answers: the schema of :mod:`benchmarks.naive`, an empty title, the answer
    as body, and the path of its file (so both engines' hits map back to ids the same way)."""
    index = naive.whoosh.index.create_in(path, naive.make_schema())
    writer = index.writer()
    for answer_id, text in pool.answers.items():
        writer.add_document(path=pool.path_of(answer_id), title="", body=text)
    writer.commit()
    index.close()


def load_questions(package: ModuleType, count: int | None, seed: int) -> tuple[list[Question], int]:
    """The valid split's questions in id order, or a seeded sample of ``count`` of them; and how many
    questions the split has."""
    valid = package.load_valid()
    questions = [
        Question(question_id, entry["zh"], frozenset(str(answer) for answer in entry["answers"]))
        for question_id, entry in sorted(valid.items(), key=lambda item: int(item[0]))
    ]
    total = len(questions)
    if count is not None and count < total:
        chosen = sorted(random.Random(seed).sample(range(total), count))
        questions = [questions[number] for number in chosen]
    return questions, total


def answer_id(path: str) -> str:
    """The answer id of a hit: its file name's stem."""
    return Path(path).stem
