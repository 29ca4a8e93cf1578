"""Hark wired to the fake Slack and a temp database, driven by signed requests.

`make_harness` builds the real app (settings, store, services, Bolt app) pointed at a
`FakeSlack`; the `harness_factory` fixture in tests/conftest.py makes one per test and closes
it. The helpers below put a harness into a known state through the production code.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_bolt import App, BoltResponse

from bot.app import create_app
from bot.config import Settings, load_settings
from bot.store import IncomingPost, Store
from bot.wiring import Services, build_services
from tests.support import slackreq
from tests.support.blockkit import validate_blocks
from tests.support.fakeslack import FakeSlack

SECRET = "test-signing-secret"


@dataclass
class Harness:
    """Hark wired to the fake Slack and a temp database, driven by signed requests."""

    fake: FakeSlack
    settings: Settings
    store: Store
    services: Services
    app: App

    def dispatch(self, request: slackreq.SignedRequest) -> BoltResponse:
        return self.app.dispatch(request.bolt())

    def command(
        self, command: str, text: str = "", user_id: str = "U0SME1", **kw: Any
    ) -> BoltResponse:
        req = slackreq.slash_command(
            SECRET,
            command,
            text,
            user_id=user_id,
            response_url=self.fake.response_url(f"{command.strip('/')}-{user_id}"),
            **kw,
        )
        return self.dispatch(req)

    def last_response(self) -> dict[str, Any]:
        """What the last command answered through its response_url."""
        return self.fake.last("response").args

    def answer_text(self) -> str:
        """The last command's answer, checked against Block Kit's limits, as text to search."""
        response = self.last_response()
        assert validate_blocks(response["blocks"]) == []
        return str(response["blocks"])

    def click(self, action_id: str, conversation_id: int, user_id: str = "U0SME1") -> BoltResponse:
        row = self.store.conversation(conversation_id)
        req = slackreq.block_action(
            SECRET,
            action_id,
            str(conversation_id),
            user_id=user_id,
            channel_id=row.channel,
            message_ts=row.ts or "1.0",
            response_url=self.fake.response_url(f"click-{user_id}"),
        )
        return self.dispatch(req)

    def submit(
        self, callback_id: str, values: dict[str, Any], user_id: str = "U0SME1", metadata: Any = ""
    ) -> BoltResponse:
        if not isinstance(metadata, str):
            metadata = json.dumps(metadata)
        req = slackreq.view_submission(
            SECRET, callback_id, values, user_id=user_id, private_metadata=metadata
        )
        return self.dispatch(req)

    def poll(self) -> None:
        self.store.force_all_due()
        self.services.poller.poll_due()
        self.services.publisher.deliver()


def make_harness(fake: FakeSlack, tmp_path: Path, config: str, **env: str) -> Harness:
    config_path = tmp_path / "hark.yml"
    config_path.write_text(textwrap.dedent(config))
    environ = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url,
        "HARK_DB": str(tmp_path / "hark.db"),
        "HARK_CONFIG": str(config_path),
        **env,
    }
    settings = load_settings(environ)
    store = Store(settings.db_path)
    services = build_services(settings, store, per_channel_interval=0)
    app = create_app(settings, store, services, process_before_response=True)
    return Harness(fake, settings, store, services, app)


BASE_CONFIG = """
company: {name: Acme, terms: [Acme, "Acme Cloud"]}
competitors: {Globex: [Globex]}
topics:
  - name: kubernetes
    query: '(kubernetes OR k8s) -hiring'
    channel: C0K8S
  - name: billing
    query: 'invoice OR "billing portal"'
    channel: C0BILL
admins: [U0MARKETER]
network: {allow_hosts: [127.0.0.1]}
sources:
%s
"""


def seed_conversation(
    h: Harness,
    *,
    topic: str = "kubernetes",
    title: str = "How do I debug a k8s CrashLoopBackOff?",
    link: str = "https://forum.example.com/t/1",
    text: str = "My kubernetes pod restarts.",
    author: str = "",
    source_kind: str = "feed",
    thread_id: str | None = None,
) -> int:
    """A conversation as a poll leaves it (post stored, outbox row, card sent to Slack),
    without fetching or matching: for tests of what happens to a card afterwards."""
    from bot.models import Post, SourceSpec
    from bot.parse.normalize import content_hash, site_of

    source_id = h.store.add_source(SourceSpec("feed", f"https://seed.example/{link}", 600, "seed"))
    h.store.set_source_enabled(source_id, False)  # never polled
    post = Post(guid=link, link=link, title=title, text=text, author=author, thread_id=thread_id)
    [stored] = h.store.store_source_posts(
        source_id,
        [IncomingPost(post, site_of(link), content_hash(title, text))],
        source_kind=source_kind,
    )
    row = h.store.topic_by_name(topic)
    conversation_id = h.store.record_conversation(
        stored.id, row.id, channel=row.channel, score=1.0, why="", deliver=True
    )
    assert conversation_id is not None
    h.services.publisher.deliver()
    return conversation_id


def run_periodic(h: Harness, owner: str) -> Any:
    """Run the periodic job bound to an instance of class ``owner`` (e.g. "Reminders")."""
    jobs = [
        j
        for j in h.services.periodic.values()
        if type(getattr(j, "__self__", None)).__name__ == owner
    ]
    assert len(jobs) == 1, f"expected one {owner} job in Services.periodic"
    return jobs[0]()


def use_fetcher(h: Harness, **settings: Any) -> Any:
    """Give the harness's poller a real Fetcher with other settings (short timeouts, a
    resolver, more allowed hosts); the config's allow_hosts are kept."""
    from bot.fetch.client import Fetcher

    allow = h.settings.config.allow_hosts | frozenset(settings.pop("allow_hosts", ()))
    fetcher = Fetcher(allow_hosts=allow, **settings)
    h.services.fetcher.close()
    h.services.fetcher = h.services.poller.fetcher = fetcher
    return fetcher
