"""Park mentions: which development zones (园区) an article names, and which it is about.

Pure: text in, mentions out (no database, no Scrapy). Used at the end of `parse_page` (the
record's `parks` field) and by the archive, which adds the parks users confirmed
(`Gazetteer.with_parks`).

How a mention is found, in this order:

1. Gazetteer names and aliases (crawler/parsing/data/parks.toml): "苏州园区", "光谷", "北京亦庄",
   "上海自贸区临港新片区" ...; the longest alias wins at each place, so nested names resolve to
   the outer one ("上海自贸区临港新片区" is the 临港新片区, not 上海自贸区).
2. "<place><zone type>" forms: a zone-type word (经开区, 高新区, 综合保税区, 自贸区, 新区 ...)
   after a run of known place names ("陕西省西安市经开区" -> 西安 + 经开区), with optional 省/市/县/区
   between them (crawler/parsing/data/places.txt). Each is normalised to one park: a gazetteer
   park of that place and zone family ("西安经开区" -> 西安经济技术开发区), else an unknown park
   named place + canonical zone type ("宜兴经开区" -> 宜兴经济技术开发区, known=False: a candidate
   for a person to confirm). 工业园/产业园 forms may have an industry word between place and
   type ("苏州生物医药产业园").
3. Short forms standing alone ("……经开区还将……", "园区将在……", "新区今年……") count as a mention of
   the park of that zone family named last before them; a short form with no such park before
   it, or after a generic marker (全国经开区, 各开发区, 国家级高新区), is no mention.

Look-alikes that are not mentions: a zone word inside a company name ("某科技产业园有限公司",
"苏州工业园区国有资本投资运营控股有限公司"), streets, stations and housing ("高新区路",
"地铁4号线高新区站", "新区小区"), 新区 after a name that is no place ("城东新区": a neighbourhood).

An article is *about* a park when the park is in the title or mentioned at least ABOUT_MENTIONS
times (short forms included); otherwise it merely names it.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

DATA_DIR = Path(__file__).with_name("data")
GAZETTEER_PATH = DATA_DIR / "parks.toml"
PLACES_PATH = DATA_DIR / "places.txt"
ABOUT_MENTIONS = 2
LEVELS = ("国家级", "省级", "市级")

# zone-type surface -> (family, canonical type of an unknown park with this surface)
ZONE_SURFACES: dict[str, tuple[str, str]] = {
    "经济技术开发区": ("etdz", "经济技术开发区"),
    "经开区": ("etdz", "经济技术开发区"),
    "经济开发区": ("etdz", "经济开发区"),
    "开发区": ("etdz", "开发区"),
    "高新技术产业开发区": ("hitech", "高新技术产业开发区"),
    "高新技术开发区": ("hitech", "高新技术产业开发区"),
    "国家高新区": ("hitech", "高新技术产业开发区"),
    "高新区": ("hitech", "高新技术产业开发区"),
    "高新技术产业园区": ("hitech", "高新技术产业园区"),
    "综合保税区": ("csbz", "综合保税区"),
    "综保区": ("csbz", "综合保税区"),
    "保税港区": ("bondedport", "保税港区"),
    "保税区": ("bonded", "保税区"),
    "出口加工区": ("epz", "出口加工区"),
    "自由贸易试验区": ("ftz", "自由贸易试验区"),
    "自贸试验区": ("ftz", "自由贸易试验区"),
    "自由贸易区": ("ftz", "自由贸易试验区"),
    "自贸区": ("ftz", "自由贸易试验区"),
    "自由贸易港": ("ftp", "自由贸易港"),
    "自贸港": ("ftp", "自由贸易港"),
    "工业园区": ("industrial", "工业园区"),
    "工业园": ("industrial", "工业园"),
    "产业园区": ("industry", "产业园区"),
    "产业园": ("industry", "产业园"),
    "新区": ("newarea", "新区"),
    "临港经济区": ("port", "临港经济区"),
    "临空经济示范区": ("airport", "临空经济示范区"),
    "临空经济区": ("airport", "临空经济区"),
    "示范区": ("demo", "示范区"),
}
# Of an unknown park seen in several forms in one article, the name uses the first of these.
_CANONICAL_PREFERENCE = ("经济技术开发区", "经济开发区", "开发区", "高新技术产业开发区", "高新技术产业园区")
# Families whose unknown parks may carry an industry word between place and type.
_DESCRIPTOR_FAMILIES = {"industrial", "industry"}
# Zone words that are no park of their own without a place or a gazetteer name.
_NEEDS_PLACE_ALWAYS = {"demo"}
# `type` values of the gazetteer: the zone-type words a park of that type is also called by.
TYPE_FAMILY = {
    "经济技术开发区": "etdz", "经济开发区": "etdz", "高新技术产业开发区": "hitech", "新区": "newarea",
    "自由贸易试验区": "ftz", "综合保税区": "csbz", "工业园区": "industrial", "保税港区": "bondedport",
    "保税区": "bonded", "产业园": "industry", "临港经济区": "port", "其他": None,
}
PARK_TYPES = tuple(TYPE_FAMILY)

_ZONE_RE = re.compile("|".join(sorted(map(re.escape, ZONE_SURFACES), key=len, reverse=True)))
_CJK = r"\u3400-\u9fff"
_ADMIN_SUFFIX = ("自治州", "自治县", "新区", "省", "市", "县", "区", "州", "盟", "旗")
_FUNCTION_CHARS = set("在于的和与及是为将对向从到由让使被把同跟给该本我其了也还都又并且而或等个家")
_GENERIC_BEFORE = re.compile(
    r"(?:全国|全省|全市|全区|各地|各类|各|国家级|省级|市级|其他|其它|多个|一批|多家|众多|所有|首批|不少|部分|"
    r"类|地方|省内|市内|境内|国内|\d+个|\d+家|[一二三四五六七八九十两几]+个|[一二三四五六七八九十两几]+家|全)$")
_COMPANY_AFTER = re.compile(
    r"^[^，。；：、！？,.;:!?\s“”\"（）()《》]{0,16}?(?:股份有限公司|有限责任公司|有限公司|集团有限公司)")
_NOT_A_PARK_AFTER = re.compile(r"^(?:路|大道|大街|街|站|地铁站|号线|小区|花园|公寓|家园|社区|村|块|楼盘|机场)")
_COMPANY_STOP = re.compile(r"管委会|管理委员会|[与和及同在对向为将是了的]")
_DESCRIPTOR_STOP = re.compile(
    r"建设|打造|推进|推动|发展|成立|设立|规划|布局|落户|入驻|新建|共建|一个|一批|多个|等|园区|[在于的和与及是为将对向从到由了也还都又并]")
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


def fold(text: str) -> str:
    """Full-width ASCII to ASCII, one character for one (offsets are kept)."""
    return text.translate(_FULLWIDTH)


def _display(name: str) -> str:
    """A park name as stored: Chinese full-width brackets."""
    return name.replace("(", "（").replace(")", "）")


@dataclass(frozen=True)
class Park:
    name: str
    type: str = "其他"
    place: str | None = None
    level: str | None = None
    aliases: tuple[str, ...] = ()
    origin: str = "gazetteer"  # or "user"

    @property
    def family(self) -> str | None:
        fam = TYPE_FAMILY.get(self.type)
        if fam:
            return fam
        best = None
        for m in _ZONE_RE.finditer(fold(self.name)):
            if m.end() == len(self.name):
                best = ZONE_SURFACES[m.group(0)][0]
        return best


class GazetteerError(ValueError):
    """A park list that cannot be read (names the file and the entry)."""


def check_park(entry: dict[str, Any], where: str) -> Park:
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise GazetteerError(f"{where}: a park without a name")
    type_ = entry.get("type", "其他")
    if type_ not in TYPE_FAMILY:
        raise GazetteerError(f"{where}: park {name!r}: unknown type {type_!r} (one of {', '.join(PARK_TYPES)})")
    level = entry.get("level")
    if level is not None and level not in LEVELS:
        raise GazetteerError(f"{where}: park {name!r}: unknown level {level!r} (one of {', '.join(LEVELS)})")
    aliases = entry.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise GazetteerError(f"{where}: park {name!r}: aliases must be a list of names")
    name = _display(name.strip())
    out = []
    for a in aliases:
        a = _display(a.strip())
        if a != name and a not in out:
            out.append(a)
    return Park(name, type_, entry.get("place") or None, level, tuple(out), entry.get("origin", "gazetteer"))


@lru_cache(maxsize=1)
def load_places(path: Path = PLACES_PATH) -> frozenset[str]:
    return frozenset(w for line in _place_lines(path) for w in line)


def _place_lines(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def load_provinces(path: Path = PLACES_PATH) -> frozenset[str]:
    """The first line of the place list: provinces and municipalities."""
    return frozenset(_place_lines(path)[0])


class Gazetteer:
    """Canonical parks and the names they go by."""

    def __init__(self, parks: Iterable[Park], places: frozenset[str] | None = None):
        self.parks: dict[str, Park] = {}
        for p in parks:
            old = self.parks.get(p.name)
            if old is not None:  # a later entry (a user's) of a known park: more names, its facts first
                p = Park(p.name, p.type if p.type != "其他" else old.type, p.place or old.place,
                         p.level or old.level, old.aliases + tuple(a for a in p.aliases if a not in old.aliases),
                         p.origin)
            self.parks[p.name] = p
        self.places = places if places is not None else load_places()
        self.provinces = load_provinces()
        self.alias: dict[str, str] = {}
        self.by_place: dict[tuple[str, str], list[str]] = {}
        for p in self.parks.values():
            for a in (p.name,) + p.aliases:
                self.alias.setdefault(fold(a), p.name)
            if p.place and p.family and TYPE_FAMILY.get(p.type):
                self.by_place.setdefault((p.place, p.family), []).append(p.name)
        for p in self.parks.values():  # a user's alias wins over a seeded one
            if p.origin == "user":
                for a in (p.name,) + p.aliases:
                    self.alias[fold(a)] = p.name
        keys = sorted(self.alias, key=len, reverse=True)
        self._alias_re = re.compile("|".join(map(re.escape, keys))) if keys else None
        self._place_max = max((len(w) for w in self.places), default=0)

    @classmethod
    def load(cls, path: Path = GAZETTEER_PATH) -> "Gazetteer":
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise GazetteerError(f"{path}: cannot read the park list ({exc})") from None
        entries = data.get("park", [])
        return cls(check_park(e, f"{path} park #{i + 1}") for i, e in enumerate(entries))

    def with_parks(self, extra: Iterable[Park | dict[str, Any]]) -> "Gazetteer":
        """This gazetteer plus `extra` parks (a user's; same name: the extra one wins)."""
        more = [p if isinstance(p, Park) else check_park(p, "user park") for p in extra]
        return Gazetteer(list(self.parks.values()) + more, self.places)

    def resolve(self, name: str) -> str | None:
        """The canonical park a name or alias stands for (exact, after width folding)."""
        return self.alias.get(fold(_display(name.strip())))

    # ---- place names ----
    def _tokenizes(self, s: str) -> list[str] | None:
        """`s` as a run of place names, each with an optional admin suffix; the place names."""
        if not s:
            return []
        for n in range(min(len(s), self._place_max), 1, -1):
            word = s[:n]
            if word in self.places:
                rest = s[n:]
                for suf in _ADMIN_SUFFIX + ("",):
                    if rest.startswith(suf):
                        tail = self._tokenizes(rest[len(suf):])
                        if tail is not None:
                            return [word] + tail
        return None

    def place_before(self, text: str, end: int) -> tuple[int, str] | None:
        """The place-name run ending at `end` (start, most specific place), if any."""
        start = end
        while start > 0 and end - start < 16 and re.match(f"[{_CJK}]", text[start - 1]):
            start -= 1
        run = text[start:end]
        for i in range(len(run) - 1):
            words = self._tokenizes(run[i:])
            if words:
                return start + i, words[-1]
        # a name not in the list right after a province or a city: "浙江武义" -> 武义,
        # "长春净月" -> 长春净月, "西安高新(综合保税区)" -> 西安高新
        for i in range(len(run) - 2):
            words = self._tokenizes(run[i:len(run) - 2])
            tail = run[len(run) - 2:]
            if words and not (set(tail) & _FUNCTION_CHARS):
                return start + i, tail if words[-1] in self.provinces else words[-1] + tail
        # "XX县": a county not in the list, after a boundary
        if len(run) >= 3 and run.endswith("县") and not (set(run[-3:-1]) & _FUNCTION_CHARS) and (
                len(run) == 3 or run[-4] in _FUNCTION_CHARS):
            return end - 3, run[-3:-1]
        return None


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    return Gazetteer.load()


@dataclass
class Mention:
    park: str
    field: str  # "title" or "body"
    start: int
    end: int
    text: str
    form: str  # "name" (a gazetteer name or alias), "place" (<place><zone type>), "short"
    family: str | None = None
    known: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "start": self.start, "end": self.end, "text": self.text, "form": self.form}


