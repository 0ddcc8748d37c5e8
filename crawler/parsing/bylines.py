"""来源 / 作者 / 责任编辑: labelled values that often run together on one line.

    parse_labels("时间:2022-04-06来源 : 中国网园区作者 : 孟丽伟")
    -> [("source", "中国网园区"), ("author", "孟丽伟")]

A value stops at the next label (of any kind, date labels included), at a date, or at UI words
(举报, 浏览, 参与互动...). Placeholders (未知, 佚名, 网络整理) mean "no author".
"""
from __future__ import annotations

import re

from .vocab import (AUTHOR_LABELS, CHROME_WORDS, EDITOR_LABELS, GENERIC_SOURCES, NAME_TITLES, NOT_BARE_NAMES,
                    ORG_ENDINGS, OTHER_LABELS, PLACEHOLDERS, SOURCE_LABELS, TEAM_SUFFIXES)

_KIND = {}
for _l in SOURCE_LABELS:
    _KIND[_l] = "source"
for _l in AUTHOR_LABELS:
    _KIND[_l] = "author"
for _l in EDITOR_LABELS:
    _KIND[_l] = "editor"
for _l in OTHER_LABELS:
    _KIND.setdefault(_l, "other")

_ALL = sorted(_KIND, key=len, reverse=True)
_SEP = r"\s*(?:[:：|｜丨︱]|/(?=\S))\s*"
# Labels that may stand without a separator (来源CSDN, 作者魏星, 编辑 周褶褶, 记者 胡晓蓉).
_LOOSE = {"来源", "来源于", "信息来源于", "作者", "编辑", "责任编辑", "责编", "记者", "文/", "文／", "文|", "出处", "来自", "浏览", "阅读", "点击", "发布于", "发表于"}
_LABEL_RE = re.compile(
    r"(?P<lab>" + "|".join(re.escape(x) for x in _ALL) + r")(?P<sep>" + _SEP + r"|\s*)")
_LEAD_SYMBOLS_RE = re.compile(r"^[□■●◆◇▲△★☆○◎※•·\-—\s]+")
_WEN_RE = re.compile(r"(^|[\s(（【\[])文\s*[|｜/／︱丨]\s*")
_NAME_AFTER_RE = re.compile(r"[\u4e00-\u9fff·]{2,4}(?:$|[\s、，,）)\]】|/])")
_DATE_START_RE = re.compile(r"(?:19|20)\d\d\s*[-年/.]\s*\d{1,2}|\d{1,2}月\d{1,2}日|\d{1,2}-\d{1,2}\s+\d{1,2}:\d\d|\d{1,2}:\d\d")
_STOP_WORDS_RE = re.compile(r"(参与互动|举报|返回\S*|查看更多|我要评论|点击查看|分享到|字号|打印|关闭窗口|微信扫一扫|手机看|扫一扫|【\s*纠错\s*】|纠错|收藏|\d+人参与|\d+条评论|\(\s*\d+\s*\)$)")
_GENERIC_SOURCE_RE = re.compile(r"澎湃号|网易号|百家号|头条号|企鹅号|快传号|搜狐号|大风号|一点号")
_CODE_RE = re.compile(r"(?<=[\u4e00-\u9fff])[_\-－]?[A-Za-z]{1,4}\d{2,}$")
_AFFIL_RE = re.compile(r"(北京|上海|天津|重庆|中国|中央|国家|国务院|清华|复旦|南开|浙江|江苏|广东|山东|四川|湖北|湖南|河南|河北|"
                       r"陕西|福建|安徽|辽宁|吉林|黑龙江|云南|贵州|广西|江西|山西|甘肃|新疆|西藏|内蒙古|宁夏|青海|海南|香港|澳门|台湾|"
                       r"人民|新华|\S{0,6}(?:大学|学院|研究院|研究所|研究中心|公司|集团|医院|学校|中学|小学|协会|学会|委员会|局|厅|部|办|报|社|台|网))")
