"""Site files: the declarative per-site knowledge (spiders/sites/NAME.toml), loaded and checked.

A site file names its start URLs and allowed domains, how to recognise article links and
list/pagination links, and optionally per-field selectors that override the generic parser.
Loading validates every key and names the file and the bad key on error. Nothing happens at
import time.

Pure (no Scrapy, no database), so it sits in the parsing layer: the spiders (spiders/site.py),
the archive (site names for near-duplicate originals, field rules for reparse, known site names)
and the CLI all read site files through it. The files themselves are spiders/sites/*.toml.
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SITES_DIR = Path(__file__).resolve().parents[2] / "spiders" / "sites"

FIELD_RULE_KEYS = {"title", "published_at", "source", "author", "editor", "body", "drop"}
TOP_KEYS = {"name", "title", "description", "start_urls", "allowed_domains", "links", "fields", "crawl", "park",
            "render", "render_urls"}
# render = "browser": pages whose text a script inserts are rendered in headless Chromium
# (crawler/render.py); "html" (the default) parses what the server sent.
RENDER_MODES = ("html", "browser")
LINK_KEYS = {"article", "follow", "list_area", "next_page", "article_pager", "strip_params", "deny", "sitemaps", "feeds"}
CRAWL_KEYS = {"download_delay", "concurrency", "max_pages", "allow_private", "autothrottle", "capture_images"}
# Bounds of the politeness values: a delay over an hour or a concurrency over 64 is a typo on a
# news site, and 0, negative, inf or nan hang the crawl (Scrapy schedules nothing).
MAX_DELAY = 3600
MAX_CONCURRENCY = 64


class SiteFileError(Exception):
    """A site file that cannot be read or does not validate (message names the file and key)."""


@dataclass
class SiteConfig:
    name: str
    title: str
    start_urls: list[str]
    allowed_domains: list[str]
    article_patterns: list[re.Pattern] = field(default_factory=list)
    follow_patterns: list[re.Pattern] = field(default_factory=list)
    deny_patterns: list[re.Pattern] = field(default_factory=list)
    list_area: str | None = None  # CSS/XPath limiting where links are taken on list pages
    next_page: str | None = None  # CSS/XPath of the "next page" link(s)
    article_pager: str | None = None  # CSS/XPath of an article's own pager (crawler/parsing/pager.py)
    strip_params: tuple[str, ...] = ()
    # links.sitemaps / links.feeds: sitemap (or sitemap index, .xml.gz too) and RSS/Atom URLs read at
    # the start of every crawl (spiders/discovery.py); their entries that match `article` are crawled
    sitemaps: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    field_rules: dict[str, Any] = field(default_factory=dict)
    download_delay: float = 0.5
    concurrency: int = 4
    max_pages: int = 0
    allow_private: bool = False
    autothrottle: bool = True
    capture_images: bool = False  # [crawl] capture_images: fetch and capture the articles' images (crawler/images.py)
    # render = "browser": the article pages (or, with render_urls, the URLs matching one of those
    # regexes) are rendered in a headless browser and the rendered DOM is parsed (crawler/render.py)
    render: str = "html"
    render_patterns: list[re.Pattern] = field(default_factory=list)
    path: Path | None = None
    description: str = ""
    # [[park]] tables: local parks this site writes about (name, type, place, level, aliases),
    # added to the archive's gazetteer when the site is crawled (archive.parks.add_park).
    parks: list[dict[str, Any]] = field(default_factory=list)

    def is_article(self, url: str) -> bool:
        return any(p.search(url) for p in self.article_patterns) and not self.is_denied(url)

    def is_list(self, url: str) -> bool:
        return any(p.search(url) for p in self.follow_patterns) and not self.is_denied(url)

    def renders(self, url: str) -> bool:
        """Whether `url` is fetched through the browser: render = "browser", and the URL matches
        render_urls when the site file gives it, else it is an article page (list pages are
        usually plain HTML)."""
        if self.render != "browser":
            return False
        if self.render_patterns:
            return any(p.search(url) for p in self.render_patterns)
        return self.is_article(url)

    def is_denied(self, url: str) -> bool:
        return any(p.search(url) for p in self.deny_patterns)

    def with_base_url(self, base_url: str) -> "SiteConfig":
        """A copy whose start URLs point at another host (a mirror, a local test server)."""
        base = urlsplit(base_url)
        if base.scheme not in ("http", "https") or not base.netloc:
            raise SiteFileError(f"--base-url {base_url!r}: not an http(s) URL")
        def moved(urls: list[str]) -> list[str]:
            return [urlunsplit((base.scheme, base.netloc, u.path, u.query, "")) for u in map(urlsplit, urls)]

        copy = SiteConfig(**{**self.__dict__})
        copy.start_urls = moved(self.start_urls)
        copy.sitemaps = moved(self.sitemaps)
        copy.feeds = moved(self.feeds)
        copy.allowed_domains = [base.hostname or ""]
        return copy


def _regexes(path: Path, key: str, value: Any) -> list[re.Pattern]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SiteFileError(f"{path}: {key} must be a regex or a list of regexes")
    out = []
    for v in value:
        try:
            out.append(re.compile(v))
        except re.error as exc:
            raise SiteFileError(f"{path}: {key}: bad regex {v!r} ({exc})") from None
    return out


def _urls(path: Path, key: str, value: Any) -> list[str]:
    """A list of absolute http(s) URLs, else SiteFileError naming the key and the bad value."""
    if not isinstance(value, list):
        raise SiteFileError(f"{path}: {key} must be a list of http(s) URLs")
    for u in value:
        parts = urlsplit(u) if isinstance(u, str) else None
        if not parts or parts.scheme not in ("http", "https") or not parts.netloc:
            raise SiteFileError(f"{path}: {key}: {u!r} is not an http(s) URL")
    return list(value)


def _expect(path: Path, key: str, value: Any, kind: type | tuple, what: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise SiteFileError(f"{path}: {key} must be {what}")
    return value


def _number(path: Path, key: str, value: Any, *, integer: bool, low: float, high: float, what: str):
    """A finite number (an integer when `integer`) in [low, high], else SiteFileError naming the key."""
    kinds = int if integer else (int, float)
    if (not isinstance(value, kinds) or isinstance(value, bool) or not math.isfinite(value)
            or not low <= value <= high):
        raise SiteFileError(f"{path}: {key} must be {what} (got {value!r})")
    return value


def _selector(path: Path, key: str, value: Any, *, links: bool) -> str:
    """A CSS or XPath selector (XPath when it starts with "/" or "("), compiled once here so a
    typo is an error when the file is loaded, not a failure in the middle of a crawl.
    Link selectors are run by parsel (CSS may use ::attr()/::text); field selectors by the
    parser's lxml rules (crawler/parsing/rules.py)."""
    if not isinstance(value, str) or not value.strip():
        raise SiteFileError(f"{path}: {key} must be a CSS or XPath selector")
    xpath = value.strip().startswith(("/", "("))
    try:
        if links:
            import parsel

            doc = parsel.Selector(text="<html><body><a href='x'>x</a></body></html>")
            doc.xpath(value) if xpath else doc.css(value)
        else:
            from crawler.parsing.rules import compile_selector

            compile_selector(value)
    except Exception as exc:  # noqa: BLE001 - cssselect, lxml and parsel each raise their own
        kind = "XPath" if xpath else "CSS selector"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SiteFileError(f"{path}: {key}: bad {kind} {value!r} ({reason})") from None
    return value


