from __future__ import annotations

import json

from crawler.evaluate import bigram_f1, evaluate_corpus, format_misses, format_table, score_date
from crawler.items import Record


def test_bigram_f1():
    assert bigram_f1("园区新闻", "园区新闻") == 1.0
    assert bigram_f1("", "") == 1.0
    assert bigram_f1("abc", "") == 0.0
    assert 0 < bigram_f1("园区新闻发布", "园区新闻") < 1


def test_score_date_rules():
    assert score_date("2024-05-09T22:30+08:00", {"published": "2024-05-09 22:30"}) == (1.0, 1.0)
    assert score_date("2024-05-09", {"published": "2024-05-09 22:30"}) == (1.0, 0.0)
    assert score_date(None, {"published": "", "published_raw": ""}) == (1.0, None)
    assert score_date("2024-05-09", {"published": "", "published_raw": ""}) == (0.0, None)
    assert score_date("2025-01-14T17:58+08:00", {"published": "", "published_raw": "01-14 17:58"}) == (1.0, None)


def test_a_page_that_raises_misses_every_field(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "p1.html").write_bytes(b"<html></html>")
    truth = {"id": "p1", "url": "http://x/", "title": "T", "published": "2024-01-01 10:00", "author": "",
             "editor": "", "source": "", "body_text": "正文", "section_headings": ["一"]}
    (tmp_path / "truth.jsonl").write_text(json.dumps(truth, ensure_ascii=False) + "\n", encoding="utf-8")

    def boom(*a, **k):
        raise RuntimeError("bad page")

    r = evaluate_corpus(tmp_path, parse=boom)
    assert r.pages == 1 and "p1" in r.errors
    assert all(v == 0.0 for v in r.scores.values())
    assert "bad page" in format_misses(r, "title")
    assert "BELOW" in format_table(r)


def test_perfect_parse(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "p1.html").write_bytes(b"<html></html>")
    truth = {"id": "p1", "url": "http://x/", "title": "标题", "published": "2024-01-01 10:00", "author": "张三 李四",
             "editor": "王五", "source": "某报", "body_text": "一\n正文内容", "section_headings": ["一"]}
    (tmp_path / "truth.jsonl").write_text(json.dumps(truth, ensure_ascii=False) + "\n", encoding="utf-8")

    def perfect(url, headers, body, fetched_at, **kw):
        return Record(url=url, title="标 题", published_at="2024-01-01T10:00+08:00", author="李四、张三",
                      editor="王五", source="某报", body_text="一\n正文内容",
                      sections=[{"heading": "一", "paragraphs": ["正文内容"]}])

    r = evaluate_corpus(tmp_path, parse=perfect)
    assert r.failed_targets() == []
    assert r.to_json()["scores"]["title"] == 1.0


# --- subsets: --split K/N, --invert, --sites, --exclude-sites -------------------------------

import hashlib  # noqa: E402

import pytest  # noqa: E402

from crawler.evaluate import Subset, SubsetError, fold_of, page_host  # noqa: E402

HOSTS = ["163.com", "news.163.com", "qq.com", "sina.cn", "ifeng.com", "39.net", "gov.cn", "people.com.cn"]


