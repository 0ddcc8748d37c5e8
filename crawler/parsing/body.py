"""Main text: pick the container with the most article-like text, then keep its paragraph lines.

Scoring: each line gets a value (positive for punctuated, link-free text; negative for links and
short fragments); an element's score is the sum over the lines inside it, and the best element
is the one with the highest score (a maximum-subtree search). Lines of the winner are then
filtered: boilerplate (原标题, 责任编辑, 版权, share bars...), link lists and noise subtrees.
"""
from __future__ import annotations

import re

from .dom import Line

PUNCT = set("，。！？；：、“”‘’（）,;!?")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_SENT_PUNCT_RE = re.compile(r"[，。！？；,;!?]")
JUNK_RE = re.compile(
    r"share|comment|related|relate|recommend|footer|copyright|toolbar|(?:^|[\s_-])tags?(?:$|[\s_-])|keyword|"
    r"pager|page-?nav|pagination|breadcrumb|crumb|(?:^|[\s_-])ads?(?:$|[\s_-])|advert|sidebar|side-bar|"
    r"(?:^|[\s_-])(?:hot|rank)|tuijian|xgyd|xiangguan|app-?down|qrcode|erweima|disclaimer|"
    r"statement|video-?title|player|(?:^|[\s_-])nav|menu|login|subscribe|reward|dashang|zan(?:$|[\s_-])|"
    r"(?:^|[\s_-])praise|print|fontsize|font-size|^more|readall|read-more|expand|unfold|mianze|"
    r"(?:^|[\s_-])aside|right-?box|shengming|editor_baidu|(?:^|[\s_-])report|interact|user-?(?:name|info)|(?:^|[\s_-])tie-|gentie|post_top|(?:^|[\s_-])video",
    re.I)
_JUNK_EXEMPT_RE = re.compile(r"content|article|text|body|main|detail|post|entry|story", re.I)

