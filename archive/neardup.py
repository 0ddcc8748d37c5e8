"""Republished copies: near-duplicate clusters on body_text (MinHash + LSH bands in SQLite).

Park news is republished with other chrome, a changed title, a dropped paragraph, changed
punctuation, an added editor's note. Exact copies are caught by `crawler.parsing.keys.content_hash`
before anything here runs; this module finds the *near* copies among NEW articles.

Fingerprint
-----------
Text -> every non-word character (punctuation, white space) removed, full-width letters and digits
as ASCII, lower case ->
overlapping character 5-grams (shingles), each hashed to 64 bits (a polynomial over the code
points, then the splitmix64 finalizer) -> MinHash with K=128 hash functions h_k(x) = (a_k*x + b_k)
mod 2^64, keeping the top 32 bits -> 128 uint32 = a 512-byte signature. `similarity(a, b)` is
the fraction of equal positions, an estimate of the shingle-set Jaccard (std ~0.04 at 0.5).
numpy (a dependency, pyproject.toml) does the arithmetic: ~1 ms per 5 KB document.
`_fingerprint_py` computes the identical signature in plain Python (~50x slower): the reference
the tests check the numpy path against, and what runs if numpy cannot be imported.

Band index
----------
The signature is cut into B=32 bands of R=4 values; each band hashes (blake2b, 8 bytes) to a
bucket. `lsh_bands(band, bucket, article_id)` is a WITHOUT ROWID table whose primary key
(band, bucket, article_id) is the index a lookup uses: 32 index seeks per article, whatever the
table's size. Two texts become candidates with probability 1-(1-s^4)^32: 0.87 at Jaccard 0.5,
0.99 at 0.6, 0.9997 at 0.7, 0.05 at 0.2. Every candidate is verified on the full signature
(128 values); when that estimate is within VERIFY_MARGIN (0.15, ~3.4 std) of the threshold and
verify=True (the default), the exact shingle Jaccard of the two stored texts decides and is the
similarity reported. DEFAULT_THRESHOLD = 0.5.

Clusters (migration v4)
-----------------------
`clusters(id, original_article_id, created_at, updated_at)` and `cluster_members(article_id PK,
cluster_id, similarity)`. A side table rather than `articles.cluster_id`: the articles row keeps
its shape for the store, exports and the other migrations; an article in no cluster has no row.
Every copy keeps its own article record. A cluster's original is the member another member's
`source` names (its site key, its site's title from spiders/sites/*.toml, or its URL host), and
when no source names a member, or several, the earliest `published_at` (unknown dates last; ties:
lowest id).

Entry point for the store: `on_new_article(db, article_id, body_text)` after saving a NEW article,
inside the store's open transaction (nothing here commits). For an UPDATED body call
`index_article` then `link_cluster`. `backfill(db)` fingerprints articles saved before v4.
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Iterable
from urllib.parse import urlsplit

from .clock import now_iso
from .transactions import joined_transaction

try:  # optional: the fast path
    import numpy as np
except ImportError:  # pragma: no cover - exercised only without numpy
    np = None

SHINGLE = 5
K = 128
BANDS = 32
ROWS = K // BANDS
DEFAULT_THRESHOLD = 0.5
VERIFY_MARGIN = 0.15
MIN_SHINGLES = 30  # shorter bodies (a caption, "详见附件") are not clustered
_MASK = (1 << 64) - 1
_P = 1_000_003  # polynomial base over code points
_STRIP_RE = re.compile(r"[\W_]+")
_CN_TZ = timezone(timedelta(hours=8))


def _seeds() -> tuple[list[int], list[int]]:
    a, b = [], []
    for k in range(K):
        d = hashlib.blake2b(f"parknews-minhash-{k}".encode(), digest_size=16).digest()
        a.append(int.from_bytes(d[:8], "little") | 1)
        b.append(int.from_bytes(d[8:], "little"))
    return a, b


_A, _B = _seeds()
if np is not None:
    _NA = np.array(_A, dtype=np.uint64)[:, None]
    _NB = np.array(_B, dtype=np.uint64)[:, None]


# ---------------------------------------------------------------- schema (migration v4)

def migrate_v4(db) -> None:
    db.execute(
        "CREATE TABLE article_signatures (article_id INTEGER PRIMARY KEY, signature BLOB NOT NULL, "
        "shingles INTEGER NOT NULL)"
    )
    db.execute(
        "CREATE TABLE lsh_bands (band INTEGER NOT NULL, bucket INTEGER NOT NULL, "
        "article_id INTEGER NOT NULL, PRIMARY KEY (band, bucket, article_id)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE clusters (id INTEGER PRIMARY KEY, original_article_id INTEGER NOT NULL, "
        "created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE cluster_members (article_id INTEGER PRIMARY KEY, cluster_id INTEGER NOT NULL "
        "REFERENCES clusters(id), similarity REAL)"
    )
    db.execute("CREATE INDEX idx_cluster_members_cluster ON cluster_members(cluster_id)")
    # A deleted article leaves its signature and membership; stale band rows are skipped at
    # lookup (no signature) and removed by remove_article.
    db.execute(
        "CREATE TRIGGER neardup_article_ad AFTER DELETE ON articles BEGIN "
        "DELETE FROM article_signatures WHERE article_id = old.id; "
        "DELETE FROM cluster_members WHERE article_id = old.id; END"
    )


# ---------------------------------------------------------------- fingerprints

_FULLWIDTH_RE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}


def shingle_text(text: str | None) -> str:
    """The text shingles are cut from: lower case, no punctuation or white space, full-width
    letters and digits as ASCII (what NFKC would do to them, at a tenth of NFKC's cost)."""
    s = _STRIP_RE.sub("", text or "")
    if _FULLWIDTH_RE.search(s):
        s = s.translate(_FULLWIDTH)
    return s.lower()


def shingle_set(text: str | None) -> set[str]:
    """Exact set of character 5-grams of the normalized text (for verification)."""
    s = shingle_text(text)
    if 0 < len(s) < SHINGLE:
        return {s}
    return {s[i:i + SHINGLE] for i in range(len(s) - SHINGLE + 1)}


def jaccard(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def _mix_py(x: int) -> int:
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & _MASK
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB & _MASK
    return x ^ (x >> 31)


def _fingerprint_py(s: str) -> tuple[bytes, int]:
    codes = [ord(c) for c in s]
    k = min(SHINGLE, len(codes))
    hashes = set()
    for i in range(len(codes) - k + 1):
        h = 0
        for c in codes[i:i + k]:
            h = (h * _P + c) & _MASK
        hashes.add(_mix_py(h))
    sig = []
    for a, b in zip(_A, _B):
        sig.append(min(((a * h + b) & _MASK) >> 32 for h in hashes))
    return b"".join(v.to_bytes(4, "little") for v in sig), len(hashes)


def _fingerprint_np(s: str) -> tuple[bytes, int]:
    c = np.frombuffer(s.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    k = min(SHINGLE, len(c))
    n = len(c) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    p = np.uint64(_P)
    for j in range(k):
        h = h * p + c[j:j + n]
    x = h
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    x = x ^ (x >> np.uint64(31))
    x = np.unique(x)
    sig = ((x[None, :] * _NA + _NB) >> np.uint64(32)).min(axis=1).astype("<u4")
    return sig.tobytes(), len(x)


def fingerprint_with_count(text: str | None) -> tuple[bytes | None, int]:
    """(signature, number of distinct shingles); (None, 0) for a text with no word characters."""
    s = shingle_text(text)
    if not s:
        return None, 0
    return (_fingerprint_np(s) if np is not None else _fingerprint_py(s))


def fingerprint(text: str | None) -> bytes | None:
    """The MinHash signature of a body text: K little-endian uint32 (512 bytes); None when
    the text has no word characters."""
    return fingerprint_with_count(text)[0]


def similarity(sig_a: bytes, sig_b: bytes) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets (0.0-1.0)."""
    if not sig_a or not sig_b:
        return 0.0
    if np is not None:
        a = np.frombuffer(sig_a, dtype="<u4")
        b = np.frombuffer(sig_b, dtype="<u4")
        return float(np.count_nonzero(a == b)) / len(a)
    a = memoryview(sig_a).cast("I")
    b = memoryview(sig_b).cast("I")
    return sum(x == y for x, y in zip(a, b)) / len(a)


def band_buckets(sig: bytes) -> list[tuple[int, int]]:
    """(band, bucket) keys of a signature: each band's ROWS values hashed to a signed 64-bit int."""
    step = ROWS * 4
    return [
        (band, int.from_bytes(hashlib.blake2b(sig[band * step:(band + 1) * step], digest_size=8,
                                              person=b"lsh%d" % band).digest(), "little", signed=True))
        for band in range(BANDS)
    ]


# ---------------------------------------------------------------- the index

def _delete_bands(db, article_id: int) -> None:
    row = db.execute("SELECT signature FROM article_signatures WHERE article_id = ?", [article_id]).fetchone()
    if row:
        db.conn.executemany(
            "DELETE FROM lsh_bands WHERE band = ? AND bucket = ? AND article_id = ?",
            [(b, k, article_id) for b, k in band_buckets(row[0])],
        )


def index_article(db, article_id: int, body_text: str | None) -> bytes | None:
    """Store (or replace) the article's signature and band rows; return the signature
    (None, and nothing stored, when the body is too short to compare)."""
    _delete_bands(db, article_id)
    sig, count = fingerprint_with_count(body_text)
    if sig is None or count < MIN_SHINGLES:
        db.execute("DELETE FROM article_signatures WHERE article_id = ?", [article_id])
        return None
    db.execute(
        "INSERT OR REPLACE INTO article_signatures (article_id, signature, shingles) VALUES (?, ?, ?)",
        [article_id, sig, count],
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO lsh_bands (band, bucket, article_id) VALUES (?, ?, ?)",
        [(b, k, article_id) for b, k in band_buckets(sig)],
    )
    return sig


def remove_article(db, article_id: int) -> None:
    """Forget an article's fingerprint, band rows and cluster membership."""
    _delete_bands(db, article_id)
    db.execute("DELETE FROM article_signatures WHERE article_id = ?", [article_id])
    db.execute("DELETE FROM cluster_members WHERE article_id = ?", [article_id])


CANDIDATE_SQL = (
    "SELECT DISTINCT article_id FROM lsh_bands WHERE "
    + " OR ".join(["(band = ? AND bucket = ?)"] * BANDS)
)


def candidates(db, sig: bytes) -> list[int]:
    """Article ids sharing at least one band bucket with `sig` (an index lookup per band)."""
    params: list[int] = []
    for band, bucket in band_buckets(sig):
        params += [band, bucket]
    return [r[0] for r in db.execute(CANDIDATE_SQL, params).fetchall()]


def _find(db, sig: bytes, body_text: str | None, threshold: float, exclude: int | None,
          verify: bool) -> list[tuple[int, float]]:
    ids = [i for i in candidates(db, sig) if i != exclude]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    sigs = db.execute(
        f"SELECT article_id, signature FROM article_signatures WHERE article_id IN ({marks})", ids
    ).fetchall()
    # The estimate has a std of ~0.044 near 0.5 (K=128): within VERIFY_MARGIN of the threshold
    # the exact shingle Jaccard of the two texts decides (and is the similarity reported);
    # farther away the estimate is safe (3+ std) and the texts are not read.
    margin = VERIFY_MARGIN if verify else 0.0
    close = [(i, s) for i, s in ((i, similarity(sig, s)) for i, s in sigs) if s >= threshold - margin]
    unsure = [i for i, s in close if s < threshold + margin]
    if unsure:
        mine = shingle_set(body_text)
        marks = ",".join("?" * len(unsure))
        bodies = dict(db.execute(
            f"SELECT id, body_text FROM articles WHERE id IN ({marks})", unsure
        ).fetchall())
        exact = {i: jaccard(mine, shingle_set(bodies[i])) for i in unsure if i in bodies}
        close = [(i, exact.get(i, 0.0) if i in unsure else s) for i, s in close]
    found = [(i, s) for i, s in close if s >= threshold]
    found.sort(key=lambda t: (-t[1], t[0]))
    return found


def find_near_duplicates(db, body_text: str | None, threshold: float = DEFAULT_THRESHOLD, *,
                         exclude: int | None = None, verify: bool = True) -> list[tuple[int, float]]:
    """Indexed articles whose body is a near copy of `body_text`: [(article_id, similarity)],
    most similar first. Similarity is the exact shingle Jaccard (verify=True) or the MinHash
    estimate (verify=False). `exclude`: an article id to leave out (the text's own)."""
    sig, count = fingerprint_with_count(body_text)
    if sig is None or count < MIN_SHINGLES:
        return []
    return _find(db, sig, body_text, threshold, exclude, verify)


# ---------------------------------------------------------------- clusters

# Extra names of sites, as a `source` line writes them: {site key: {"中国网园区", ...}}.
# The configured sites' titles and domains are added from their site files
# (crawler.parsing.sitefile); callers may add to it.
SITE_NAMES: dict[str, set[str]] = {}


@lru_cache(maxsize=1)
def _site_file_names() -> dict[str, set[str]]:
    from crawler.parsing.sitefile import SiteFileError, load_site_file, site_files

    names: dict[str, set[str]] = {}
    for path in site_files():
        try:
            site = load_site_file(path)
        except SiteFileError:  # a broken site file: its site keys and hosts still work
            continue
        names.setdefault(site.name, set()).update(n for n in [site.title, *site.allowed_domains] if n)
    return names


def _names_of(member: dict[str, Any]) -> set[str]:
    names = set()
    site = member.get("site")
    if site:
        names.add(site)
        names |= SITE_NAMES.get(site, set()) | _site_file_names().get(site, set())
    host = (urlsplit(member.get("url") or "").hostname or "").lower()
    if host:
        names.add(host)
        if host.startswith("www."):
            names.add(host[4:])
    return {n.lower() for n in names if len(n) >= 2}


def _when(published_at: str | None) -> tuple[int, datetime]:
    if not published_at:
        return 1, datetime.max.replace(tzinfo=timezone.utc)
    try:
        dt = datetime.fromisoformat(published_at)
    except ValueError:
        return 1, datetime.max.replace(tzinfo=timezone.utc)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=_CN_TZ)
    return 0, dt


def names_other(source: str | None, member: dict[str, Any]) -> bool:
    """Whether a 来源 (`source`) names `member`: its site key, its site's title or its URL host."""
    src = (source or "").lower()
    return bool(src) and any(n in src for n in _names_of(member))


def named_members(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The members another member's source names and that do not themselves credit another
    member (see names_other); members are dicts with id, site, url and source."""
    def credits(src: dict[str, Any], dst: dict[str, Any]) -> bool:
        return src["id"] != dst["id"] and names_other(src.get("source"), dst)

    return [
        m for m in members
        if any(credits(o, m) for o in members) and not any(credits(m, o) for o in members)
    ]


def choose_original(members: list[dict[str, Any]]) -> int:
    """The member id that is the original (see the module docstring)."""
    def earliest(ms):
        return min(ms, key=lambda m: (_when(m.get("published_at")), m["id"]))["id"]

    named = named_members(members)
    return earliest(named) if named else earliest(members)



def cluster_of(db, article_id: int) -> int | None:
    row = db.execute("SELECT cluster_id FROM cluster_members WHERE article_id = ?", [article_id]).fetchone()
    return row[0] if row else None


def cluster_members(db, cluster_id: int) -> list[int]:
    return [r[0] for r in db.execute(
        "SELECT article_id FROM cluster_members WHERE cluster_id = ? ORDER BY article_id", [cluster_id]
    )]


def link_cluster(db, article_id: int, threshold: float = DEFAULT_THRESHOLD, *,
                 matches: list[tuple[int, float]] | None = None) -> int | None:
    """Put the article and its near copies in one cluster (merging clusters they belong to),
    name the cluster's original; return the cluster id, or None when it has no near copy.
    `matches`: find_near_duplicates' answer for this article, when the caller has it."""
    if matches is None:
        row = db.execute("SELECT body_text FROM articles WHERE id = ?", [article_id]).fetchone()
        body = row[0] if row else None
        sig = db.execute(
            "SELECT signature FROM article_signatures WHERE article_id = ?", [article_id]
        ).fetchone()
        sig = sig[0] if sig else index_article(db, article_id, body)
        matches = _find(db, sig, body, threshold, article_id, True) if sig else []
    if not matches:
        return cluster_of(db, article_id)
    ids = [article_id] + [i for i, _ in matches]
    marks = ",".join("?" * len(ids))
    clusters = sorted({r[0] for r in db.execute(
        f"SELECT DISTINCT cluster_id FROM cluster_members WHERE article_id IN ({marks})", ids
    )})
    now = now_iso()
    if clusters:
        cluster_id = clusters[0]
        for other in clusters[1:]:  # merge: the lowest cluster id survives
            db.execute("UPDATE cluster_members SET cluster_id = ? WHERE cluster_id = ?", [cluster_id, other])
            db.execute("DELETE FROM clusters WHERE id = ?", [other])
    else:
        cluster_id = db.execute(
            "INSERT INTO clusters (original_article_id, created_at, updated_at) VALUES (?, ?, ?)",
            [article_id, now, now],
        ).lastrowid
    sims = {article_id: 1.0, **dict(matches)}
    for i in ids:
        db.execute(
            "INSERT INTO cluster_members (article_id, cluster_id, similarity) VALUES (?, ?, ?) "
            "ON CONFLICT(article_id) DO UPDATE SET cluster_id = excluded.cluster_id",
            [i, cluster_id, sims[i]],
        )
    rows = db.execute(
        "SELECT a.id, a.url, a.site, a.source, a.published_at FROM cluster_members m "
        "JOIN articles a ON a.id = m.article_id WHERE m.cluster_id = ?", [cluster_id]
    ).fetchall()
    members = [dict(zip(("id", "url", "site", "source", "published_at"), r)) for r in rows]
    original = choose_original(members) if members else article_id
    db.execute("UPDATE clusters SET original_article_id = ?, updated_at = ? WHERE id = ?",
               [original, now, cluster_id])
    return cluster_id


def on_new_article(db, article_id: int, body_text: str | None,
                   threshold: float = DEFAULT_THRESHOLD) -> int | None:
    """Fingerprint a just-saved NEW article and cluster it with its near copies.

    Runs inside the caller's open transaction and commits nothing. Returns the cluster id,
    or None when no stored article is a near copy (or the body is too short to compare)."""
    sig = index_article(db, article_id, body_text)
    if sig is None:
        return None
    matches = _find(db, sig, body_text, threshold, article_id, True)
    return link_cluster(db, article_id, threshold, matches=matches)


def backfill(db, *, batch: int = 500) -> int:
    """Fingerprint and cluster every article with no signature yet (saved before v4), in id
    order, one transaction per `batch`; return how many were processed."""
    done = 0
    last = 0
    while True:
        rows = db.execute(
            "SELECT id, body_text FROM articles WHERE id > ? AND id NOT IN "
            "(SELECT article_id FROM article_signatures) ORDER BY id LIMIT ?", [last, batch]
        ).fetchall()
        if not rows:
            return done
        with joined_transaction(db):
            for article_id, body in rows:
                on_new_article(db, article_id, body)
        done += len(rows)
        last = rows[-1][0]


def explain_lookup(db) -> list[str]:
    """EXPLAIN QUERY PLAN of the band lookup (to check it uses the index)."""
    params = [0, 0] * BANDS
    return [r[-1] for r in db.execute("EXPLAIN QUERY PLAN " + CANDIDATE_SQL, params).fetchall()]


def iter_clusters(db) -> Iterable[tuple[int, int, list[int]]]:
    """(cluster id, original article id, member ids) for every cluster."""
    for cid, original in db.execute("SELECT id, original_article_id FROM clusters ORDER BY id").fetchall():
        yield cid, original, cluster_members(db, cid)
