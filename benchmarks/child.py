"""Run a command in a fresh process and measure its wall time and peak memory (RSS).

The peak comes from ``wait4``'s resource usage of that process, which the kernel keeps to its exit, so the
last moments (a final commit or merge) count too, which polling ``/proc/<pid>/status`` could miss. But
Linux carries the high-water mark across ``fork``/``exec``: a child started straight from the benchmark,
which holds indexes and query sets by then, would report at least the benchmark's own size. So the command
is started by a small wrapper process (this module run as a script, ``python -m benchmarks.child RESULT
COMMAND…``), and what it inherits is the wrapper's own few megabytes (its ``VmHWM``: its ``getrusage`` in
turn reports the benchmark's size), which the result records as ``floor_bytes``. The peak is that of the largest single process: worker processes (searcher has none
today) would not be added up. This module imports nothing but the standard library, so that the floor
stays small.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


class ChildError(Exception):
    """The command failed; ``str(error)`` is the one-line reason."""


@dataclass(frozen=True)
class ChildRun:
    """What one measured command did."""

    seconds: float  # wall time from start to exit, interpreter start-up included
    peak_rss_bytes: int
    floor_bytes: int  # the wrapper's own peak, which the command's peak cannot be below


def run_measured(command: list[str], *, cwd: Path, log: Path, what: str) -> ChildRun:
    """Run ``command`` under the wrapper with its output in ``log``; raise :class:`ChildError` (with the log's
    last line) if it fails. ``what`` names the command in that error."""
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
    if finished.returncode != 0 or not result.is_file():
        lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        reason = lines[-1] if lines else f"exit status {finished.returncode}"
        raise ChildError(f"{what} failed: {reason} (whole output in {log})")
    return ChildRun(**json.loads(result.read_text(encoding="utf-8")))


def main(argv: list[str]) -> int:
    """The wrapper: spawn ``argv[1:]``, wait for it, write its measurements to ``argv[0]`` as JSON, and exit
    with its status."""
    result, command = Path(argv[0]), argv[1:]
    floor = _own_high_water_bytes()
    started = time.perf_counter()
    pid = os.posix_spawnp(command[0], command, os.environ)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        measured = {"seconds": seconds, "peak_rss_bytes": usage.ru_maxrss * 1024, "floor_bytes": floor}
        result.write_text(json.dumps(measured), encoding="utf-8")
    return code if code >= 0 else 128 - code


def _own_high_water_bytes() -> int:
    """This process's peak RSS so far, what a command it starts inherits. From ``/proc/self/status``
    (``VmHWM``): ``getrusage`` would report the benchmark's size, which this process inherited in turn."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KB


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
