"""How worth joining a post is for a topic, and why, in one line people can read."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

_QUESTION = re.compile(
    r"\?\s*$|\b(how (do|can|should) (i|we|you)|anyone (know|tried|using)|is there a way|"
    r"what('s| is) the best|why does|help( me)? with)\b",
    re.IGNORECASE | re.MULTILINE,
)
_RECOMMEND = re.compile(
    r"\b(recommend(ation)?s?|alternatives? (to|for)|looking for|suggestions?|which (tool|service|"
    r"library|vendor)|switch(ing)? (from|to)|replace(ment)? for|vs\.?|versus)\b",
    re.IGNORECASE,
)
_COMPLAINT = re.compile(
    r"\b(frustrat\w*|annoy\w*|broken|hate|terrible|awful|doesn'?t work|not working|outage|"
    r"down again|disappointed|worst|fed up|gave up|giving up|bug(gy)?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Rank:
    score: float
    reasons: tuple[str, ...]

    @property
    def why(self) -> str:
        return " · ".join(self.reasons)


def rank_post(
    *,
    title: str,
    text: str,
    terms: tuple[str, ...],
    in_title: bool,
    metrics: Mapping[str, int],
    age_hours: float | None,
) -> Rank:
    """Score a matched post: higher means more worth an expert's reply."""
    score, reasons = unaged_rank(
        title=title, text=text, terms=terms, in_title=in_title, metrics=metrics
    )
    return Rank(aged_score(score, age_hours), reasons)


def aged_score(score: float, age_hours: float | None) -> float:
    """An unaged score (``unaged_rank``) less the age penalty, rounded as ranks are."""
    if age_hours is not None:
        # Fresh conversations are the ones a reply still changes.
        score -= min(20.0, max(0.0, age_hours) / 3)
    return round(score, 1)


def _term_pattern(term: str) -> re.Pattern[str]:
    """A term or phrase as shown (``observab*``, ``acme cloud``) as a whole-word pattern."""
    prefix = term.endswith("*")
    words = (term[:-1] if prefix else term).split()
    body = r"\W+".join(re.escape(w) for w in words)
    return re.compile(rf"(?<!\w){body}" + (r"\w*" if prefix else r"(?!\w)"), re.IGNORECASE)


def matched_reason(title: str, text: str, terms: tuple[str, ...], in_title: bool) -> str:
    """``matched *kubernetes* in the title, *k8s*``: each term named where it was found,
    a prefix term by the word it found (``*observability*``, never ``*observab**``, which
    breaks Slack's bold). A term the engine found but this plain reading does not (text
    it folds differently) goes where the engine said a term was."""
    titled: list[str] = []
    elsewhere: list[str] = []
    for term in terms[:3]:
        found = _term_pattern(term).search(title)
        where = titled if found else elsewhere
        if not found:
            found = _term_pattern(term).search(text)
            where = elsewhere if found or not in_title else titled
        if found and term.endswith("*"):
            shown = found.group(0)
        else:
            shown = term[:-1] + "…" if term.endswith("*") else term
        where.append(f"*{shown}*")
    if not titled and not elsewhere:
        return "matched the query"
    parts = []
    if titled:
        parts.append(", ".join(titled) + " in the title")
    if elsewhere:
        parts.append(", ".join(elsewhere) + (" in the text" if titled else ""))
    return "matched " + ", ".join(parts)


def unaged_rank(
    *,
    title: str,
    text: str,
    terms: tuple[str, ...],
    in_title: bool,
    metrics: Mapping[str, int],
) -> tuple[float, tuple[str, ...]]:
    """The score before its age penalty (unrounded), and the reasons: all but the age."""
    score = 10.0
    reasons = [matched_reason(title, text, terms, in_title)]
    if in_title:
        score += 15
    head = f"{title}\n{text[:600]}"
    if _QUESTION.search(title) or _QUESTION.search(text[:300]):
        score += 25
        reasons.append("asks a question")
    if _RECOMMEND.search(head):
        score += 25
        reasons.append("asks for a recommendation")
    if _COMPLAINT.search(head):
        score += 15
        reasons.append("sounds like a complaint")
    reach = sum(int(metrics.get(k, 0)) for k in ("score", "comments", "likes", "retweets"))
    followers = int(metrics.get("followers", 0))
    if reach or followers:
        score += min(20.0, 4 * math.log10(1 + reach) + 2 * math.log10(1 + followers))
        if reach >= 50 or followers >= 10_000:
            reasons.append("has reach")
    return score, tuple(reasons)
