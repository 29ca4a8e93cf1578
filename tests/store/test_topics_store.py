"""Topics on their own store: the config's topics synced (updated, others from the config
disabled, command-made ones kept), topics added, edited and removed by command, a removed one
brought back by adding it again, and a version bumped on every change."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.models import Topic
from bot.store.topics import TopicsStore


@pytest.fixture
def topics(tmp_path: Path):
    store = TopicsStore(str(tmp_path / "hark.db"))
    yield store
    store.close()


def names(store: TopicsStore, enabled_only: bool = True) -> list[str]:
    return [t.name for t in store.topics(enabled_only)]


def test_sync_upserts_the_config_and_disables_what_it_dropped(topics: TopicsStore) -> None:
    topics.sync_config_topics(
        [Topic("kubernetes", "k8s", "C0K8S"), Topic("billing", "invoice", "C0B")]
    )
    assert topics.add_topic("postgres", "vacuum", "C0DB")
    version = topics.topics_version()
    topics.sync_config_topics([Topic("Kubernetes", "kubernetes OR k8s", "C0NEW")])
    assert topics.topics_version() > version
    assert names(topics) == ["kubernetes", "postgres"]  # billing left the config; postgres stays
    assert names(topics, enabled_only=False) == ["billing", "kubernetes", "postgres"]
    k8s = topics.topic_by_name("kubernetes")
    assert k8s is not None
    assert (k8s.query, k8s.channel, k8s.enabled, k8s.from_config) == (
        "kubernetes OR k8s",
        "C0NEW",
        True,
        True,
    )
    assert topics.topic_by_name("billing") is None  # disabled topics are not found by name


def test_add_edit_remove_and_add_again(topics: TopicsStore) -> None:
    assert topics.add_topic("postgres", "vacuum", "C0DB") is True
    assert topics.add_topic("postgres", "other", "C0X") is False
    assert topics.edit_topic_query("postgres", "vacuum OR pgbouncer") is True
    assert topics.edit_topic_query("nosuch", "x") is False
    before = topics.topics_version()
    assert topics.remove_topic("postgres") is True
    assert topics.remove_topic("postgres") is False
    assert topics.topics_version() == before + 1
    assert topics.add_topic("postgres", "autovacuum", "C0DB2") is True  # brought back
    back = topics.topic_by_name("postgres")
    assert back is not None and (back.query, back.channel, back.from_config) == (
        "autovacuum",
        "C0DB2",
        False,
    )
    assert len(topics.topics(enabled_only=False)) == 1
