"""The matching engine: semantics by example, and agreement with the regex reference."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.match.engine import Document, Matcher, TopicMatch
from bot.match.reference import ReferenceMatcher, evaluate
from bot.match.tagger import Tagger
from bot.query.parser import (
    And,
    FieldMatch,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    QueryError,
    Term,
    describe,
    parse_query,
)


def doc(title: str, body: str = "", **fields: str | None) -> Document:
    return Document(title, body, **fields)  # type: ignore[arg-type]


CASES = [
    # (query, document, matches)
    ("kubernetes", doc("Kubernetes is down"), True),
    ("kubernetes", doc("", "we run KUBERNETES,"), True),
    ("kubernetes", doc("", "", author="kubernetes"), False),  # author only via author:
    ("k8s", doc("k8sx"), False),
    ("go", doc("google"), False),
    ("go", doc("(go)"), True),
    ("go", doc("go_lang"), False),  # _ is a word character
    ("kubernetes outage", doc("kubernetes", "outage"), True),  # title OR body, per term
    ("kubernetes AND outage", doc("kubernetes"), False),
    ("kubernetes OR k8s", doc("K8S!"), True),
    ("(kubernetes OR k8s) -hiring", doc("k8s", "we are hiring"), False),
    ("(kubernetes OR k8s) NOT hiring", doc("k8s", "hiring-manager"), False),
    ("(kubernetes OR k8s) -hiring", doc("k8s", "no hires"), True),
    ("or", doc("this or that"), True),  # lowercase keywords are words
    ("kube*", doc("kubectl apply"), True),
    ("kube*", doc("minikube"), False),
    ("kube*", doc("kube"), True),
    ('"rate limit"', doc("the rate limit hit"), True),
    ('"rate limit"', doc("Rate-Limit"), True),  # punctuation between words ignored
    ('"rate limit"', doc("rate, limit"), True),
    ('"rate limit"', doc("rate the limit"), False),
    ('"rate limit"', doc("limit rate"), False),
    ('"rate limit"', doc("rate", "limit"), False),  # not across title and body
    ('"rate limit"', doc("ratelimit"), False),
    ("kubernetes NEAR/3 outage", doc("kubernetes had an outage"), True),
    ("kubernetes NEAR/3 outage", doc("outage: kubernetes"), True),  # either order
    ("kubernetes NEAR/3 outage", doc("kubernetes had a big outage"), False),
    ("kubernetes NEAR/1 outage", doc("kubernetes outage"), True),
    ('"rate limit" NEAR/2 api', doc("rate limit of api"), True),
    ('"rate limit" NEAR/2 api', doc("rate limit of the api"), False),
    ("limit NEAR/2 limit", doc("limit"), False),  # one occurrence is not two
    ("limit NEAR/2 limit", doc("limit and limit"), True),
    ("title:outage", doc("outage", ""), True),
    ("title:outage", doc("", "outage"), False),
    ('title:"rate limit"', doc("rate limit"), True),
    ("title:(a OR b) c", doc("b", "c"), True),
    ("author:jane", doc("", "", author="Jane Doe"), True),
    ("author:jane", doc("jane"), False),
    ("site:reddit.com k8s", doc("k8s", site="old.reddit.com"), True),
    ("site:reddit.com k8s", doc("k8s", site="reddit.com"), True),
    ("site:reddit.com k8s", doc("k8s", site="notreddit.com"), False),
    ("site:reddit.com", doc("", site="REDDIT.COM:443"), True),
    ("source:hn", doc("", source="hn"), True),
    ("source:hn", doc("", source="reddit"), False),
    ("lang:en", doc("", lang="en-US"), True),
    ("lang:en", doc("", lang="eng"), False),
    ("lang:en", doc("", lang=None), False),
    ("lang:en-us", doc("", lang="en"), False),
    ("lang:en -k8s", doc("k8s", lang="en"), False),
    ("c++", doc("C++20 is out"), True),
    ("c++", doc("abc++"), False),
    (".net", doc("ASP.NET core"), True),
    ("node.js", doc("Node.js 22"), True),
    ("node.js", doc("node js"), False),
    # Unicode: NFKC and casefold on both sides.
    ("kube", doc("ＫＵＢＥ"), True),  # full-width
    ("file", doc("ﬁle"), True),  # ligature
    ('"ﬁle system"', doc("FILE SYSTEM"), True),
    ("straße", doc("STRASSE"), True),
    ("STRASSE", doc("straße"), True),
    ("café", doc("CAFE\u0301"), True),  # decomposed accent
    ("café", doc("cafe"), False),
    # Scripts without spaces match as substrings; others on whole words.
    ("東京", doc("東京都に住む"), True),
    ("東京", doc("tokyo東京"), True),
    ("tokyo", doc("tokyo東京"), True),
    ("タワー", doc("東京タワー"), True),
    ('"東京 タワー"', doc("東京タワー"), True),
    ("서울", doc("서울에서"), True),
    ("ไทย", doc("ภาษาไทยง่าย"), True),
    ("москва", doc("Москва!"), True),
    ("москва", doc("Москвары"), False),
    ("हिन", doc("हिन्दी"), False),  # combining marks are part of the word
]


@pytest.mark.parametrize(("query", "document", "expected"), CASES)
def test_match(query: str, document: Document, expected: bool) -> None:
    matcher = Matcher.compile({"topic": query})
    assert bool(matcher.match(document)) is expected
    assert evaluate(parse_query(query), document) is expected  # the reference agrees


def test_match_explains_terms_and_title_in_mapping_order() -> None:
    matcher = Matcher.compile(
        {
            "k8s": "(Kubernetes OR k8s) -hiring",
            "limits": '"rate limit" OR throttl* OR author:jane',
            "reddit": "site:reddit.com",
            "none": "nothing",
        }
    )
    found = matcher.match(
        doc("K8s throttling", "the rate limit of Kubernetes", author="jane", site="reddit.com")
    )
    assert found == [
        TopicMatch("k8s", ("kubernetes", "k8s"), True),
        TopicMatch("limits", ("rate limit", "throttl*", "jane"), True),
        TopicMatch("reddit", (), False),
    ]
    assert matcher.match(doc("", "rate limit")) == [TopicMatch("limits", ("rate limit",), False)]


def test_punctuation_kept_for_one_topic_still_separates_words_for_others() -> None:
    # "node.js" makes "." a character the automaton must see; a phrase of
    # another topic must still match across a full stop.
    matcher = Matcher.compile({"phrase": '"rate limit"', "node": "node.js", "near": "a NEAR/2 b"})
    found = matcher.match(doc("Rate. Limit", "node.js: a. x. b"))
    assert found == [
        TopicMatch("phrase", ("rate limit",), True),
        TopicMatch("node", ("node.js",), False),
        TopicMatch("near", ("a", "b"), False),
    ]


def test_compile_names_the_bad_topic() -> None:
    with pytest.raises(QueryError) as caught:
        Matcher.compile({"good": "kubernetes", "bad": "k8s OR"})
    assert caught.value.topic == "bad"
    assert str(caught.value).startswith('Topic "bad": `OR` is missing a term')


def test_compile_1000_topics() -> None:
    # Compile speed is measured in bench/match.py, never asserted here.
    words = [f"w{i}" for i in range(3000)]
    queries = {
        f"t{i}": f'({words[i]} OR {words[i + 1]}*) "{words[i + 2]} x" -{words[i + 3]} lang:en'
        for i in range(1000)
    }
    matcher = Matcher.compile(queries)
    assert [m.topic for m in matcher.match(doc("w5 w7 X", lang="en"))] == ["t5"]


def test_empty_matcher() -> None:
    assert Matcher.compile({}).match(doc("anything")) == []


def test_tagger_finds_company_names_on_whole_words() -> None:
    tagger = Tagger({"Acme": ["Acme", "Acme Cloud"], "Globex": ["Globex"], "Initech": ["Initech"]})
    assert tagger.tags(doc("Acme Cloud vs GLOBEX", "")) == {"Acme", "Globex"}
    assert tagger.tags(doc("", "acmecloud and globexcorp")) == set()
    assert tagger.tags(doc("", "ａｃｍｅ")) == {"Acme"}
    with pytest.raises(ValueError, match="no letters"):
        Tagger({"Bad": ["!!"]})


# ------------------------------------------------------------ property test

WORDS = ["kubernetes", "k8s", "go", "outage", "rate", "limit", "c++", "node.js", "東京", "straße"]
PREFIXES = ["ku", "go", "ra", "li", "東"]
TEXT_WORDS = WORDS + [
    "Kubernetes", "K8S", "k8sx", "GO", "google", "Outage", "RATE", "limits", "c++20", "abc++",
    "node", "js", "東京都", "東京タワー", "STRASSE", "ﬁle", "minikube",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", ", ", ". ", "-", "\n", " (", ") ", ""]

terms = st.builds(
    Term,
    st.sampled_from(WORDS),
    st.sampled_from([None, None, None, "title", "author"]),
) | st.builds(lambda p: Term(p, prefix=True), st.sampled_from(PREFIXES))
phrases = st.builds(Phrase, st.lists(st.sampled_from(WORDS), min_size=2, max_size=3).map(tuple))
fields = st.sampled_from(
    [FieldMatch("site", "reddit.com"), FieldMatch("source", "hn"), FieldMatch("lang", "en")]
)
nears = st.builds(
    Near, terms.filter(lambda t: t.field is None) | phrases,
    st.sampled_from([Term("outage"), Term("limit"), Phrase(("rate", "limit"))]),
    st.integers(1, 4),
)  # fmt: skip
atoms = st.one_of(terms, terms, phrases, fields, nears)
trees = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.builds(lambda cs: And(tuple(cs)), st.lists(inner, min_size=2, max_size=3)),
        st.builds(lambda cs: Or(tuple(cs)), st.lists(inner, min_size=2, max_size=3)),
        st.builds(Not, inner),
    ),
    max_leaves=6,
)
texts = st.lists(
    st.tuples(st.sampled_from(TEXT_WORDS), st.sampled_from(SEPARATORS)), max_size=12
).map(lambda pairs: "".join(w + s for w, s in pairs))
documents = st.builds(
    Document,
    texts,
    texts,
    author=st.sampled_from(["", "Jane Doe", "k8s bot"]),
    site=st.sampled_from(["", "old.reddit.com", "notreddit.com"]),
    source=st.sampled_from(["", "hn", "reddit"]),
    lang=st.sampled_from([None, "en", "en-US", "de"]),
)


def _parsed(tree: Node) -> Node | None:
    try:
        return parse_query(describe(tree))
    except QueryError:  # only exclusions: refused, as it should be
        return None


@settings(max_examples=200, deadline=None)
@given(st.lists(trees, min_size=1, max_size=4), st.lists(documents, min_size=1, max_size=3))
def test_engine_agrees_with_reference(queries: list[Node], docs: list[Document]) -> None:
    parsed = {f"t{i}": tree for i, q in enumerate(queries) if (tree := _parsed(q)) is not None}
    assume(parsed)
    engine, reference = Matcher(parsed), ReferenceMatcher(parsed)
    for document in docs:
        assert [m.topic for m in engine.match(document)] == reference.match(document)