# Lines that are never article text. Anchored shapes (tested at the line start) and floating
# phrases (searched anywhere; a first-character lookahead keeps the scan cheap).
_BOILER_ANCHORED = (
    r"[（(【\[]?\s*(?:本文)?原标题\s*[:：]",
    r"【?\s*纠错\s*】?$",
    r"\s*[-—－]*\s*THE END\s*[-—－]*\s*$",
    r"(?:END|完|全文完)$",
    r"(?:【?免责声明】?|声明|特别声明)[:：]",
    r"Notice:\s*The content above",
    r"分享[:：]?$",
    r"相关(?:阅读|新闻|文章|链接|推荐|资讯)",
    r"(?:推荐|延伸|拓展|往期|热门|精彩)阅读",
    r"(?:上一[页篇]|下一[页篇])",
    r"【?\s*\d+\s*】?(?:\s*【?\s*\d+\s*】?)+$",
    r"\d+/\d+$",
    r"（?点击图片.{0,10}）?$",
    r"本文来自.{0,20}(?:APP|客户端)",
    r"(?:本文)?首发于.{0,20}(?:APP)",
    r"(?:图片|图)(?:均)?(?:来自|来源于?)(?:网络|网上)",
    r"#[^#\s]+#(?:\s*#?[^#\s]+#?|\s*@\S+)*\s*$",
    r"(?:标签|关键词|Tags?)[:：]",
    r"(?:当前位置|您的位置|您当前的位置|您现在的位置|所在位置|当前栏目)\s*[:：]",
    r"(?:[【\[]\s*[^】\]]{1,8}\s*[】\]]\s*){2,}$",
    r"\s*[\ufffd\s]+\s*$",
    r"\d{1,2}:\d\d(?:\s*/\s*\d{1,2}:\d\d)?$",
    r"(?:播放速度|倍速|清晰度|音量)[:：]?",
    r"(?:精彩图集|相关专题|热门推荐|推荐阅读|猜你喜欢|大家都在看)$",
    r"(?:字号|关注|\+关注|已关注|收藏|点赞|在看|举报|评论|跟帖|0|我要跟帖|我要评论|打印|关闭|返回顶部|回到顶部|TOP)(?:\s*[(（]\d+[)）])?$",
    r"已输入\d+字",
)
_BOILER_FLOATING = (
    r"版权(?:所有|归|声明)", r"Copyright", r"©", r"\(c\)\s*\d{4}",
    r"未经.{0,12}(?:授权|许可|同意).{0,12}(?:转载|使用|复制)",
    r"(?:禁止|不得|谢绝|严禁|请勿).{0,6}转载", r"转载请(?:注明|联系)", r"转载.{0,10}(?:授权|联系)", r"如需转载",
    r"仅提供信息存储服务", r"本平台仅提供", r"不代表本(?:网|站|平台)(?:的)?(?:观点|立场)", r"并不表明.{0,6}立场",
    r"投资有风险", r"不构成.{0,6}(?:投资)?建议", r"仅供参考.{0,10}风险",
    r"地址[:：].{0,40}(?:电话|邮编|传真)", r"(?:电话|邮编|传真)[:：].{0,30}(?:地址|邮编|传真|电话)[:：]",
    r"共\s*\d+\s*页", r"当前第\s*\d+\s*页", r"ICP备", r"ICP证", r"公网安备", r"网站标识码", r"主办(?:单位)?[:：]", r"承办(?:单位)?[:：]", r"技术支持[:：]", r"网站地图",
    r"展开全文", r"点击(?:查看|阅读)?(?:全文|原文|更多|进入)", r"阅读原文", r"查看原文", r"返回.{0,8}首页", r"查看更多",
    r"扫描.{0,10}二维码", r"扫码.{0,8}(?:关注|下载)", r"长按.{0,10}(?:二维码|识别|关注)", r"点击.{0,6}关注",
    r"关注.{0,10}公众号", r"微信公众号", r"下载.{0,8}(?:APP|客户端)", r"更多.{0,8}资讯.{0,8}(?:下载|关注)", r"分享到",
    r"\(?点击看.{0,4}大图\)?", r"更多.{0,10}请(?:继续)?关注", r"回复【.{1,12}】", r"正文已结束", r"点【在看】", r"点击(?:菜单栏|下方|上方|右上角)",
    r"引用\s*投诉\s*支持",
    r"视频播放失败", r"错误代码[:：]", r"时长[:：]\s*\d", r"建议(?:在)?WIFI", r"您的浏览器不支持", r"秒后(?:自动)?播放",
)
_FIRST_CHARS = "".join(sorted({p.lstrip("\\(?")[0] for p in _BOILER_FLOATING} | set("禁不谢严请(（")))
_BOILER_START_RE = re.compile("|".join(f"(?:{p})" for p in _BOILER_ANCHORED))
_BOILER_FLOAT_RE = re.compile("(?=[" + re.escape(_FIRST_CHARS) + "])(?:" + "|".join(f"(?:{p})" for p in _BOILER_FLOATING) + ")")
_PHOTO_CREDIT_RE = re.compile(r"^[（(]?(?:摄影|图片来源|图源)[:：/].{0,30}[）)]?$")
_META_LINE_RE = re.compile(
    r"(来源|作者|编辑|责编|发布时间|发布日期|时间[:：]|日期[:：]|浏览|阅读|字号|记者|出处[:：]|来自[:：])")


def line_value(line: Line) -> float:
    n = line.n
    if n == 0:
        return 0.0
    if line.link > n * 0.5:
        return -0.6 * line.link - 3
    nonlink = n - line.link
    punct = len(_SENT_PUNCT_RE.findall(line.text))
    if punct == 0 and nonlink < 30:
        return -3.0 + nonlink * 0.1
    if is_boilerplate(line.text):
        return -5.0
    if is_keyword_soup(line.text):
        return -3.0
    v = nonlink * (1.0 if punct else 0.5) + 3 * min(punct, nonlink / 10) - 0.6 * line.link - 3
    return min(v, 1500.0)


