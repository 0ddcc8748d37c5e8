"""Layers point one way: parsing <- archive <- crawler (Scrapy) <- CLI, with no import cycles.

The layers are the table in the README's "How it fits together" section (the one place they
are written down); these tests read it, read every module's imports (those inside functions
too), and check that no module imports a layer below it in the table, that no modules import
each other in a cycle, that the parser and the archive load without Scrapy, and that the
section's list of owners names every module and only files that exist."""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("crawler", "spiders", "archive")
# third-party modules a layer must not import: the parser is pure, the archive is Scrapy-free
FORBIDDEN = {
    "parsing": ("scrapy", "twisted", "sqlite3", "sqlite_utils", "warcio"),
    "archive": ("scrapy", "twisted"),
}


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## How it fits together\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def _table(header: str) -> list[list[str]]:
    """The rows of the section's table whose header row starts with `header`, as cells."""
    lines = _section().splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[first + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def _paths(cell: str) -> list[str]:
    return re.findall(r"`([\w./-]+(?:/|\.py|\.json))`", cell)


@lru_cache(maxsize=1)
def layers() -> tuple[tuple[str, list[str]], ...]:
    """[(layer, [path prefixes])], lowest first, as the README's layer table lists them."""
    return tuple((row[0], _paths(row[1])) for row in _table("| layer |"))


@lru_cache(maxsize=1)
def modules() -> dict[str, Path]:
    """Every module of the project: dotted name -> file."""
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def layer_of(path: Path, table=None) -> tuple[int, str] | None:
    """(rank, layer) of a file: the layer of the longest path prefix naming it."""
    rel = path.relative_to(ROOT).as_posix()
    best = None
    for rank, (name, prefixes) in enumerate(table or layers()):
        for prefix in prefixes:
            if (rel == prefix or rel.startswith(prefix)) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), rank, name)
    return best and best[1:]


@lru_cache(maxsize=None)
def imports(name: str, path: Path) -> frozenset[str]:
    """The names `name` imports anywhere in its file (module level or inside functions),
    relative imports resolved; `from X import Y` is X.Y when that is a module, else X."""
    mods = modules()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(parts + ([base] if base else []))
            out.update(f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names)
    return frozenset(out)


def _project_module(name: str, mods) -> str | None:
    while name and name not in mods:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    graph = {}
    for name, path in mods.items():
        targets = {_project_module(i, mods) for i in imports(name, path)}
        graph[name] = {t for t in targets if t and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def layer_violations(graph, mods, table) -> list[str]:
    out = []
    for name, targets in sorted(graph.items()):
        rank, layer = layer_of(mods[name], table)
        for target in sorted(targets):
            target_rank, target_layer = layer_of(mods[target], table)
            if target_rank > rank:
                out.append(f"{name} ({layer}) imports {target} ({target_layer})")
    return out


def test_the_readme_lists_the_four_layers_lowest_first():
    assert [name for name, _ in layers()] == ["parsing", "archive", "crawler", "cli"]
    assert all(prefixes for _, prefixes in layers())


def test_every_module_is_in_a_layer():
    assert [n for n, p in modules().items() if layer_of(p) is None] == []


def test_no_module_imports_a_layer_below_it_in_the_readme_table():
    table = layers()
    assert layer_violations(import_graph(), modules(), table) == []


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_the_checks_can_fail():
    # a made-up graph: the parser importing the archive, and two modules importing each other
    mods = {"crawler.parsing.x": ROOT / "crawler/parsing/x.py", "archive.y": ROOT / "archive/y.py"}
    graph = {"crawler.parsing.x": {"archive.y"}, "archive.y": {"crawler.parsing.x"}}
    assert layer_violations(graph, mods, layers()) == ["crawler.parsing.x (parsing) imports archive.y (archive)"]
    assert cycles(graph) == [["archive.y", "crawler.parsing.x"]]


def test_imports_inside_functions_and_relative_ones_count(tmp_path):
    module = tmp_path / "fake.py"
    module.write_text("def later():\n    from . import ops\n    from archive.store import Archive\n")
    assert {"crawler.ops", "archive.store"} <= imports("crawler.fake", module)


def test_the_parser_and_the_archive_import_no_scrapy_and_the_parser_no_database():
    table = layers()
    found = []
    for name, path in modules().items():
        layer = layer_of(path, table)[1]
        for imported in imports(name, path):
            if any(imported == f or imported.startswith(f + ".") for f in FORBIDDEN.get(layer, ())):
                found.append(f"{name} ({layer}): {imported}")
    assert found == []


def test_loading_each_layer_loads_nothing_of_the_layers_below_it():
    """In one fresh interpreter, import every module layer by layer, lowest first: each
    imports, and after a layer nothing of a later layer (nor Scrapy, after the parser and the
    archive) is loaded."""
    table = layers()
    mods = modules()
    steps = [sorted(n for n, p in mods.items()  # a __main__ module runs when imported
                    if layer_of(p, table)[0] == rank and not n.endswith(".__main__"))
             for rank in range(len(table))]
    code = ("import importlib, json, sys\n"
            f"for names in {steps!r}:\n"
            "    for name in names:\n        importlib.import_module(name)\n"
            "    print(json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    snapshots = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("[")]
    assert len(snapshots) == len(table)
    for rank, ((layer, _), loaded) in enumerate(zip(table, snapshots)):
        # the packages holding a wanted module (crawler/__init__.py for crawler.parsing) load too
        wanted = [n for step in steps[:rank + 1] for n in step]
        holders = {w.rsplit(".", k)[0] for w in wanted for k in range(1, w.count(".") + 1)}
        later = [m for m in loaded if m in mods and m not in holders and layer_of(mods[m], table)[0] > rank]
        assert later == [], (layer, later)
        if layer in FORBIDDEN:
            assert [m for m in loaded if m.split(".")[0] in ("scrapy", "twisted")] == [], layer


def test_the_owners_list_names_every_module_and_only_files_that_exist():
    named = [p for row in _table("| where |") for p in _paths(row[0])]
    assert [p for p in named if not (ROOT / p).exists()] == []
    folders = [p for p in named if p.endswith("/")]
    unnamed = [p.relative_to(ROOT).as_posix() for p in modules().values()
               if p.name != "__init__.py" and p.relative_to(ROOT).as_posix() not in named
               and not any(p.relative_to(ROOT).as_posix().startswith(f) for f in folders)]
    assert unnamed == []
