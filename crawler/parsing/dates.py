"""Publication dates: regexes for the common Chinese shapes, dateparser only as a fallback.

Every function returns an ISO string at the precision shown: "YYYY-MM-DD" for a date,
"YYYY-MM-DDTHH:MM+08:00" / "...:SS+08:00" when a time is shown (China time unless the text
says GMT/UTC). Relative and year-less dates resolve against `fetched_at` (never the wall clock).
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple

CST = timezone(timedelta(hours=8))

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "О": 0, "O": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

_SEP = r"\s*"
_TIME = (r"(?:(?:\s*|\D{1,12}?(?<!\d))(?P<H>[01]?\d|2[0-3])\s*[:：时]\s*(?P<M>[0-5]\d)"
         r"(?:\s*[:：分]\s*(?P<S>[0-5]\d)(?:\.\d+)?)?)?")
# 2022年4月6日 10:30 / 2022-04-06 09:12:33 / 2022.01.20 16:31 / 2024/5/13
_YMD_RE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)\s*(?:年|-|/|\.|\|)\s*(?P<m>1[0-2]|0?[1-9])\s*(?:月|-|/|\.|\|)\s*"
    r"(?P<d>3[01]|[12]\d|0?[1-9])(?:\s*日)?(?!\d{3})" + _TIME)
# 06/02/2022 - 13:48 (day first, as European sites write it)
_DMY_RE = re.compile(
    r"(?<!\d)(?P<d>3[01]|[12]\d|0?[1-9])/(?P<m>1[0-2]|0?[1-9])/(?P<y>(?:19|20)\d\d)(?!\d)" + _TIME)
# 二〇二二年四月六日
_CN_RE = re.compile(r"(?P<y>[〇○零一二三四五六七八九ＯO]{4})\s*年\s*(?P<m>十[一二]?|[一二三四五六七八九])\s*月\s*"
                    r"(?P<d>三十[一]?|二?十[一二三四五六七八九]?|[一二三四五六七八九])\s*日")
# 5月20日 (10:30) -- no year
_MD_CN_RE = re.compile(r"(?<![\d年])(?P<m>1[0-2]|0?[1-9])\s*月\s*(?P<d>3[01]|[12]\d|0?[1-9])\s*日" + _TIME)
# 01-14 17:58 -- no year; a time is required so that "3-5" is not a date
_MD_DASH_RE = re.compile(
    r"(?<![\d\-/.])(?P<m>1[0-2]|0[1-9])-(?P<d>3[01]|[12]\d|0[1-9])\s*(?P<H>[01]?\d|2[0-3])[:：](?P<M>[0-5]\d)(?::(?P<S>[0-5]\d))?")
_REL_RE = re.compile(r"(?P<n>\d+)\s*(?P<u>秒钟?|分钟|小时|个小时|天|日|周|个月)前")
_DAYWORD_RE = re.compile(r"(?P<w>刚刚|今天|昨天|前天)\s*(?:(?P<H>[01]?\d|2[0-3])[:：](?P<M>[0-5]\d))?")
_GMT_RE = re.compile(r"格林[尼威]治|GMT|UTC", re.I)

# Labels that introduce a publication date, and labels of dates that are not one.
PUB_LABELS = r"(?:发布时间|发表时间|发布日期|发表日期|发稿时间|出版时间|上线时间|时间|日期|发表于|发布于|发布|发表|Posted|Published)"
UPD_LABELS = r"(?:最后更新|更新时间|更新于|修改时间|更新)"
_LABEL_RE = re.compile(r"(?P<lab>" + UPD_LABELS + "|" + PUB_LABELS + r")\s*[:：]?\s*")
_NOT_PUB_RE = re.compile(r"(评论|回复|留言|浏览|访问|生成|保存|截止|截至|活动时间|报名|开始时间|结束时间|举办时间|会议时间|营业时间|有效期)")


class Found(NamedTuple):
    iso: str
    start: int
    end: int
    has_time: bool
    kind: str  # "abs", "yearless", "relative"


def _valid(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
        return True
    except ValueError:
        return False


def _fmt(y, m, d, H=None, M=None, S=None, tz: str = "+08:00") -> str:
    s = f"{y:04d}-{m:02d}-{d:02d}"
    if H is None:
        return s
    s += f"T{H:02d}:{M:02d}"
    if S is not None:
        s += f":{S:02d}"
    return s + tz


def _cn_num(s: str) -> int:
    if "十" in s:
        a, _, b = s.partition("十")
        return (_CN_DIGITS.get(a, 1) if a else 1) * 10 + (_CN_DIGITS.get(b, 0) if b else 0)
    return _CN_DIGITS.get(s, 0)


def _tz_for(text: str, end: int) -> str:
    return "+00:00" if _GMT_RE.search(text[max(0, end - 30):end + 4]) else "+08:00"


def _time_parts(m) -> tuple[int | None, int | None, int | None]:
    gd = m.groupdict()
    if gd.get("H") is None:
        return None, None, None
    S = gd.get("S")
    return int(gd["H"]), int(gd["M"]), (int(S) if S is not None else None)


def find_dates(text: str, fetched_at: datetime | None = None, url_year: int | None = None,
               allow_relative: bool = True) -> list[Found]:
    """All dates in `text`, in order of position (absolute, year-less and relative shapes)."""
    out: list[Found] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    def add(f: Found):
        if free(f.start, f.end):
            out.append(f)
            taken.append((f.start, f.end))

    max_year = (fetched_at.year + 1) if fetched_at else 2100
    for rx in (_YMD_RE, _DMY_RE):
        for m in rx.finditer(text):
            y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
            if not (1990 <= y <= max_year and _valid(y, mo, d)):
                continue
            H, M, S = _time_parts(m)
            if H is not None:
                # a time behind other words does not belong to this date
                between = _GMT_RE.sub("", text[m.end("d"):m.start("H")]).replace("日", "", 1)
                if re.search(r"[\u4e00-\u9fffA-Za-z]", between.replace("标准时间", "")) and between != "T":
                    # (ISO 8601's "2019-09-21T10:05" joins them with a T)
                    H = M = S = None
            end = m.end() if H is not None else m.end("d") + (1 if text[m.end("d"):m.end("d") + 1] == "日" else 0)
            add(Found(_fmt(y, mo, d, H, M, S, _tz_for(text, end)), m.start(), end, H is not None, "abs"))
    for m in _CN_RE.finditer(text):
        y = int("".join(str(_CN_DIGITS.get(c, 0)) for c in m["y"]))
        mo, d = _cn_num(m["m"]), _cn_num(m["d"])
        if 1990 <= y <= max_year and _valid(y, mo, d):
            add(Found(_fmt(y, mo, d), m.start(), m.end(), False, "abs"))
    if fetched_at is not None:
        for rx in (_MD_DASH_RE, _MD_CN_RE):
            for m in rx.finditer(text):
                mo, d = int(m["m"]), int(m["d"])
                H, M, S = _time_parts(m)
                if H is not None and re.search(r"[\u4e00-\u9fffA-Za-z]", text[m.end("d"):m.start("H")].replace("日", "", 1)):
                    H = M = S = None
                y = _year_for(mo, d, fetched_at, url_year)
                if y is None or not _valid(y, mo, d):
                    continue
                end = m.end() if H is not None else m.end("d") + 1
                add(Found(_fmt(y, mo, d, H, M, S), m.start(), end, H is not None, "yearless"))
        if allow_relative:
            local = fetched_at.astimezone(CST)
            for m in _REL_RE.finditer(text):
                n, u = int(m["n"]), m["u"]
                if u.startswith("秒"):
                    dt, prec = local - timedelta(seconds=n), "min"
                elif u == "分钟":
                    dt, prec = local - timedelta(minutes=n), "min"
                elif u.endswith("小时"):
                    dt, prec = local - timedelta(hours=n), "min"
                elif u in ("天", "日"):
                    dt, prec = local - timedelta(days=n), "day"
                elif u == "周":
                    dt, prec = local - timedelta(weeks=n), "day"
                else:
                    dt, prec = local - timedelta(days=30 * n), "day"
                iso = _fmt(dt.year, dt.month, dt.day, dt.hour, dt.minute) if prec == "min" else _fmt(dt.year, dt.month, dt.day)
                add(Found(iso, m.start(), m.end(), prec == "min", "relative"))
            for m in _DAYWORD_RE.finditer(text):
                w = m["w"]
                if w == "刚刚":
                    add(Found(_fmt(local.year, local.month, local.day, local.hour, local.minute), m.start(), m.end(), True, "relative"))
                    continue
                dt = local - timedelta(days={"今天": 0, "昨天": 1, "前天": 2}[w])
                H, M, _S = _time_parts(m)
                add(Found(_fmt(dt.year, dt.month, dt.day, H, M), m.start(), m.end(), H is not None, "relative"))
    out.sort(key=lambda f: f.start)
    return out


def _year_for(mo: int, d: int, fetched_at: datetime, url_year: int | None) -> int | None:
    if url_year:
        return url_year
    local = fetched_at.astimezone(CST)
    y = local.year
    if not _valid(y, mo, d):
        return None
    # a month-day later than the fetch date belongs to last year
    if date(y, mo, d) > local.date() + timedelta(days=1):
        y -= 1
    return y


def parse_date(text: str, fetched_at: datetime | None = None, url_year: int | None = None) -> str | None:
    """The first date in `text` (regex shapes), else dateparser on a short string."""
    found = find_dates(text, fetched_at, url_year)
    if found:
        return found[0].iso
    if text and len(text) <= 60:
        return dateparser_fallback(text, fetched_at)
    return None


def labelled_dates(text: str, fetched_at: datetime | None = None, url_year: int | None = None):
    """[(label, Found)] for dates preceded by a date label in `text` ("发布时间：2022-04-06")."""
    out = []
    found = find_dates(text, fetched_at, url_year)
    for f in found:
        before = text[max(0, f.start - 12):f.start]
        m = None
        for mm in _LABEL_RE.finditer(before):
            m = mm
        if m and before[m.end():].strip(" \u3000|:：丨") == "":
            if _NOT_PUB_RE.search(before[max(0, m.start() - 4):m.end()]):
                continue
            out.append((m["lab"], f))
    return out


def is_update_label(label: str) -> bool:
    return bool(re.fullmatch(UPD_LABELS, label))


# ---- hidden metadata and URLs ----

_ISO_RE = re.compile(
    r"(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)(?:[T ](?P<H>\d\d):(?P<M>\d\d)(?::(?P<S>\d\d))?(?:\.\d+)?"
    r"\s*(?P<tz>Z|[+-]\d\d:?\d\d)?)?")


def parse_meta_date(value: str, fetched_at: datetime | None = None) -> str | None:
    """Dates from <meta>/JSON-LD/comments: ISO 8601 with an offset is converted to China time."""
    value = (value or "").strip()
    if not value:
        return None
    m = _ISO_RE.match(value)
    if m:
        y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
        if not _valid(y, mo, d):
            return None
        if m["H"] is None:
            return _fmt(y, mo, d)
        H, M, S = int(m["H"]), int(m["M"]), (int(m["S"]) if m["S"] else None)
        tz = m["tz"]
        if tz:
            if tz == "Z":
                off = timezone.utc
            else:
                sign = 1 if tz[0] == "+" else -1
                hh, mm = int(tz[1:3]), int(tz[-2:])
                off = timezone(sign * timedelta(hours=hh, minutes=mm))
            dt = datetime(y, mo, d, H, M, S or 0, tzinfo=off).astimezone(CST)
            return _fmt(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second if S is not None else None)
        return _fmt(y, mo, d, H, M, S)
    if value.isdigit() and len(value) in (10, 13):
        ts = int(value[:10])
        dt = datetime.fromtimestamp(ts, CST)
        if 1990 <= dt.year <= 2100:
            return _fmt(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second)
    return parse_date(value, fetched_at)


_URL_DATE_RES = (
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)[-/_]?(?P<m>0[1-9]|1[0-2])[-/_]?(?P<d>0[1-9]|[12]\d|3[01])(?!\d)"),
    re.compile(r"/(?P<y>(?:19|20)\d\d)-(?P<m>0[1-9]|1[0-2])/(?P<d>0[1-9]|[12]\d|3[01])/"),
    re.compile(r"/(?P<y>(?:19|20)\d\d)(?P<m>0[1-9]|1[0-2])/(?P<d>0[1-9]|[12]\d|3[01])/"),
    re.compile(r"/(?P<yy>\d\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])/"),
)


def url_date(url: str) -> str | None:
    """A date in the URL path (/2024-05/13/, t20240513_, /20240513/, /240423/), else None."""
    if not url:
        return None
    path = re.sub(r"^[a-z]+://[^/]+", "", url)
    path = path.split("?", 1)[0]
    for rx in _URL_DATE_RES:
        m = rx.search(path)
        if m:
            if m.groupdict().get("yy") and m["yy"] in ("19", "20"):
                continue  # "/200502/" is more likely 2005-02 than 2020-05-02
            y = int(m["y"]) if "y" in m.groupdict() and m.groupdict().get("y") else 2000 + int(m["yy"])
            mo, d = int(m["m"]), int(m["d"])
            if 1995 <= y <= 2100 and _valid(y, mo, d):
                return _fmt(y, mo, d)
    return None


def url_year(url: str) -> int | None:
    d = url_date(url)
    if d:
        return int(d[:4])
    m = re.search(r"/((?:19|20)\d\d)(?:[-/_]|0[1-9]|1[0-2])", re.sub(r"^[a-z]+://[^/]+", "", url or ""))
    return int(m.group(1)) if m else None


# ---- dateparser, loaded once, only as a fallback ----

_DP = None


def dateparser_fallback(text: str, fetched_at: datetime | None = None) -> str | None:
    global _DP
    if not text or not re.search(r"\d", text):
        return None
    try:
        if _DP is None:
            import dateparser  # noqa: WPS433 (slow import, done once)
            _DP = dateparser
        settings = {"TIMEZONE": "Asia/Shanghai", "RETURN_AS_TIMEZONE_AWARE": True,
                    "PREFER_DAY_OF_MONTH": "first", "STRICT_PARSING": True}
        if fetched_at is not None:
            settings["RELATIVE_BASE"] = fetched_at.astimezone(CST).replace(tzinfo=None)
        dt = _DP.parse(text, settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    if dt is None or not (1990 <= dt.year <= 2100):
        return None
    dt = dt.astimezone(CST)
    if re.search(r"\d{1,2}:\d\d", text):
        return _fmt(dt.year, dt.month, dt.day, dt.hour, dt.minute)
    return _fmt(dt.year, dt.month, dt.day)
