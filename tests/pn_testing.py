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
        self.code = self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def __repr__(self):
        return f"<exit {self.code}\nstdout: {self.stdout[-2000:]}\nstderr: {self.stderr[-3000:]}>"


def assert_one_line_error(result, *needles, code=2):
    """The CLI failed with exit `code` and exactly one stderr line `parknews: error: ...`
    holding every needle, and no traceback."""
    assert result.code == code, result
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, result
    assert lines[0].startswith("parknews: error: "), result
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], result


def cli_env(extra=None) -> dict:
    """The environment of a CLI subprocess: this checkout first on the path, no proxies."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    for key in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"):
        env.pop(key, None)
    env.update(extra or {})
    return env


def run_cli(*args, cwd=None, timeout=300, env=None) -> CliResult:
    """Run `parknews ARGS` in a real subprocess (one Twisted reactor per crawl)."""
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *map(str, args)],
        cwd=cwd or ROOT, capture_output=True, text=True, timeout=timeout, env=cli_env(env),
    )
    return CliResult(proc)


def start_cli(*args, env=None) -> subprocess.Popen:
    """Start `parknews ARGS` in the background (for kill and lock tests)."""
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env(env))


def write_site(tmp_path, name, base_url, *, start="/news/index.html", allow_private=True, concurrency=4,
               extra_domains=(), follow=(r"/news/index(_\d+)?\.html$",),
               article=(r"/\d{4}-\d{2}/\d{2}/content_\d+\.html",)):
    """A site file for a local test site at `base_url`; returns its path."""
    host = base_url.split("://", 1)[1].split("/")[0].split(":")[0]
    domains = [host, *extra_domains]
    quoted = lambda patterns: "[" + ", ".join(f"'{p}'" for p in patterns) + "]"  # noqa: E731
    path = Path(tmp_path) / f"{name}.toml"
    path.write_text(
        f'name = "{name}"\n'
        f'start_urls = ["{base_url}{start}"]\n'
        f'allowed_domains = {domains!r}\n'.replace("'", '"')
        + "[links]\n"
        + f"article = {quoted(article)}\n"
        + f"follow = {quoted(follow)}\n"
        + "[crawl]\n"
        + f"download_delay = 0\nconcurrency = {concurrency}\nautothrottle = false\n"
        + f"allow_private = {'true' if allow_private else 'false'}\n",
        encoding="utf-8",
    )
    return path


def db_rows(db, sql, args=()):
    d = sqlite_utils.Database(str(db))
    try:
        return list(d.execute_returning_dicts(sql, list(args)))
    finally:
        d.close()


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
