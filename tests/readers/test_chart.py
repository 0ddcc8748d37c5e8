"""`stats --chart` draws Chinese: the sites' titles with a CJK font found by file path."""
import io
import warnings

import pytest

from archive import chart
from pn_testing import run_cli

FONT = chart.cjk_font()
needs_font = pytest.mark.skipif(FONT is None, reason="no CJK font: apt-get install fonts-noto-cjk")


def _pixels(png_path):
    import matplotlib.image

    return matplotlib.image.imread(png_path)


def _render(text, family):
    """`text` drawn alone with `family`, as an RGBA array."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context({"font.family": [family]}), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = plt.figure(figsize=(2, 0.6), dpi=80)
        fig.text(0.05, 0.3, text, fontsize=20)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    buf.seek(0)
    return _pixels(buf)


@needs_font
def test_the_font_is_a_cjk_file_that_matplotlib_uses():
    from matplotlib import font_manager, ft2font

    assert FONT.path.endswith((".ttc", ".ttf", ".otf")), FONT
    face = ft2font.FT2Font(FONT.path)
    for ch in "园区新闻示例站经开区高新区每月文章数发布月份":
        assert face.get_char_index(ord(ch)) != 0, ch  # a real glyph, not .notdef
    # asking matplotlib for the family gives that very file
    found = font_manager.findfont(font_manager.FontProperties(family=FONT.family), fallback_to_default=False)
    assert found == FONT.path
    # real glyphs: two different words differ on the page; in DejaVu Sans (matplotlib's default)
    # both are the same empty boxes, which is what the chart drew before
    assert (_render("园区", FONT.family) != _render("新闻", FONT.family)).any()
    assert (_render("园区", "DejaVu Sans") == _render("新闻", "DejaVu Sans")).all()


@needs_font
def test_chart_draws_the_sites_chinese_titles(archive, tmp_path):
    import sqlite_utils

    db = sqlite_utils.Database(str(archive["db"]))
    drawn = {}
    for title in ("园区新闻示例", "经开区高新区"):  # same length: as empty boxes they would look alike
        out = tmp_path / f"{title}.png"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = chart.write_chart(db, str(out), titles={"demo": title, "partner": "合作站点"})
        assert not [w for w in caught if "missing from" in str(w.message)], [str(w.message) for w in caught]
        assert result.font == FONT and result.months >= 12
        drawn[title] = _pixels(out)
    a, b = drawn.values()
    assert a.shape == b.shape and (a != b).any()


@needs_font
def test_stats_chart_command_labels_in_chinese(archive, tmp_path):
    out = tmp_path / "months.png"
    result = run_cli("stats", "--db", archive["db"], "--chart", out)
    assert result.code == 0, result
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "missing from" not in result.stderr and "no CJK font" not in result.stderr, result
    # a chart of one site is headed by its title
    one = run_cli("stats", "--db", archive["db"], "--site", "demo", "--chart", tmp_path / "one.png")
    assert one.code == 0, one


def test_without_a_cjk_font_the_chart_says_so(archive, tmp_path):
    """No CJK font (PARKNEWS_CJK_FONT=none): the chart is still drawn, with the sites' names and
    English labels, and the command says how to get Chinese labels. A font file that is not
    there is a one-line error naming the variable."""
    result = run_cli("stats", "--db", archive["db"], "--chart", tmp_path / "c.png", env={"PARKNEWS_CJK_FONT": "none"})
    assert result.code == 0, result
    assert "no CJK font found" in result.stderr and "fonts-noto-cjk" in result.stderr, result
    assert "missing from" not in result.stderr, result  # no Chinese drawn as boxes
    bad = run_cli("stats", "--db", archive["db"], "--chart", tmp_path / "d.png",
                  env={"PARKNEWS_CJK_FONT": str(tmp_path / "nofont.ttf")})
    assert bad.code == 2 and bad.stderr.count("\n") == 1 and "PARKNEWS_CJK_FONT" in bad.stderr, bad