def is_keyword_soup(text: str) -> bool:
    """A run of space-separated keywords (SEO blocks, tag clouds), not prose."""
    n = len(text)
    if n < 40:
        return False
    spaces = text.count(" ")
    if spaces * 16 < n:
        return False
    cjk = len(_CJK_RE.findall(text))
    return cjk > n * 0.5 and spaces > cjk / 8 and len(_SENT_PUNCT_RE.findall(text)) < spaces / 4


NEG_CHILD_WEIGHT = 1.0
_RELATED_HEAD_RE = re.compile(
    r"^(?:推荐阅读|相关(?:新闻|阅读|文章|推荐|链接|报道|资讯|专题)|精彩(?:图集|推荐|阅读|专题)|热门(?:推荐|文章|新闻|阅读)|"
    r"猜你喜欢|延伸阅读|往期(?:回顾|推荐|精选)|大家都在看|为你推荐|更多精彩|最新(?:文章|新闻|资讯)|热点(?:新闻|推荐)|今日(?:推荐|热点)|"
    r"(?:热门|最新|网友|全部|相关|精彩)(?:评论|跟帖|留言)|评论区|发表评论|我要评论|我要跟帖|网友评论)"
    r"\s*[:：>》]*$")


def related_blocks(lines) -> set:
    """Wrappers whose first line is a "推荐阅读 / 相关新闻" heading: recommendation boxes."""
    out = set()
    for i, line in enumerate(lines):
        if line.n <= 12 and _RELATED_HEAD_RE.match(line.text):
            el = line.el
            parent = el.getparent() if el is not None else None
            # only a wrapper that the heading opens (the line before it lies outside)
            if parent is not None and (i == 0 or not inside(lines[i - 1].el, parent)):
                out.add(parent)
    return out


def in_blocks(el, blocks: set, depth: int = 6) -> bool:
    while el is not None and depth > 0:
        if el in blocks:
            return True
        el = el.getparent()
        depth -= 1
    return False


def pick_container(lines: list[Line], root, exclude=None):
    """The element whose lines sum to the highest value."""
    own: dict = {}
    jcache: dict = {}
    related = related_blocks(lines)
    for line in lines:
        if line.el is None:
            continue
        v = line_value(line)
        if v > 0 and (near_junk(line.el, cache=jcache) or (related and in_blocks(line.el, related))):
            v = -0.2 * v
        own[line.el] = own.get(line.el, 0.0) + v
    # Every element scores the sum of the lines inside it (a maximum-subtree search).
    scores: dict = {}
    depth: dict = {}
    for el0, v in own.items():
        el = el0
        chain = []
        while el is not None:
            chain.append(el)
            scores[el] = scores.get(el, 0.0) + v
            el = el.getparent()
        n = len(chain)
        for i, e in enumerate(chain):
            depth[e] = n - i
    best, best_key = root, None
    # On a tie the deeper element wins (a wrapper adds nothing).
    for el, sc in scores.items():
        key = (sc, depth[el])
        if (best_key is None or key > best_key) and (exclude is None or not exclude(el)):
            best, best_key = el, key
    return best, (best_key[0] if best_key else float("-inf")), scores


