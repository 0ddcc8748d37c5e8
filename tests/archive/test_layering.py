"""Layers point one way: parsing <- archive <- crawler (Scrapy) <- CLI. The archive package
neither imports Scrapy nor the crawl's pipelines, at load time or lazily inside a function."""
import ast
import subprocess
import sys
from pathlib import Path

ARCHIVE = Path(__file__).resolve().parents[2] / "archive"
FORBIDDEN = ("scrapy", "crawler.pipelines", "crawler.runner", "crawler.cli", "spiders.spider")


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_no_archive_module_imports_scrapy_or_the_pipelines_even_lazily():
    found = [f"{p.name}: {name}" for p in sorted(ARCHIVE.glob("*.py")) for name in _imports(p)
             if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)]
    assert found == []


def test_loading_the_archive_layer_loads_no_scrapy():
    code = ("import sys, archive.reparse, archive.refused, archive.store, archive.validate\n"
            "bad = [m for m in sys.modules if m == 'scrapy' or m.startswith('scrapy.') or m == 'crawler.pipelines']\n"
            "assert not bad, bad\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ARCHIVE.parent, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
