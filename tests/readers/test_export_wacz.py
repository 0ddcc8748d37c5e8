"""export --format wacz against a real crawl of the sample site, checked by py-wacz's own
validator (a subprocess) and by reading the package's CDXJ index and page list."""
import json
import subprocess
import sys
import zipfile

import sqlite_utils

from pn_testing import run_cli


def _wacz_validate(path):
    code = "import sys; from wacz.main import main; sys.exit(main(['validate', '-f', sys.argv[1]]))"
    return subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120)


def test_wacz_export_passes_wacz_validate_and_lists_every_capture(archive, tmp_path):
    db = sqlite_utils.Database(str(archive["db"]))
    caps = db.execute(
        "SELECT c.url FROM captures c JOIN articles a ON a.id = c.article_id "
        "WHERE a.site = 'demo' AND c.record_type IN ('response', 'revisit')").fetchall()
    articles = db.execute(
        "SELECT DISTINCT a.id, a.title FROM articles a JOIN captures c ON c.article_id = a.id "
        "WHERE a.site = 'demo'").fetchall()
    db.close()
    assert caps and articles
    out = tmp_path / "demo.wacz"
    result = run_cli("export", "--format", "wacz", "--site", "demo", "--db", archive["db"], "-o", out)
    assert result.code == 0, result
    assert not list(tmp_path.glob(".*.part"))
    check = _wacz_validate(out)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Validation succeeded" in check.stdout
    with zipfile.ZipFile(out) as zf:
        assert zf.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED
        assert zf.getinfo("indexes/index.cdxj").compress_type == zipfile.ZIP_STORED
        index = zf.read("indexes/index.cdxj").decode()
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()]
        package = json.loads(zf.read("datapackage.json"))
        digest = json.loads(zf.read("datapackage-digest.json"))
    indexed = {json.loads(line.split(" ", 2)[2])["url"] for line in index.splitlines() if line.strip()}
    assert {u for (u,) in caps} <= indexed
    assert pages[0]["format"] == "json-pages-1.0" and pages[0]["id"] == "pages"
    assert len(pages) - 1 == len(articles)
    assert {p["title"] for p in pages[1:]} == {t or "" for _, t in articles}
    assert {p["url"] for p in pages[1:]} <= indexed and all(p["ts"] for p in pages[1:])
    assert package["wacz_version"] == "1.1.1"
    assert {r["path"] for r in package["resources"]} == {"archive/data.warc.gz", "indexes/index.cdxj",
                                                         "pages/pages.jsonl"}
    assert digest["path"] == "datapackage.json"
    bad = tmp_path / "altered.wacz"  # one byte more in pages.jsonl: the validator must refuse it
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data.replace(b'"ts"', b'"ts" ', 1) if info.filename == "pages/pages.jsonl" else data)
    assert _wacz_validate(bad).returncode != 0


def test_wacz_export_bad_output_is_one_line(archive, tmp_path):
    result = run_cli("export", "--format", "wacz", "--db", archive["db"], "-o", "-")
    assert result.code == 2 and "stdout" in result.stderr and "Traceback" not in result.stderr
    missing = run_cli("export", "--format", "wacz", "--db", archive["db"], "-o", tmp_path / "x.wacz",
                      "--warc-dir", tmp_path / "nowhere")
    assert missing.code == 2 and "cannot read a WARC file" in missing.stderr
    assert not (tmp_path / "x.wacz").exists()
