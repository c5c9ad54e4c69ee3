"""The README's library example runs as written, from a folder that has seeds/ in it."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil

from .helpers import REPO, SEEDS


def test_the_library_example_in_the_readme_runs(tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```python\n(.*?)```", readme, re.DOTALL).group(1)
    shutil.copytree(SEEDS, tmp_path / "seeds")
    printed = io.StringIO()
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(example, "README.md", "exec"), {})
    finally:
        os.chdir(here)
    output = printed.getvalue()
    assert "1 added, 0 updated, 0 removed, 0 unchanged, 0 failed" in output
    assert "1 documents" in output
    assert "北京城市更新联盟成立" in output and "['城市更新'" in output