@dataclass
class _Found:
    start: int
    end: int
    text: str
    form: str
    family: str | None
    park: str | None = None  # known park
    key: tuple[str, str] | None = None  # unknown: (place, family)
    suffix: str | None = None  # unknown: canonical type
    name: str | None = None  # unknown with a descriptor: its full name


def _ascii_word(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _rejected_after(text: str, end: int) -> bool:
    after = text[end:end + 24]
    if _NOT_A_PARK_AFTER.match(after):
        return True
    m = _COMPANY_AFTER.match(after)
    return bool(m and not _COMPANY_STOP.search(m.group(0)))


def _scan(text: str, gaz: Gazetteer) -> list[_Found]:
    folded = fold(text)
    found: list[_Found] = []
    taken = [False] * len(folded)
    if gaz._alias_re is not None:
        for m in gaz._alias_re.finditer(folded):
            s, e = m.span()
            a = m.group(0)
            if a.isascii() and ((s > 0 and _ascii_word(folded[s - 1])) or (e < len(folded) and _ascii_word(folded[e]))):
                continue
            # an alias that is the tail of a longer place ("新郑综保区" in "郑州新郑综保区" is fine;
            # "江北新区" after "南京" too): the alias regex already prefers the longest name.
            if _rejected_after(folded, e):
                for i in range(s, e):
                    taken[i] = True
                continue
            name = gaz.alias[a]
            park = gaz.parks[name]
            found.append(_Found(s, e, text[s:e], "name", park.family, park=name))
            for i in range(s, e):
                taken[i] = True
    zones = [False] * len(folded)
    for m in _ZONE_RE.finditer(folded):
        s, e = m.span()
        for i in range(s, e):
            zones[i] = True
        if any(taken[s:e]):
            continue
        surface = m.group(0)
        family, suffix = ZONE_SURFACES[surface]
        if _rejected_after(folded, e):
            continue
        place = gaz.place_before(folded, s)
        desc_start = None
        if place is None and family in _DESCRIPTOR_FAMILIES:
            # "苏州生物医药产业园", "中德（沈阳）高端装备制造产业园"
            for k in range(2, 9):
                d = s - k
                if d < 2 or not re.fullmatch(f"[{_CJK}]+", folded[d:s]):
                    break
                if _DESCRIPTOR_STOP.search(folded[d:s]) or _ZONE_RE.search(folded[d:s]):
                    break
                pm = re.search(r"([" + _CJK + r"]{0,4})\(([" + _CJK + r"]{2,5})\)$", folded[max(0, d - 12):d])
                if pm and pm.group(2) in gaz.places:
                    desc_start = d - len(pm.group(0))
                    place = (desc_start, pm.group(2))
                    break
                p = gaz.place_before(folded, d)
                if p is not None:
                    desc_start, place = d, p
                    break
        if place is None:
            if any(taken[max(0, s - 1):s]):
                continue  # glued to a name just found ("苏州工业园区" ... handled; "X新区" etc.)
            found.append(_Found(s, e, text[s:e], "short", family))
            continue
        pstart, pname = place
        if any(taken[pstart:s]):
            continue
        full = folded[pstart:e]
        known = _known(gaz, full, pname, family) if desc_start is None else gaz.alias.get(full)
        if desc_start is None:
            # "西安、宝鸡、渭南高新区": the zone word is shared by every place of the list
            k = pstart
            while k > 1 and folded[k - 1] == "、" and not taken[k - 2]:
                q = gaz.place_before(folded, k - 1)
                if q is None or (q[0] > 0 and re.match(f"[{_CJK}]", folded[q[0] - 1])
                                 and folded[q[0] - 1] not in _FUNCTION_CHARS):
                    break
                qk = _known(gaz, folded[q[0]:k - 1] + surface, q[1], family)
                found.append(_Found(q[0], k - 1, text[q[0]:k - 1], "place", family, park=qk,
                                    key=None if qk else (q[1], family), suffix=suffix))
                k = q[0]
        if known is not None:
            found.append(_Found(pstart, e, text[pstart:e], "place", family, park=known))
        elif family in _NEEDS_PLACE_ALWAYS:
            continue
        elif desc_start is not None:
            # "中德(沈阳)…产业园" keeps its whole name; "江苏省苏州市生物医药产业园" is 苏州生物医药产业园
            name = _display(full) if "(" in full else pname + folded[desc_start:e]
            found.append(_Found(pstart, e, text[pstart:e], "place", family, name=name))
        else:
            found.append(_Found(pstart, e, text[pstart:e], "place", family, key=(pname, family), suffix=suffix))
        for i in range(pstart, e):
            taken[i] = True
    # "园区" alone: the park named last ("园区将在住房方面给予支持"); never a name of its own
    for m in re.finditer("园区", folded):
        s, e = m.span()
        if not any(taken[s:e]) and not any(zones[s:e]) and not _rejected_after(folded, e):
            found.append(_Found(s, e, text[s:e], "short", None))
    found.sort(key=lambda f: f.start)
    # "合肥经开区、高新区": a zone word right after a place's park and a 、/和/与/及 is that place's
    for i in range(1, len(found)):
        f, g = found[i], found[i - 1]
        if f.form != "short" or f.family is None or g.form == "short" or g.end != f.start - 1 \
                or folded[g.end] not in "、和与及" or g.family == f.family:
            continue
        place = g.key[0] if g.key else (gaz.parks[g.park].place if g.park in gaz.parks else None)
        if not place:
            continue
        surface = f.text
        known = _known(gaz, place + surface, place, f.family)
        suffix = ZONE_SURFACES[surface][1]
        found[i] = _Found(f.start, f.end, f.text, "place", f.family, park=known,
                          key=None if known else (place, f.family), suffix=suffix)
    return found


def _known(gaz: Gazetteer, full: str, place: str, family: str) -> str | None:
    """The gazetteer park a "<place><zone type>" form stands for: its alias, else the one park of
    that place and zone family."""
    known = gaz.alias.get(full)
    if known is None:
        cands = gaz.by_place.get((place, family), [])
        if len(cands) == 1:
            known = cands[0]
    return known


def _unknown_name(place: str, suffixes: list[str]) -> str:
    for pref in _CANONICAL_PREFERENCE:
        if pref in suffixes:
            if pref == "开发区" and "经济开发区" not in suffixes and any(
                    s == "经济技术开发区" for s in suffixes):
                continue
            return _display(place + pref)
    return _display(place + suffixes[0])


def find_mentions(title: str | None, body: str | None, gazetteer: Gazetteer | None = None) -> list[Mention]:
    """Every park mention in title and body, in reading order, short forms resolved."""
    gaz = gazetteer or default_gazetteer()
    fields = [("title", title or ""), ("body", body or "")]
    scanned = [(fname, text, _scan(text, gaz)) for fname, text in fields]
    # unknown parks: one name per (place, family) for the whole article
    suffixes: dict[tuple[str, str], list[str]] = {}
    for _, _, found in scanned:
        for f in found:
            if f.key is not None:
                suffixes.setdefault(f.key, [])
                if f.suffix not in suffixes[f.key]:
                    suffixes[f.key].append(f.suffix)
    names = {k: _unknown_name(k[0], v) for k, v in suffixes.items()}
    mentions: list[Mention] = []
    last_by_family: dict[str | None, Mention] = {}
    last_any: Mention | None = None
    for fname, text, found in scanned:
        folded = fold(text)
        for f in found:
            if f.form == "short":
                target = last_any if f.family is None else last_by_family.get(f.family)
                before = folded[max(0, f.start - 4):f.start]
                prev = folded[f.start - 1] if f.start > 0 else ""
                if target is None or _GENERIC_BEFORE.search(before):
                    continue
                if prev and re.match(f"[{_CJK}]", prev) and prev not in _FUNCTION_CHARS:
                    continue  # glued to a word that is no place: "城东新区", "生态产业园"
                m = Mention(target.park, fname, f.start, f.end, f.text, "short", f.family, target.known)
            else:
                if f.park is not None:
                    park, known = f.park, True
                elif f.name is not None:
                    park, known = f.name, False
                else:
                    park, known = names[f.key], False
                m = Mention(park, fname, f.start, f.end, f.text, f.form, f.family, known)
                last_by_family[f.family] = m
                fam_of_park = gaz.parks[park].family if known else f.family
                last_by_family[fam_of_park] = m
                last_any = m
            mentions.append(m)
    return mentions


def extract_parks(title: str | None, body: str | None, gazetteer: Gazetteer | None = None) -> list[dict[str, Any]]:
    """The record's `parks`: one entry per park named, in order of first mention:
    {"park", "known", "level", "mentions", "in_title", "about", "spans": [{field, start, end, text, form}]}.
    Offsets are character offsets into the title or body_text."""
    gaz = gazetteer or default_gazetteer()
    out: dict[str, dict[str, Any]] = {}
    for m in find_mentions(title, body, gaz):
        entry = out.get(m.park)
        if entry is None:
            park = gaz.parks.get(m.park) if m.known else None
            entry = out[m.park] = {"park": m.park, "known": m.known, "level": park.level if park else None,
                                   "mentions": 0, "in_title": False, "about": False, "spans": []}
        entry["mentions"] += 1
        entry["in_title"] = entry["in_title"] or m.field == "title"
        entry["spans"].append(m.to_dict())
    for entry in out.values():
        entry["about"] = entry["in_title"] or entry["mentions"] >= ABOUT_MENTIONS
    return list(out.values())


def with_parks(record):
    """`record` with its `parks` field filled from its title and body_text (the last step of
    parse_page)."""
    record.parks = extract_parks(record.title, record.body_text)
    return record
