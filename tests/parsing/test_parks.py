"""The park-mention extractor (crawler/parsing/parks.py): pure text in, mentions out."""
import pytest

from crawler.parsing.parks import (Gazetteer, GazetteerError, Park, check_park, default_gazetteer, extract_parks,
                                   find_mentions)


def parks_of(title, body="", gaz=None):
    return {p["park"]: p for p in extract_parks(title, body, gaz)}


def test_short_form_after_a_full_mention_is_the_same_park():
    got = parks_of("西安经开区前三季度招商引资再创新高",
                   "记者从西安经开区管委会获悉。经开区还将继续优化营商环境。")
    p = got["西安经济技术开发区"]
    assert p["known"] and p["level"] == "国家级"
    assert [s["text"] for s in p["spans"]] == ["西安经开区", "西安经开区", "经开区"]
    assert [s["form"] for s in p["spans"]] == ["place", "place", "short"]
    assert p["mentions"] == 3 and p["in_title"] and p["about"]
    assert list(got) == ["西安经济技术开发区"]


def test_offsets_point_at_the_surface_in_title_and_body():
    title, body = "光谷再添独角兽", "据武汉东湖新技术开发区消息，东湖高新区今年已有独角兽企业12家。"
    p = parks_of(title, body)["武汉东湖新技术开发区"]
    for s in p["spans"]:
        text = title if s["field"] == "title" else body
        assert text[s["start"]:s["end"]] == s["text"]
    assert {s["text"] for s in p["spans"]} == {"光谷", "武汉东湖新技术开发区", "东湖高新区"}


@pytest.mark.parametrize("surface, park", [
    ("西安经发区", "西安经济技术开发区"),
    ("苏州园区", "苏州工业园区"),
    ("SIP", "苏州工业园区"),
    ("北京亦庄", "北京经济技术开发区"),
    ("天津泰达", "天津经济技术开发区"),
    ("宁波国家高新区", "宁波高新技术产业开发区"),
    ("陕西省西安市高新区", "西安高新技术产业开发区"),
    ("大连开发区", "大连经济技术开发区"),
    ("上海自贸区", "中国（上海）自由贸易试验区"),
    ("中国(上海)自由贸易试验区", "中国（上海）自由贸易试验区"),
    ("中国（上海）自由贸易试验区", "中国（上海）自由贸易试验区"),
])
def test_aliases_resolve_to_one_canonical_park(surface, park):
    got = parks_of("", f"近日，{surface}发布新一轮产业政策。")
    assert list(got) == [park]


def test_nested_names_resolve_to_the_outer_park():
    got = parks_of("", "上海自贸区临港新片区推出十项举措。天津滨海高新区与天津滨海新区签约。苏州工业园综保区增长。")
    assert set(got) == {"中国（上海）自由贸易试验区临港新片区", "天津滨海高新技术产业开发区", "滨海新区",
                        "苏州工业园综合保税区"}


def test_a_park_the_gazetteer_does_not_know_is_named_by_place_and_zone_type():
    got = parks_of("宜兴经开区新能源项目集中开工", "宜兴经济技术开发区举行开工仪式。")
    p = got["宜兴经济技术开发区"]
    assert p["known"] is False and p["level"] is None and p["mentions"] == 2
    got = parks_of("", "在浙江武义经济开发区，一批五金企业正加快改造。开发区相关负责人介绍了情况。")
    assert got["武义经济开发区"]["mentions"] == 2


def test_a_list_of_places_shares_the_zone_word():
    got = parks_of("", "西安、宝鸡、渭南高新区均进入全国百强。")
    assert set(got) == {"西安高新技术产业开发区", "宝鸡高新技术产业开发区", "渭南高新技术产业开发区"}


def test_a_zone_word_after_a_park_and_a_conjunction_takes_its_place():
    got = parks_of("", "合肥经开区、高新区分别签约项目。西安高新区和经开区联合招商。")
    assert set(got) == {"合肥经济技术开发区", "合肥高新技术产业开发区", "西安高新技术产业开发区", "西安经济技术开发区"}
    assert list(parks_of("", "推动经开区、高新区整合提升。")) == []


@pytest.mark.parametrize("title, body", [
    ("某科技产业园有限公司完成股权变更", "江苏某科技产业园有限公司日前完成股权变更。"),
    ("苏州工业园区国有资本投资运营控股有限公司发行公司债", "苏州工业园区国有资本投资运营控股有限公司成功发行债券。"),
    ("城东新区房价走势平稳", "家住新区的市民表示，周边配套越来越完善。"),
    ("地铁4号线高新区站出口调整", "市民可沿高新区路绕行。"),
    ("经开区路改造工程完工", "经开区路拓宽改造工程日前完工通车。"),
    ("高新技术企业认定工作启动", "2024年度高新技术企业认定工作正式启动。"),
    ("全国经开区综合发展水平考核评价结果公布", "各开发区要深化改革，推动经开区、高新区整合提升。"),
    ("高新区管委会召开安全生产会议", "高新区管委会近日召开安全生产工作会议。"),
])
def test_look_alikes_are_no_parks(title, body):
    assert extract_parks(title, body) == []


def test_a_generic_short_form_after_a_park_is_no_mention_of_it():
    p = parks_of("", "苏州工业园区连续多年位居全国经开区榜首。")["苏州工业园区"]
    assert p["mentions"] == 1 and not p["about"]


