"""Run a command in a fresh process and measure its wall time and peak memory (RSS), worker processes included.

Two measures of the peak, because a build may fork workers (searcher's indexing forks one per core, each
writing its own segment):

* ``peak_rss_bytes``: ``wait4``'s resource usage of the command's process, which the kernel keeps to its exit,
  so the last moments (a final commit or merge) count too, which polling could miss. It is the largest of that
  process and the children it waited for, never their sum. Linux carries this high-water mark across
  ``fork``/``exec``: a child started straight from the benchmark, which holds indexes and query sets by then,
  would report at least the benchmark's own size. So the command is started by a small wrapper process (this
  module run as a script, ``python -m benchmarks.child RESULT COMMAND…``), and what it inherits is the
  wrapper's own few megabytes (its ``VmHWM``: its ``getrusage`` in turn reports the benchmark's size), which
  the result records as ``floor_bytes``.
* ``tree_peak_bytes``: every ~50 ms a thread of the wrapper finds the command's descendants (by their parent
  ids in ``/proc/*/stat``: ``/proc/<pid>/task/*/children`` is not in every kernel) and adds up their resident
  memory at that moment (``VmRSS`` in ``/proc/<pid>/status``); the result is the largest such total, or
  ``peak_rss_bytes`` if that is larger (the command alone at its peak). Forked workers count the pages
  they share copy-on-write with their parent (jieba's dictionary) in each, so the total leans high; a peak
  shorter than 50 ms can be missed. Adding up each process's own peak instead would count workers that
  never ran at the same time (a build forks new ones for every batch). ``largest_peak_bytes`` is the largest
  single process's peak (``VmHWM``) and ``processes`` how many processes were seen.

This module imports nothing but the standard library, so that the floor stays small.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.05
PROC = Path("/proc")


class ChildError(Exception):
    """The command failed; ``str(error)`` is the one-line reason."""


@dataclass(frozen=True)
class ChildRun:
    """What one measured command did."""

    seconds: float  # wall time from start to exit, interpreter start-up included
    peak_rss_bytes: int  # the command's own process (wait4), its reaped children's included as a maximum
    floor_bytes: int  # the wrapper's own peak, which peak_rss_bytes cannot be below
    tree_peak_bytes: int  # the sum of every process's own peak, the command's and all its descendants'
    largest_peak_bytes: int  # the largest of those per-process peaks
    processes: int  # processes of the tree seen (the command's own included)
    exit_code: int = 0


def run_measured(
    command: list[str], *, cwd: Path, log: Path, what: str, accept: Collection[int] = (0,)
) -> ChildRun:
    """Run ``command`` under the wrapper with its output in ``log``; raise :class:`ChildError` (with the log's
    last line) if it exits with a status not in ``accept``. ``what`` names the command in that error."""
    result = log.with_suffix(".result.json")
    result.unlink(missing_ok=True)
    with log.open("w", encoding="utf-8") as output:
        finished = subprocess.run(
            [sys.executable, "-m", "benchmarks.child", str(result), *command],
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    if finished.returncode not in accept or not result.is_file():
        lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        reason = lines[-1] if lines else f"exit status {finished.returncode}"
        raise ChildError(f"{what} failed: {reason} (whole output in {log})")
    return ChildRun(**json.loads(result.read_text(encoding="utf-8")))


def main(argv: list[str]) -> int:
    """The wrapper: spawn ``argv[1:]``, sample its process tree while waiting for it, write its measurements
    to ``argv[0]`` as JSON, and exit with its status."""
    result, command = Path(argv[0]), argv[1:]
    floor = _own_high_water_bytes()
    started = time.perf_counter()
    pid = os.posix_spawnp(command[0], command, os.environ)
    tree = _TreeSampler(pid)
    tree.start()
    _, status, usage = os.wait4(pid, 0)  # blocking, so that the wall time ends at the exit, not at a sample
    seconds = time.perf_counter() - started
    peaks = tree.stop()
    code = os.waitstatus_to_exitcode(status)
    code = code if code >= 0 else 128 - code
    own = usage.ru_maxrss * 1024  # Linux reports KB
    measured = {
        "seconds": seconds,
        "peak_rss_bytes": own,
        "floor_bytes": floor,
        "tree_peak_bytes": max(tree.total_peak, own),
        "largest_peak_bytes": max([own, *peaks.values()]),
        "processes": len(peaks) or 1,
        "exit_code": code,
    }
    result.write_text(json.dumps(measured), encoding="utf-8")
    return code


class _TreeSampler:
    """A thread that records, every :data:`SAMPLE_SECONDS`, the resident memory of the whole tree under
    ``root`` (its largest total so far: ``total_peak``) and the peak of each of its processes, keyed by (pid,
    start time) so that a reused pid is a new process.

    A process outside the tree never joins it (a parent changes only when a process is orphaned, and then not
    to one of the tree's), so its ``stat`` is read once, not at every sample: the sampler shares the cores with
    the build it measures, and reading every process's ``stat`` each time costs a few ms of CPU.
    """

    def __init__(self, root: int):
        self._root = root
        self._peaks: dict[tuple[int, int], int] = {}
        self.total_peak = 0
        self._outside: set[int] = set()  # pids known not to be in the tree, while they are listed
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> dict[tuple[int, int], int]:
        """Stop sampling; each process's peak, in bytes."""
        self._done.set()
        self._thread.join()
        return self._peaks

    def _run(self) -> None:
        while True:
            total = 0
            for key in self._descendants():
                memory = _memory_bytes(key[0])
                if memory is not None:
                    resident, peak = memory
                    total += resident
                    self._peaks[key] = max(peak, self._peaks.get(key, 0))
            self.total_peak = max(self.total_peak, total)
            if self._done.wait(SAMPLE_SECONDS):
                return

    def _descendants(self) -> list[tuple[int, int]]:
        """The root and every process below it now, as (pid, start time)."""
        listed = {int(name) for name in os.listdir(PROC) if name.isdigit()}
        self._outside &= listed  # a pid that vanished may come back as a new process, of the tree or not
        parents: dict[int, int] = {}
        started: dict[int, int] = {}
        for pid in listed - self._outside:
            stat = _parent_and_start(pid)
            if stat is not None:
                parents[pid], started[pid] = stat
        if self._root not in started:
            return []
        children: dict[int, list[int]] = {}
        for pid, parent in parents.items():
            children.setdefault(parent, []).append(pid)
        found = [self._root]
        for pid in found:  # grows while it is walked: breadth first
            found += children.get(pid, [])
        self._outside |= parents.keys() - set(found)
        return [(pid, started[pid]) for pid in found]


def _parent_and_start(pid: int) -> tuple[int, int] | None:
    """A process's parent pid and start time (in clock ticks since boot), from ``/proc/<pid>/stat``; None
    once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
    fields = text[text.rindex(b")") + 2 :].split()
    return int(fields[1]), int(fields[19])


def _memory_bytes(pid: int) -> tuple[int, int] | None:
    """A process's resident memory now and its peak so far (``VmRSS``, ``VmHWM``); None once it has exited
    (a zombie has no memory left)."""
    found: dict[bytes, int] = {}
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith((b"VmRSS:", b"VmHWM:")):
                    found[line[:6]] = int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return (found[b"VmRSS:"], found[b"VmHWM:"]) if len(found) == 2 else None


def _own_high_water_bytes() -> int:
    """This process's peak RSS so far, what a command it starts inherits. From ``/proc/self/status``
    (``VmHWM``): ``getrusage`` would report the benchmark's size, which this process inherited in turn."""
    own = _memory_bytes(os.getpid())
    if own is not None:
        return own[1]
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KB


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