def parse_site(data: dict[str, Any], path: Path) -> SiteConfig:
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise SiteFileError(f"{path}: unknown key {sorted(unknown)[0]!r} (allowed: {', '.join(sorted(TOP_KEYS))})")
    for key in ("name", "start_urls", "allowed_domains", "links"):
        if key not in data:
            raise SiteFileError(f"{path}: missing required key {key!r}")
    name = _expect(path, "name", data["name"], str, "a string")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
        raise SiteFileError(f"{path}: name {name!r} must be lower-case letters, digits, - or _")
    starts = _expect(path, "start_urls", data["start_urls"], list, "a list of URLs")
    if not starts:
        raise SiteFileError(f"{path}: start_urls is empty (give at least one http(s) URL)")
    _urls(path, "start_urls", starts)
    domains = _expect(path, "allowed_domains", data["allowed_domains"], list, "a list of host names")
    for d in domains:
        if not isinstance(d, str) or not re.fullmatch(r"[^\W_]([\w.-]*[^\W_])?|\[[0-9A-Fa-f:.]+\]", d):
            raise SiteFileError(f"{path}: allowed_domains: {d!r} is not a host name")
    links = _expect(path, "links", data["links"], dict, "a table")
    bad = set(links) - LINK_KEYS
    if bad:
        raise SiteFileError(f"{path}: unknown key links.{sorted(bad)[0]} (allowed: {', '.join(sorted(LINK_KEYS))})")
    if "article" not in links:
        raise SiteFileError(f"{path}: missing required key links.article")
    fields = _expect(path, "fields", data.get("fields", {}), dict, "a table")
    bad = set(fields) - FIELD_RULE_KEYS
    if bad:
        raise SiteFileError(f"{path}: unknown key fields.{sorted(bad)[0]} (allowed: {', '.join(sorted(FIELD_RULE_KEYS))})")
    for k, v in fields.items():
        if k == "drop":
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise SiteFileError(f"{path}: fields.drop must be a list of selectors")
            for x in v:
                _selector(path, "fields.drop", x, links=False)
        else:
            _selector(path, f"fields.{k}", v, links=False)
    crawl = _expect(path, "crawl", data.get("crawl", {}), dict, "a table")
    bad = set(crawl) - CRAWL_KEYS
    if bad:
        raise SiteFileError(f"{path}: unknown key crawl.{sorted(bad)[0]} (allowed: {', '.join(sorted(CRAWL_KEYS))})")
    strip = links.get("strip_params", [])
    if not isinstance(strip, list) or not all(isinstance(x, str) for x in strip):
        raise SiteFileError(f"{path}: links.strip_params must be a list of parameter names")
    for key in ("list_area", "next_page", "article_pager"):
        if key in links:  # article_pager is run by the parser's lxml rules (crawler/parsing/pager.py)
            _selector(path, f"links.{key}", links[key], links=key != "article_pager")
    render = data.get("render", "html")
    if render not in RENDER_MODES:
        raise SiteFileError(f"{path}: render must be one of {', '.join(map(repr, RENDER_MODES))} (got {render!r})")
    render_patterns = _regexes(path, "render_urls", data.get("render_urls", []))
    if render_patterns and render != "browser":
        raise SiteFileError(f"{path}: render_urls needs render = \"browser\"")
    site_parks = _expect(path, "park", data.get("park", []), list, "a list of [[park]] tables")
    from crawler.parsing.parks import GazetteerError, check_park

    for i, entry in enumerate(site_parks):
        if not isinstance(entry, dict):
            raise SiteFileError(f"{path}: park #{i + 1} must be a table ([[park]])")
        try:
            check_park(entry, f"{path} park #{i + 1}")
        except GazetteerError as exc:
            raise SiteFileError(str(exc)) from None
    return SiteConfig(
        name=name,
        parks=[dict(e) for e in site_parks],
        title=str(data.get("title", name)),
        description=str(data.get("description", "")),
        start_urls=list(starts),
        allowed_domains=[str(d) for d in domains],
        article_patterns=_regexes(path, "links.article", links["article"]),
        follow_patterns=_regexes(path, "links.follow", links.get("follow", [])),
        deny_patterns=_regexes(path, "links.deny", links.get("deny", [])),
        list_area=links.get("list_area"),
        next_page=links.get("next_page"),
        article_pager=links.get("article_pager"),
        strip_params=tuple(strip),
        sitemaps=_urls(path, "links.sitemaps", links.get("sitemaps", [])),
        feeds=_urls(path, "links.feeds", links.get("feeds", [])),
        field_rules=dict(fields),
        render=render,
        render_patterns=render_patterns,
        download_delay=float(_number(path, "crawl.download_delay", crawl.get("download_delay", 0.5), integer=False,
                                     low=0, high=MAX_DELAY, what=f"a number of seconds from 0 to {MAX_DELAY}")),
        concurrency=_number(path, "crawl.concurrency", crawl.get("concurrency", 4), integer=True,
                            low=1, high=MAX_CONCURRENCY, what=f"an integer from 1 to {MAX_CONCURRENCY}"),
        max_pages=_number(path, "crawl.max_pages", crawl.get("max_pages", 0), integer=True,
                          low=0, high=2 ** 53, what="an integer, 0 or more (0: no limit)"),
        allow_private=_expect(path, "crawl.allow_private", crawl.get("allow_private", False), bool, "true or false"),
        autothrottle=_expect(path, "crawl.autothrottle", crawl.get("autothrottle", True), bool, "true or false"),
        capture_images=_expect(path, "crawl.capture_images", crawl.get("capture_images", False), bool, "true or false"),
        path=path,
    )


def load_site_file(path: str | Path) -> SiteConfig:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SiteFileError(f"{path}: cannot read site file ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SiteFileError(f"{path}: site file is not UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise SiteFileError(f"{path}: not valid TOML ({exc})") from None
    return parse_site(data, path)


def site_files(sites_dir: Path = SITES_DIR) -> list[Path]:
    return sorted(sites_dir.glob("*.toml"))


def load_site(name_or_path: str, sites_dir: Path = SITES_DIR) -> SiteConfig:
    """A configured site by name (spiders/sites/NAME.toml) or by the path of a site file."""
    if name_or_path.endswith(".toml") or "/" in name_or_path:
        return load_site_file(name_or_path)
    path = sites_dir / f"{name_or_path}.toml"
    if not path.exists():
        known = ", ".join(p.stem for p in site_files(sites_dir)) or "none"
        raise SiteFileError(f"unknown site {name_or_path!r} (configured: {known})")
    return load_site_file(path)


def load_all_sites(sites_dir: Path = SITES_DIR) -> list[SiteConfig]:
    return [load_site_file(p) for p in site_files(sites_dir)]
