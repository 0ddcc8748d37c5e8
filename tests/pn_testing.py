"""Helpers shared by the crawl and CLI tests (importable as `pn_testing`)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

ROOT = Path(__file__).resolve().parents[1]


class CliResult:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.code = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def __repr__(self):
        return f"<exit {self.code}\nstdout: {self.stdout[-2000:]}\nstderr: {self.stderr[-3000:]}>"


def run_cli(*args, cwd=None, timeout=300, env=None) -> CliResult:
    """Run `parknews ARGS` in a real subprocess (one Twisted reactor per crawl)."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *map(str, args)],
        cwd=cwd or ROOT, capture_output=True, text=True, timeout=timeout, env=full_env,
    )
    return CliResult(proc)


def table_dump(db_path, table, exclude=()):
    db = sqlite_utils.Database(str(db_path))
    rows = [
        {k: v for k, v in row.items() if k not in exclude}
        for row in db.execute_returning_dicts(f"SELECT * FROM {table} ORDER BY 1")
    ]
    db.close()
    return rows


def jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def cli():
    return run_cli
