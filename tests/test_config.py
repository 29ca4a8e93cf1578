"""Config validation: every mistake names the key and says how to fix it."""

from __future__ import annotations

import pytest
import yaml

from bot.config import ConfigError, load_config, load_settings, parse_config

GOOD = """
company: {name: Acme, terms: [Acme, "Acme Cloud"]}
competitors: {Globex: [Globex], Initech: [Initech]}
topics:
  - name: kubernetes
    query: '(kubernetes OR k8s) -hiring'
    channel: C0K8S
    sla: 2h
sources:
  - url: https://hnrss.org/newest?q=kubernetes
    every: 10m
  - x: '"acme cloud" -is:retweet lang:en'
  - reddit: r/devops
admins: [U0MARKETER]
digest: {channel: C0MKTG, schedule: "mon 09:00"}
network: {allow_hosts: [127.0.0.1]}
"""


def test_good_config_is_read():
    config = parse_config(yaml.safe_load(GOOD), "hark.yml")
    assert config.company_terms == ("Acme", "Acme Cloud")
    assert config.competitors == {"Globex": ("Globex",), "Initech": ("Initech",)}
    (topic,) = config.topics
    assert (topic.name, topic.channel, topic.sla_minutes) == ("kubernetes", "C0K8S", 120)
    kinds = [(s.kind, s.target) for s in config.sources]
    assert kinds == [
        ("feed", "https://hnrss.org/newest?q=kubernetes"),
        ("x", '"acme cloud" -is:retweet lang:en'),
        ("feed", "https://www.reddit.com/r/devops/new/.rss"),
    ]
    assert config.admins == frozenset({"U0MARKETER"})
    assert config.allow_hosts == frozenset({"127.0.0.1"})


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("topics: [{name: a, query: b}]", "topics[0].channel", "is required"),
        (
            "topics: [{name: a, query: b, channel: 'not a channel'}]",
            "topics[0].channel",
            "channel ID",
        ),
        (
            "topics: [{name: a, query: b, channel: C1X}, {name: A, query: c, channel: C1X}]",
            "topics[1].name",
            "defined twice",
        ),
        ("topics: [{name: a, query: b, channel: C1X, sla: soon}]", "topics[0].sla", "duration"),
        ("sources: [{url: 'ftp://x'}]", "sources[0].url", "http(s) URL"),
        ("sources: [{url: 'https://x.example', every: 10s}]", "sources[0].every", "at least 1m"),
        ("sources: [{feed: 'https://x.example'}]", "sources[0]", "needs exactly one of"),
        ("sources: [{stackoverflow: 'not a tag!'}]", "sources[0].stackoverflow", "tag"),
        ("admins: [marketing]", "admins[0]", "Slack user ID"),
        ("topic: []", "topic", "unknown key"),
        ("competitors: {Globex: [1]}", "competitors.Globex[0]", "non-empty string"),
        ("- just a list", "(top level)", "mapping"),
        ("topics: [{name: a, query: '\"unclosed', channel: C1X}]", "topics[0].query", "^"),
        ("topics: [{name: a, query: '-hiring', channel: C1X}]", "topics[0].query", "exclusions"),
    ],
)
def test_mistakes_name_the_key(text, key, problem):
    with pytest.raises(ConfigError) as info:
        parse_config(yaml.safe_load(text), "hark.yml")
    assert info.value.key == key
    assert problem in info.value.problem
    assert str(info.value).startswith(f"hark.yml: {key}: ")


def test_unreadable_yaml_names_the_line(tmp_path):
    path = tmp_path / "hark.yml"
    path.write_text("topics:\n  - name: [unclosed\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "at line 3, column 1" in str(info.value) and str(path) in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not found; check HARK_CONFIG"):
        load_config(tmp_path / "nope.yml")


def test_settings_from_environment_and_no_token_in_repr(tmp_path):
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-secret",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "PORT": "8080",
        }
    )
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.port == 8080 and settings.db_path == "hark.db"
    assert "xoxb" not in repr(settings)
    with pytest.raises(ConfigError, match="PORT"):
        load_settings({"PORT": "http"})