_TITLE_END_RE = re.compile(r"(?:教授|副教授|研究员|讲师|博士|硕士|主任|院长|所长|校长|局长|书记|主席|经理|总监|总裁|专家|学者|律师|医生|医师|记者|编辑|分析师)$")
_NOT_NAME_RE = re.compile(r"文章|主页|简介|更多|推荐|热门|最新|专栏|介绍|关注|粉丝|登录|注册|首页|评论|阅读|作品|动态")
_NAME_SPLIT_RE = re.compile(r"[\s、,，;；/|&＆和及与]+")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_CHROME_RE = re.compile("|".join(re.escape(w) for w in CHROME_WORDS), re.I)
_TITLES_ALT = "|".join(sorted((re.escape(t) for t in NAME_TITLES), key=len, reverse=True))
_TITLE_ONLY_RE = re.compile(r"^(?:" + _TITLES_ALT + r")$")
_TITLE_LEAD_RE = re.compile(r"^(?:" + _TITLES_ALT + r")(?=[\u4e00-\u9fff·]{2,4}$)")
# "某研究部部长 研究员钱立": an affiliation-and-title phrase followed by more of the credit
_AFFIL_TITLE_RE = re.compile(r"(?:^|(?<=\s))\S{2,16}?(?:" + _TITLES_ALT + r")\s+(?=\S)")
_SPACED_NAME_RE = re.compile(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff])[ \u3000]([\u4e00-\u9fff])(?![\u4e00-\u9fff])")
_PHOTO_CREDIT_RE = re.compile(r"(?:^|\s)(?:图|摄影|摄|图片)\s*[/／:：|｜]")
_TEAM_SUFFIX_RE = re.compile(r"(?:" + "|".join(TEAM_SUFFIXES) + r")$")
_ORG_END_RE = re.compile(r"(?:" + "|".join(ORG_ENDINGS) + r")$")


def join_spaced_names(v: str) -> str:
    """"刘洋 陈 静": a two-character name padded to three columns is one name."""
    return _SPACED_NAME_RE.sub(r"\1\2", v)


def _kind(label: str) -> str:
    return _KIND.get(label, "other")


def iter_labels(line: str):
    """Yield (kind, label, start, value_start) for each label occurrence in `line`."""
    for m in _LABEL_RE.finditer(line):
        lab, sep = m["lab"], m["sep"]
        has_sep = bool(sep.strip())
        if not has_sep and lab not in _LOOSE:
            continue
        start = m.start()
        prev = line[start - 1] if start > 0 else " "
        if not has_sep:
            # a colonless label must start the line or follow a separator / a date / a closing bracket
            if not (start == 0 or prev in " \u3000|｜丨·•()（）[]【】《》\t" or prev.isdigit()):
                continue
            nxt = line[m.end():m.end() + 1]
            if not nxt:
                continue
        if lab == "记者" and not _NAME_AFTER_RE.match(line, m.end()):
            # "记者 胡晓蓉" is a credit; "记者昨日从…获悉" is prose
            continue
        yield _kind(lab), lab, start, m.end()


def _cut_value(text: str) -> str:
    text = re.split(r"\s*[|｜丨]", text, maxsplit=1)[0]
    m = _STOP_WORDS_RE.search(text)
    if m:
        text = text[:m.start()]
    d = _DATE_START_RE.search(text)
    if d:
        text = text[:d.start()]
    return text.strip(" \u3000\t:：|｜丨·•,，;；")


def _strip_brackets(v: str) -> str:
    v = v.strip()
    pairs = {"[": "]", "【": "】", "(": ")", "（": "）", "「": "」", "〔": "〕"}
    if v and v[0] in pairs and v.endswith(pairs[v[0]]):
        v = v[1:-1].strip()
    # unbalanced trailing brackets left from "（责任编辑：X）"
    while v and v[-1] in ")）]】」〕" and not any(o in v for o in "([（【「〔"):
        v = v[:-1].strip()
    while v and v[0] in "([（【「〔" and not any(c in v for c in ")]）】」〕"):
        v = v[1:].strip()
    return v