def expand_container(best, scores: dict, root, levels: int = 2) -> list:
    """Article text split over sibling blocks (an ad table between paragraphs, a broken parse):
    add contiguous siblings of the winner (or of its ancestors) that carry prose themselves."""
    out = [best]
    ref = best
    need = max(40.0, 0.25 * scores.get(best, 0.0))
    for _ in range(levels):
        parent = ref.getparent()
        if parent is None or ref is root:
            break
        sibs = [c for c in parent if isinstance(c.tag, str)]
        pos = sibs.index(ref)
        added = []
        lo = hi = pos
        for direction in (1, -1):
            j = pos + direction
            while 0 <= j < len(sibs):
                sc = scores.get(sibs[j], 0.0)
                if sc >= need:
                    added.append(sibs[j])
                    lo, hi = min(lo, j), max(hi, j)
                elif sc <= -30:
                    break
                j += direction
        if added:
            # the short blocks between the added ones (sub-headings, captions) belong to the text too
            for j in range(lo, hi + 1):
                if j != pos and sibs[j] not in added and scores.get(sibs[j], 0.0) > -30:
                    added.append(sibs[j])
            out.extend(added)
            break
        ref = parent
    return out


def inside(el, container) -> bool:
    """`container` is an element or a list of elements."""
    if isinstance(container, list):
        while el is not None:
            if any(el is c for c in container):
                return True
            el = el.getparent()
        return False
    while el is not None:
        if el is container:
            return True
        el = el.getparent()
    return False


def _junk_attr(el) -> bool:
    if not isinstance(el.tag, str):
        return False
    attrs = (el.get("class") or "") + " " + (el.get("id") or "")
    return bool(attrs.strip()) and bool(JUNK_RE.search(attrs)) and not _JUNK_EXEMPT_RE.search(attrs)


def junk_elements(lines, container) -> set:
    """Share bars, related lists, comment boxes... inside `container` (never one holding most of its text)."""
    total = 0
    per: dict = {}
    cs = container if isinstance(container, list) else [container]
    for line in lines:
        el = line.el
        chain = []
        while el is not None and not any(el is c for c in cs):
            chain.append(el)
            el = el.getparent()
        if el is None:
            continue
        total += line.n
        for e in chain:
            if _junk_attr(e):
                per[e] = per.get(e, 0) + line.n
    return {e for e, n in per.items() if n < 0.4 * max(total, 1)}


def in_junk(el, container, junk: set | None = None) -> bool:
    """True when an element between `el` and `container` is in `junk` (or looks like junk)."""
    cs = container if isinstance(container, list) else [container]
    while el is not None and not any(el is c for c in cs):
        if (el in junk) if junk is not None else _junk_attr(el):
            return True
        el = el.getparent()
    return False


_STRONG_JUNK_RE = re.compile(r"comment|related|relate|recommend|tuijian|xgyd|xiangguan|(?:^|[\s_-])(?:hot|rank)|sidebar|side-bar", re.I)


def _strong_junk(el) -> bool:
    a = el.attrib
    if not a:
        return False
    attrs = (a.get("class") or "") + " " + (a.get("id") or "")
    return len(attrs) > 1 and bool(_STRONG_JUNK_RE.search(attrs)) and not _JUNK_EXEMPT_RE.search(attrs)


def near_junk(el, depth: int = 4, cache: dict | None = None) -> bool:
    while el is not None and depth > 0:
        if cache is not None:
            j = cache.get(el)
            if j is None:
                j = cache[el] = _strong_junk(el)
        else:
            j = _strong_junk(el)
        if j:
            return True
        el = el.getparent()
        depth -= 1
    return False


_NOISE_CHARS = "\ufffd ·•-—_=*~|/\\.。…"


def is_boilerplate(text: str) -> bool:
    t = text.strip()
    if not t:
        return True
    if len(t) <= 200 and (_BOILER_START_RE.match(t) or _BOILER_FLOAT_RE.search(t)):
        return True
    if len(t) <= 40 and (t.endswith("摄") or _PHOTO_CREDIT_RE.match(t)):
        return True
    if not t.strip(_NOISE_CHARS):
        return True
    return False


def is_meta_line(text: str) -> bool:
    """A short line that carries dates or labels rather than prose."""
    return len(text) <= 100 and bool(_META_LINE_RE.search(text))


def is_link_line(line: Line) -> bool:
    return line.link >= max(4, line.n * 0.6)
