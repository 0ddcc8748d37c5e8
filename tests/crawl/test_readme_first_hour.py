"""The README's first hour: what a new user reads before the two commands is what works."""
import re

from pn_testing import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
SETUP = "pip install -e . && parknews demo"


def _blocks():
    return re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def test_a_virtual_environment_comes_first():
    blocks = _blocks()
    setup = next(k for k, b in enumerate(blocks) if SETUP in b)
    before = "".join(blocks[:setup + 1]).split(SETUP)[0]
    assert re.search(r"python3? -m venv (\S+) && \. \1/bin/activate", before), before


def test_debian_packages_are_named_where_they_are_needed():
    # the browser test's and the chart font's packages, in the setup and in .ci/run
    for package in ("chromium", "fonts-noto-cjk"):
        assert re.search(rf"apt-get install [^\n`]*\b{package}\b", README), package
        assert package in CI, package
    assert re.search(r"browser test[^.]*skips unless Chromium is installed \(`sudo apt-get install chromium`\)",
                     README.replace("\n", " ")), "the README must say how to get the skipped browser test"


def test_the_warc_folder_is_said_to_be_beside_the_database():
    flat = README.replace("\n", " ")
    assert "`./parknews.warc/`, beside the database" in flat
    assert "/archive-warc/" not in (ROOT / ".gitignore").read_text()


def test_the_readme_test_command_is_what_ci_runs_and_prepares_pywb():
    command = "pip install -e '.[test]' && parknews replay --setup && python -m pytest"
    assert command in README and command in CI