def parse_labels(line: str) -> list[tuple[str, str, str]]:
    """[(kind, label, value)] for source/author/editor labels in one line (other labels only cut values)."""
    line = _LEAD_SYMBOLS_RE.sub("", line.replace("\xa0", " "))
    line = _WEN_RE.sub(r"\1文/", line)
    labs = list(iter_labels(line))
    out = []
    for i, (kind, lab, _start, vstart) in enumerate(labs):
        if kind == "other":
            continue
        vend = labs[i + 1][2] if i + 1 < len(labs) else len(line)
        raw = line[vstart:vend]
        value = _cut_value(_strip_brackets(raw) if raw.strip()[:1] in "[【" else raw)
        value = _strip_brackets(value)
        if value:
            out.append((kind, lab, value))
    return out


def clean_source(v: str) -> str | None:
    v = _strip_brackets(v or "")
    v = _cut_value(v)
    if not v:
        return None
    # "鞭牛士 北京 举报": the outlet is the first token unless it is quoted as a whole
    if not (v.startswith("《") and v.endswith("》")) and " " in v and not re.fullmatch(r"[A-Za-z0-9 .&\-]+", v):
        v = v.split()[0]
    v = v.strip(" ,，。;；")
    if not v or len(v) > 40 or v.lower() in PLACEHOLDERS - {"网络"} and v not in ("网络",):
        return None
    if re.fullmatch(r"[\d\s:：\-/.]+", v) or is_place(v) or _CHROME_RE.search(v):
        return None
    return v


def is_generic_source(v: str) -> bool:
    return v in GENERIC_SOURCES or bool(_GENERIC_SOURCE_RE.search(v))


def _clean_name(tok: str) -> str | None:
    tok = tok.strip(" \u3000()（）[]【】<>《》:：.。,，︱|｜丨·")
    tok = re.sub(r"^(?:本报|本刊|本网|特约|实习|见习|首席|全媒体|融媒体)?(?:记者|通讯员|撰稿人|作者)", "", tok)
    tok = _CODE_RE.sub("", tok)
    if not tok or tok.lower() in PLACEHOLDERS:
        return None
    if _CJK_RE.search(tok):
        if _TITLE_ONLY_RE.match(tok):
            return None
        tok = _TITLE_LEAD_RE.sub("", tok)
        if len(tok) > 4 and _TITLE_END_RE.search(tok):
            # "方敏北京大学经济学院教授": a name followed by an affiliation and a title
            m = _AFFIL_RE.search(tok, 2)
            if m and m.start() >= 2:
                tok = tok[:m.start()]
        if _NOT_NAME_RE.search(tok):
            return None
        tok = _TEAM_SUFFIX_RE.sub("", tok)
        if len(tok) < 2 or len(tok) > 12:
            return None
    elif len(tok) > 30:
        return None
    return tok


def clean_people(v: str, limit: int = 8) -> list[str]:
    """Names from a 作者/记者 value: split on white space and 、,，; placeholders dropped."""
    v = _cut_value(_strip_brackets(v or ""))
    if not v or v.strip().lower() in PLACEHOLDERS:
        return []
    v = re.sub(r"\s*(?:上海|北京|\S{1,4})?报道$", lambda m: "" if m.group(0).strip().endswith("报道") else m.group(0), v)
    # "文/刘玺东 图/易赛楠": the photographer's part is not a writer's credit
    v = _PHOTO_CREDIT_RE.split(v, maxsplit=1)[0]
    v = join_spaced_names(_AFFIL_TITLE_RE.sub("", v.strip()))
    # Latin names keep their inner space ("Demi Xia")
    if re.fullmatch(r"[A-Za-z][A-Za-z .'\-]*", v.strip()):
        return [v.strip()]
    names = []
    for tok in _NAME_SPLIT_RE.split(v):
        n = _clean_name(tok)
        if n and n not in names:
            names.append(n)
        if len(names) >= limit:
            break
    return names


