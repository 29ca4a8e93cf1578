"""closest_names: the one rule for "did you mean" (topics in /digest, /who-covers, /hark)."""

from __future__ import annotations

from bot.match.words import closest_names


def test_the_closest_names_come_best_first_as_they_are_spelled():
    names = ["Kubernetes", "Billing", "kubectl"]
    assert closest_names("kubernets", names) == ["Kubernetes", "kubectl"]
    assert closest_names("KUBERNETES", names)[0] == "Kubernetes"  # compared folded


def test_nothing_close_gives_nothing_and_the_cutoff_is_the_callers():
    assert closest_names("zzz", ["kubernetes"]) == []
    assert closest_names("bill", ["billing"], cutoff=0.9) == []
    assert closest_names("bill", ["billing"], cutoff=0.5) == ["billing"]


def test_at_most_three_are_suggested():
    assert len(closest_names("topic", [f"topic{i}" for i in range(9)])) == 3
