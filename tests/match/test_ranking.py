"""rank_post: a question, a request for a recommendation, a complaint, reach and freshness
raise or lower the score, and each reason is said in words."""

from __future__ import annotations

import pytest

from bot.match.ranking import Rank, rank_post


def rank(
    title: str = "Pods on our cluster",
    text: str = "",
    *,
    terms: tuple[str, ...] = ("kubernetes",),
    in_title: bool = False,
    metrics: dict[str, int] | None = None,
    age_hours: float | None = None,
) -> Rank:
    return rank_post(
        title=title,
        text=text,
        terms=terms,
        in_title=in_title,
        metrics=metrics or {},
        age_hours=age_hours,
    )


def test_a_plain_match_scores_ten_and_names_its_terms() -> None:
    assert rank() == Rank(10.0, ("matched *kubernetes*",))
    assert rank(terms=()).why == "matched the query"
    assert rank(terms=("a", "b", "c", "d")).why == "matched *a*, *b*, *c*"


@pytest.mark.parametrize(
    ("title", "text", "in_title", "score", "reason"),
    [
        ("Pods on our cluster", "", True, 25.0, "matched *kubernetes* in the title"),
        ("How do I debug CrashLoopBackOff", "", False, 35.0, "asks a question"),
        ("Pods", "Anyone know why they restart?", False, 35.0, "asks a question"),
        ("Alternatives to Globex?", "", False, 60.0, "asks for a recommendation"),
        ("Globex is broken again", "", False, 25.0, "sounds like a complaint"),
    ],
)
def test_what_raises_the_score(
    title: str, text: str, in_title: bool, score: float, reason: str
) -> None:
    ranked = rank(title, text, in_title=in_title)
    assert ranked.score == score
    assert reason in ranked.reasons


def test_reach_adds_at_most_twenty_and_is_named_past_fifty_or_ten_thousand_followers() -> None:
    small = rank(metrics={"score": 3, "comments": 1})
    assert 10 < small.score < 30 and "has reach" not in small.reasons
    big = rank(metrics={"score": 10**6, "comments": 10**6, "followers": 10**9})
    assert big.score == 30.0 and "has reach" in big.reasons
    assert "has reach" in rank(metrics={"followers": 10_000}).reasons


def test_age_lowers_the_score_by_a_point_every_three_hours_up_to_twenty() -> None:
    assert rank(age_hours=0).score == 10.0
    assert rank(age_hours=9).score == 7.0
    assert rank(age_hours=600).score == -10.0
    assert rank(age_hours=-5).score == 10.0  # a date in the future does not help


def test_reasons_read_as_one_line() -> None:
    ranked = rank("How do I switch from Globex? it is terrible", in_title=True)
    assert ranked.why == (
        "matched *kubernetes* in the title · asks a question · asks for a recommendation · "
        "sounds like a complaint"
    )


def test_the_why_line_names_each_term_where_it_was_found() -> None:
    """It said `matched *kubernetes*, *k8s* in the title` with k8s only in the body, and a
    prefix term rendered as `*observab**`, which breaks Slack's bold."""
    title, text = "Kubernetes pods keep crashing", "our k8s cluster, version 1.29"
    why = rank(title, text, terms=("kubernetes", "k8s"), in_title=True).why
    assert why == "matched *kubernetes* in the title, *k8s* in the text"
    why = rank("Pods", "new Observability tools", terms=("observab*",)).why
    assert why == "matched *Observability*" and "**" not in why
    why = rank("Observability, at last", "", terms=("observab*", "acme cloud"), in_title=True).why
    # a term the plain reading cannot place goes where the engine said (in_title)
    assert why == "matched *Observability*, *acme cloud* in the title"
    assert rank("x", "y", terms=("observab*",)).why == "matched *observab…*"