def clean_editor(v: str) -> str | None:
    v = _cut_value(_strip_brackets(v or ""))
    if not v:
        return None
    v = re.split(r"\s*(?:校对|审核|审读|监制|摄影|排版|终审|复审|美编|通讯员|人气|点击|浏览|阅读|评论)", v)[0]
    v = re.sub(r"(?<=[\u4e00-\u9fff])\s+[A-Z]{1,4}\d{2,}$", "", v.strip())
    parts = [p for p in re.split(r"(\s+|、|，|,)", v)]
    out = []
    for p in parts:
        if p.strip() and p not in ("、", "，", ","):
            p2 = _CODE_RE.sub("", p) if _CJK_RE.search(p) else p
            out.append(p2)
        else:
            out.append(p)
    v = "".join(out).strip(" ,，、")
    if not v or v.lower() in PLACEHOLDERS or len(v) > 40:
        return None
    return v


# ---- credits that are not labelled ----

_DATELINE_RE = re.compile(r"^(?:[^\s（(]{0,12}?(?:社|报|网|台|电|讯))?[^\s（(]{0,10}?\d{1,2}月\d{1,2}日(?:电|讯)\s*[（(]\s*(?:[^）)]*?记者)\s*([^）)]+)[）)]")
_BYLINE_RE = re.compile(r"^(?:[\u4e00-\u9fff·]{0,12}?)(?:记者|通讯员|撰文|撰稿)\s*[:：]?\s*([\u4e00-\u9fff·]{2,4}(?:[\s、,，和及]+[\u4e00-\u9fff·]{2,4}){0,5})\s*$")
_CREDIT_LINE_RE = re.compile(r"^(?:[\u4e00-\u9fff]{0,10}?)(?:记者|撰文|文/|文／|文\|)\s*[:：]?\s*([\u4e00-\u9fff·]{2,4}(?:[\s、,，]+[\u4e00-\u9fff·]{2,4}){0,4})\s*(?:[\u4e00-\u9fff]{0,8}报道)?\s*$")
_TRAILING_RE = re.compile(r"[（(]\s*(?:文/图|文／图|图/文|文\s*/|文：|记者|[\u4e00-\u9fff]{0,6}(?:记者|评论员)|(?:编译|撰文|作者|整理)\s*[/／:：]?)\s*([\u4e00-\u9fff·]{2,4}(?:[\s、,，]+[\u4e00-\u9fff·]{2,4}){0,4})\s*(?:[\u4e00-\u9fff]{0,6}报道)?\s*[）)]\s*$")
_TRAILING_REPORT_RE = re.compile(r"[（(]\s*([\u4e00-\u9fff·]{2,4}(?:[\s、,，]+[\u4e00-\u9fff·]{2,4}){0,3})\s+[\u4e00-\u9fff]{0,6}报道\s*[）)]\s*$")
_TRAILING_LAST_RE = re.compile(r"[。！？!?”\"…]\s*[（(]\s*([\u4e00-\u9fff·]{2,3}(?:[\s、,，]+[\u4e00-\u9fff·]{2,3}){0,2})\s*[）)]\s*$")
_TRAILING_BARE_RE = re.compile(r"^[（(]\s*([\u4e00-\u9fff·]{2,3}(?:[\s、,，]+[\u4e00-\u9fff·]{2,3}){0,2})\s*[）)]$")


_NAMES = r"[\u4e00-\u9fff·]{2,4}(?:[\s、,，]+[\u4e00-\u9fff·]{2,4}){0,5}"
# "新华社上海6月3日电（吴迪、郑凯）": names alone in the dateline's brackets
_DATELINE_NAMES_RE = re.compile(r"^(?:[^\s（(]{0,12}?(?:社|报|网|台|电|讯))?[^\s（(]{0,10}?\d{1,2}月\d{1,2}日(?:电|讯)\s*[（(]\s*(" + _NAMES + r")\s*[）)]")
_XUN_RE = re.compile(r"^[^\s（(。，]{0,16}?(?:讯|电)\s*[（(]\s*(?:本报|本台|本网|全媒体|融媒体|首席)?记者\s*([^）)]+)[）)]")