def test_about_needs_the_title_or_two_mentions():
    got = parks_of("长三角园区协同发展论坛举行",
                   "论坛上，南京江北新区负责人发言。江北新区还设立了基金。此外，合肥高新区也派员参会。")
    assert got["南京江北新区"]["about"] and not got["南京江北新区"]["in_title"]
    assert not got["合肥高新技术产业开发区"]["about"]


def test_short_form_resolves_to_the_last_park_of_its_family():
    ms = find_mentions("", "成都高新区与重庆经开区签约。高新区将设立窗口，经开区也将跟进。")
    assert [(m.text, m.park) for m in ms if m.form == "short"] == [
        ("高新区", "成都高新技术产业开发区"), ("经开区", "重庆经济技术开发区")]


def test_user_parks_extend_the_gazetteer_and_win_alias_clashes():
    gaz = default_gazetteer().with_parks([
        {"name": "武义经济开发区", "type": "经济开发区", "place": "武义", "aliases": ["武义开发区"], "level": "省级"},
        {"name": "苏州工业园区", "aliases": ["金鸡湖畔园区"]},
    ])
    got = parks_of("", "武义开发区与金鸡湖畔园区签约，SIP表示欢迎。", gaz)
    assert got["武义经济开发区"]["known"] and got["武义经济开发区"]["level"] == "省级"
    assert got["苏州工业园区"]["mentions"] == 2  # the bundled alias SIP kept beside the user's
    assert gaz.parks["苏州工业园区"].type == "工业园区"
    assert "武义开发区" not in default_gazetteer().alias  # the bundled one is unchanged


def test_bad_gazetteer_entries_are_one_line_errors(tmp_path):
    with pytest.raises(GazetteerError, match="unknown type '开发园'"):
        check_park({"name": "某园", "type": "开发园"}, "x.toml park #1")
    with pytest.raises(GazetteerError, match="unknown level"):
        check_park({"name": "某园", "level": "国家"}, "x.toml park #1")
    with pytest.raises(GazetteerError, match="without a name"):
        check_park({"type": "其他"}, "x.toml park #2")
    bad = tmp_path / "parks.toml"
    bad.write_text("[[park]\nname = 1", encoding="utf-8")
    with pytest.raises(GazetteerError, match="parks.toml: cannot read"):
        Gazetteer.load(bad)


def test_bundled_gazetteer_is_consistent():
    gaz = default_gazetteer()
    assert len(gaz.parks) >= 150
    assert all(isinstance(p, Park) and p.level in (None, "国家级", "省级") for p in gaz.parks.values())
    # no alias names two parks: every alias resolves to the park that lists it
    for p in gaz.parks.values():
        for a in (p.name,) + p.aliases:
            assert gaz.resolve(a) == p.name, (a, p.name, gaz.resolve(a))


def test_empty_and_missing_text():
    assert extract_parks(None, None) == [] and extract_parks("", "") == []


def test_eval_set_meets_the_targets():
    """The labelled eval set (tests/bench/parks.py prints the figures; this keeps them)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "bench" / "parks.py"
    spec = importlib.util.spec_from_file_location("parks_bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    res = bench.score(bench.load())
    assert res["mentions"] >= 150 and res["negatives"] >= 10
    assert res["precision"] >= bench.TARGET_P and res["recall"] >= bench.TARGET_R, (res["misses"], res["extras"])


def test_parse_page_fills_the_records_parks():
    """The last step of parse_page: a parsed article carries its parks, offsets into its own
    title and body_text (kept right by the crawl's normalisation too)."""
    from datetime import datetime, timezone

    from crawler.parsing import parse_page
    from archive.validate import normalize_record

    paras = "".join(f"<p>{t}</p>" for t in [
        "记者从西安经开区管委会获悉，今年前三季度，西安经济技术开发区新签约项目42个，总投资超过300亿元。",
        "经开区还将继续优化营商环境，推动先进制造业集群发展，加快建设现代化产业体系。",
        "与此同时，苏州工业园区代表团到访交流，双方就产业协作进行了深入座谈。",
    ])
    html = (f"<html><head><title>西安经开区招商引资再创新高_园区新闻</title></head><body>"
            f"<h1>招商引资  西安经开区再创新高</h1><div class='content'>{paras}</div></body></html>")
    rec = parse_page("http://x.example/2024-05/01/content_1.html", {"content-type": "text/html; charset=utf-8"},
                     html.encode("utf-8"), datetime(2024, 5, 2, tzinfo=timezone.utc))
    normalize_record(rec)
    got = {p["park"]: p for p in rec.parks}
    assert got["西安经济技术开发区"]["about"] and got["西安经济技术开发区"]["in_title"]
    assert not got["苏州工业园区"]["about"]
    for p in rec.parks:
        for s in p["spans"]:
            assert (rec.title if s["field"] == "title" else rec.body_text)[s["start"]:s["end"]] == s["text"]


def test_normalisation_that_moves_text_recomputes_the_offsets():
    from crawler.items import Record
    from crawler.parsing.parks import with_parks
    from archive.validate import normalize_record

    rec = with_parks(Record(url="http://x.example/1", title="招商引资  西安经开区", body_text="  \n西安经开区还将扩大开放。"))
    assert rec.parks[0]["spans"][0]["start"] == 6
    normalize_record(rec)
    for s in rec.parks[0]["spans"]:
        assert (rec.title if s["field"] == "title" else rec.body_text)[s["start"]:s["end"]] == s["text"]