def _tiny_corpus(tmp_path, hosts=HOSTS):
    """One page per host (two for 163.com); truth titles are the page ids, so scoring needs no parser."""
    (tmp_path / "pages").mkdir()
    ids = [f"dev-{i:03d}-{h}" for i, h in enumerate(hosts + ["163.com"], 1)]
    lines = []
    for pid in ids:
        (tmp_path / "pages" / f"{pid}.html").write_bytes(b"<html></html>")
        lines.append(json.dumps({"id": pid, "url": f"http://{pid}/", "title": pid, "published": "",
                                 "body_text": "x"}))
    (tmp_path / "truth.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ids


def _seen(tmp_path, subset):
    got = []

    def parse(url, headers, body, fetched_at, **kw):
        got.append(url[len("http://"):-1])
        return Record(url=url, title=url[len("http://"):-1], body_text="x")

    r = evaluate_corpus(tmp_path, parse=parse, subset=subset)
    return got, r


def test_page_host_and_fold_formula():
    assert page_host("dev-016-163.com") == "163.com"
    assert page_host("dev-001-mp.weixin.qq.com") == "mp.weixin.qq.com"
    assert page_host("plain-id") == "plain-id"
    assert fold_of("163.com", 5) == int(hashlib.sha1(b"163.com").hexdigest(), 16) % 5 + 1


def test_split_folds_partition_the_corpus_by_host(tmp_path):
    ids = _tiny_corpus(tmp_path)
    folds = {}
    for k in (1, 2, 3):
        got, r = _seen(tmp_path, Subset.parse(split=f"{k}/3")) if any(
            fold_of(page_host(p), 3) == k for p in ids) else ([], None)
        folds[k] = got
        for pid in got:
            assert fold_of(page_host(pid), 3) == k
        if r:
            assert r.pages == len(got) and r.corpus_pages == len(ids)
            assert f"fold {k} of 3" in format_table(r) and f"{len(got)} of {len(ids)} pages" in format_table(r)
    assert sorted(sum(folds.values(), [])) == sorted(ids)  # every page in exactly one fold
    both = [p for p in ids if page_host(p) == "163.com"]
    assert any(set(both) <= set(f) for f in folds.values())  # a host's pages share a fold


def test_invert_scores_every_fold_but_k(tmp_path):
    ids = _tiny_corpus(tmp_path)
    k = fold_of("qq.com", 3)
    held, _ = _seen(tmp_path, Subset.parse(split=f"{k}/3"))
    rest, r = _seen(tmp_path, Subset.parse(split=f"{k}/3", invert=True))
    assert set(held) | set(rest) == set(ids) and not set(held) & set(rest)
    assert "qq.com" not in {page_host(p) for p in rest}
    assert f"all folds but {k} of 3" in format_table(r)
    assert r.to_json()["subset"].startswith("all folds but")


def test_sites_and_exclude_sites(tmp_path):
    _tiny_corpus(tmp_path)
    got, r = _seen(tmp_path, Subset.parse(sites="163.com, qq.com"))
    assert sorted(page_host(p) for p in got) == ["163.com", "163.com", "news.163.com", "qq.com"]
    assert "sites 163.com,qq.com: 4 of 9 pages" in format_table(r)
    got, r = _seen(tmp_path, Subset.parse(exclude_sites="163.com"))
    assert r.pages == 6 and not any("163.com" in p for p in got)
    got, _ = _seen(tmp_path, Subset.parse(sites="163.com", exclude_sites="news.163.com"))
    assert sorted(page_host(p) for p in got) == ["163.com", "163.com"]


@pytest.mark.parametrize("kw, msg", [
    ({"split": "3"}, "expected K/N"), ({"split": "0/3"}, "1 <= K <= N"), ({"split": "4/3"}, "1 <= K <= N"),
    ({"split": "1/1"}, "N >= 2"), ({"invert": True}, "--invert needs --split"), ({"sites": ","}, "--sites"),
])
def test_bad_subsets_are_one_line_errors(kw, msg):
    with pytest.raises(SubsetError, match=msg):
        Subset.parse(**kw)


def test_unknown_host_or_empty_subset_is_an_error(tmp_path):
    _tiny_corpus(tmp_path)
    with pytest.raises(SubsetError, match="no page of the corpus is from host 'nope.com'"):
        _seen(tmp_path, Subset.parse(sites="nope.com"))
    with pytest.raises(SubsetError, match="selects none of the 9 pages"):
        _seen(tmp_path, Subset.parse(sites="163.com", exclude_sites="163.com"))


def test_eval_command_options(tmp_path):
    from pn_testing import run_cli

    _tiny_corpus(tmp_path)
    run = run_cli("eval", tmp_path, "--sites", "qq.com", "--json")
    assert run.code == 0, run
    data = json.loads(run.stdout)
    assert data["pages"] == 1 and data["corpus_pages"] == 9 and data["subset"] == "sites qq.com"
    run = run_cli("eval", tmp_path, "--split", "1/2")
    assert run.code == 0 and "(--split 1/2)" in run.stdout, run
    run = run_cli("eval", tmp_path, "--split", "9/2")
    assert run.code == 2 and run.stderr.strip() == "parknews: error: --split 9/2: need N >= 2 and 1 <= K <= N", run
    run = run_cli("eval", tmp_path, "--exclude-sites", "typo.org")
    assert run.code == 2 and "typo.org" in run.stderr and "Traceback" not in run.stderr, run
