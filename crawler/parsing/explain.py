"""Why a field got its value: the ranked candidates each extractor considered.

Extractors take an optional `Trace`; when one is given they record every candidate they looked at
(value, how it was found, its score and where it sits), best first after `ranked()`. Without a
trace nothing is collected, so parsing pays nothing for explainability it does not use.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Candidate:
    value: object
    method: str        # meta, jsonld, text, structure, url, rule, comment
    score: float       # higher is better
    where: str = ""    # a short description: the label, the line, the element


@dataclass
class Trace:
    fields: dict[str, list[Candidate]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, value, method: str, score: float, where: str = "") -> None:
        self.fields.setdefault(name, []).append(Candidate(value, method, float(score), where[:120]))

    def ranked(self, name: str) -> list[Candidate]:
        # stable: equal scores keep the order in which they were found
        return sorted(self.fields.get(name, []), key=lambda c: -c.score)


def format_trace(trace: Trace, record=None, limit: int = 8) -> str:
    """Plain-text report: per field the chosen value and the ranked candidates."""
    out = []
    for name in ("title", "published_at", "source", "author", "editor", "body", "sections", "is_article"):
        cands = trace.ranked(name)
        chosen = getattr(record, name, None) if record is not None and name not in ("body", "is_article") else None
        head = f"{name}:"
        if record is not None and name not in ("body", "sections", "is_article"):
            how = (record.extraction or {}).get(name, "-")
            head += f" {chosen!r} (found by {how})"
        if name in trace.notes:
            head += f" {trace.notes[name]}"
        out.append(head)
        if not cands:
            out.append("    (no candidates)")
        for i, c in enumerate(cands[:limit], 1):
            v = c.value if not isinstance(c.value, str) else c.value[:60]
            out.append(f"  {i:2d}. {c.score:8.2f}  {c.method:<9} {v!r}" + (f"  <- {c.where}" if c.where else ""))
        if len(cands) > limit:
            out.append(f"      ... {len(cands) - limit} more")
    return "\n".join(out)
