"""Every PARKNEWS_* setting is declared once, with a comment, in crawler/settings.py, and the code
reads it there: no read repeats a default inline (`getint("X", 200)`), no name is read or set that
is not declared, and no declared name goes unused; the defaults the README states are the
declared ones. Environment variables (`os.environ.get("PARKNEWS_...")`) are not Scrapy settings:
each is documented in the README instead."""
import ast
import re
from pathlib import Path

from pn_testing import ROOT

SETTINGS_FILE = ROOT / "crawler" / "settings.py"
NAME = re.compile(r"PARKNEWS_[A-Z0-9_]+")
GETTERS = {"get", "getint", "getfloat", "getbool", "getlist", "getdict", "getdictorlist", "getwithbase"}


def _product_files() -> list[Path]:
    files = [p for pkg in ("crawler", "archive", "spiders") for p in sorted((ROOT / pkg).rglob("*.py"))]
    return [p for p in files if p != SETTINGS_FILE]


def _is_environ(node: ast.AST) -> bool:
    """`os.environ` or `environ`."""
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ")


def _env_reads(tree: ast.AST) -> set[int]:
    """ids of the string constants that name an environment variable, not a setting."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Attribute):
            f = node.func
            if (f.attr in ("get", "setdefault", "pop") and _is_environ(f.value)) or f.attr == "getenv":
                out.add(id(node.args[0]))
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            out.add(id(node.slice))
    return out


def scan(files, root: Path = ROOT) -> tuple[dict[str, list[str]], list[str]]:
    """(setting name -> where it is named, reads with an inline default)."""
    named: dict[str, list[str]] = {}
    inline: list[str] = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        env = _env_reads(tree)
        where = path.relative_to(root).as_posix()
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and NAME.fullmatch(node.value) and id(node) not in env):
                named.setdefault(node.value, []).append(f"{where}:{node.lineno}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in GETTERS and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                    and NAME.fullmatch(node.args[0].value) and id(node.args[0]) not in env
                    and (len(node.args) > 1 or any(k.arg == "default" for k in node.keywords))):
                inline.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
    return named, inline


def declared() -> dict[str, str]:
    """PARKNEWS_* names assigned at the top of crawler/settings.py -> the comment that goes with it
    (on its line, or the comment lines just above it)."""
    lines = SETTINGS_FILE.read_text(encoding="utf-8").splitlines()
    out: dict[str, str] = {}
    for i, line in enumerate(lines):
        m = re.match(r"(PARKNEWS_[A-Z0-9_]+)\s*=", line)
        if not m:
            continue
        assert m.group(1) not in out, f"crawler/settings.py:{i + 1}: {m.group(1)} declared twice"
        comment = line.split("#", 1)[1].strip() if "#" in line else ""
        j = i - 1
        while not comment and j >= 0 and lines[j].startswith("#"):
            comment = lines[j].lstrip("# ").strip()
            j -= 1
        out[m.group(1)] = comment
    return out


def test_no_parknews_setting_is_read_with_an_inline_default():
    _, inline = scan(_product_files())
    assert inline == [], "declare the default in crawler/settings.py instead:\n" + "\n".join(inline)


def test_every_parknews_setting_named_in_the_code_is_declared_and_every_declared_one_is_used():
    named, _ = scan(_product_files())
    decl = declared()
    undeclared = {k: v for k, v in named.items() if k not in decl}
    assert undeclared == {}
    # a name only crawler/settings.py itself uses could not be changed with -s: not a setting
    unused = [k for k in decl if k not in named]
    assert unused == []


def test_every_declared_setting_has_a_comment():
    assert [k for k, comment in declared().items() if not comment] == []


def test_the_scan_finds_what_it_looks_for(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n"
                   "def f(settings):\n"
                   "    a = settings.getint('PARKNEWS_BATCH_SIZE', 200)\n"
                   "    b = settings.getfloat('PARKNEWS_NEVER_DECLARED')\n"
                   "    c = settings.get('PARKNEWS_DB', default='x.db')\n"
                   "    return os.environ.get('PARKNEWS_SITES_DIR', ''), os.environ['PARKNEWS_CJK_FONT']\n",
                   encoding="utf-8")
    named, inline = scan([bad], root=tmp_path)
    assert sorted(named) == ["PARKNEWS_BATCH_SIZE", "PARKNEWS_DB", "PARKNEWS_NEVER_DECLARED"]
    assert [line.split(": ", 1)[1] for line in inline] == [
        "settings.getint('PARKNEWS_BATCH_SIZE', 200)", "settings.get('PARKNEWS_DB', default='x.db')"]
    assert "PARKNEWS_NEVER_DECLARED" not in declared()


# `PARKNEWS_X` (10 s), `PARKNEWS_X` (default 10), `PARKNEWS_X` (20%), `PARKNEWS_X`, 0.5 s
_README_VALUE = re.compile(r"`(PARKNEWS_[A-Z0-9_]+)`(?: \((?:default )?|, )(\d+(?:\.\d+)?)(%?)")


def test_the_defaults_the_readme_states_are_the_declared_ones():
    from crawler import settings

    stated = [(m.group(1), float(m.group(2)) / (100 if m.group(3) else 1))
              for m in _README_VALUE.finditer((ROOT / "README.md").read_text(encoding="utf-8"))]
    assert len(stated) >= 10  # the pattern still finds the README's figures
    wrong = [(name, value, getattr(settings, name, None)) for name, value in stated
             if getattr(settings, name, None) != value]
    assert wrong == []


def test_every_parknews_environment_variable_the_code_reads_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    read = set()
    for path in _product_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        env = _env_reads(tree)
        read |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and id(n) in env
                 and isinstance(n.value, str) and NAME.fullmatch(n.value)}
    assert {"PARKNEWS_SITES_DIR", "PARKNEWS_CJK_FONT"} <= read  # the scan sees them
    assert sorted(name for name in read if f"`{name}" not in readme and f"${name}" not in readme) == []
    assert not read & set(declared())  # an environment variable is not also a setting