def dateline_author(line: str) -> list[str]:
    """"新华社北京5月9日电（记者邹伟）", "本报讯（记者 王芳 通讯员 李明）": the reporters only."""
    m = _DATELINE_RE.search(line) or _XUN_RE.search(line)
    if not m:
        m = _DATELINE_NAMES_RE.search(line)
        if not m or any(_ORG_END_RE.search(t) or t in NOT_BARE_NAMES or is_place(t)
                        for t in _NAME_SPLIT_RE.split(m.group(1)) if t):
            return []
    value = re.split(r"\s*(?:通讯员|实习生|见习记者|摄影|摄)", m.group(1))[0]
    return clean_people(value)


def byline_author(line: str) -> list[str]:
    """A standalone byline: "新华社记者邹多为、唐诗凝、丁乐", "澎湃新闻记者 贺梨萍", "新京报记者 彭冲 山东冠县报道"."""
    if len(line) > 40:
        return []
    line = re.sub(r"\s+[\u4e00-\u9fff]{1,8}报道$", "", _LEAD_SYMBOLS_RE.sub("", line.strip()))
    line = re.split(r"\s*(?:通讯员|实习生|摄影|摄)\s*", line.strip())[0]
    line = join_spaced_names(re.sub(r"\s*[/／|｜︱]\s*文$", "", line))
    for rx in (_BYLINE_RE, _CREDIT_LINE_RE):
        m = rx.match(line.strip())
        if m:
            return clean_people(m.group(1))
    return []


def trailing_author(line: str, standalone_ok: bool = False, last: bool = False) -> list[str]:
    """"…（记者 胡晓蓉）", "(文/图 刘玺东 易赛楠)", "（姚峰 上海报道）" at the end of a paragraph;
    with `standalone_ok` a line that is only "（袁源）"; with `last` (the text's last paragraph) a
    bare "（张伟）" after its last sentence."""
    for rx in (_TRAILING_RE, _TRAILING_REPORT_RE):
        m = rx.search(line)
        if m:
            return clean_people(m.group(1))
    m = _TRAILING_BARE_RE.match(line.strip()) if standalone_ok else None
    if m is None and last:
        m = _TRAILING_LAST_RE.search(line)
    if m and not any(_ORG_END_RE.search(t) or t in NOT_BARE_NAMES or is_place(t)
                     for t in _NAME_SPLIT_RE.split(m.group(1)) if t):
        return clean_people(m.group(1))
    return []


_EDITOR_PAREN_RE = re.compile(r"^[（(\[【]\s*[\u4e00-\u9fff]{0,10}?(?:责任编辑|值班编辑|编辑|责编)\s*[:：]?\s*(" + _NAMES + r")\s*[）)\]】]$")


def editor_credit(line: str) -> str | None:
    """The editor of a credit line: "[ 责编：何佳 ]", "【编辑：许可】", "（某某网编辑 方红）"."""
    for kind, _lab, value in parse_labels(line):
        if kind == "editor":
            v = clean_editor(value)
            if v:
                return v
    m = _EDITOR_PAREN_RE.match(line.strip())
    if m:
        return clean_editor(join_spaced_names(m.group(1)))
    return None


_PLACES = ("北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 "
           "云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 海外 美国 日本 英国 法国 德国 加拿大 澳大利亚").split()
_PLACE_RE = re.compile(r"^(?:中国)?(?:" + "|".join(_PLACES) + r")(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)?"
                       r"(?:[\u4e00-\u9fff]{1,4}(?:市|区|县))?$")


def is_place(v: str) -> bool:
    """An IP-location label value ("来自福建", "发布于北京"), not an outlet."""
    return bool(_PLACE_RE.match(v.strip()))
