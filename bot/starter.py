"""`hark init`: a commented starter config, every key the parser takes, ready to edit."""

from __future__ import annotations

from pathlib import Path

STARTER_CONFIG = """\
# Hark's config: what to listen for, and where to post it. Edit it, then run
#   HARK_CONFIG=hark.yml hark doctor     # says what to fix
#   HARK_CONFIG=hark.yml hark run        # the bot
# A mistake stops Hark with the file, the key and the fix. README.md, Configuration,
# explains every key; the ones marked "optional" may be deleted.

company:                        # optional: tagged on every post that names you
  name: Acme
  terms: [Acme, "Acme Cloud"]   # the names and products people write

competitors:                    # optional: for the digest's share of attention
  Globex: [Globex]

topics:                         # the beats: each posts into its team's channel
  - name: kubernetes
    query: '(kubernetes OR k8s) -hiring'   # words, "phrases", OR, -word, prefix*
    channel: "#general"         # a channel ID (C0123ABCD) or #name; /invite @Hark there
    sla: 60m                    # optional: remind the channel when unclaimed this long
    min_score: 0                # optional: post only conversations scoring at least this

sources:                        # where to listen; each is polled on its own schedule
  - hn: kubernetes              # Hacker News search
    every: 10m                  # optional: how often (at least 1m; default 10m)
  - reddit: r/kubernetes        # a subreddit (or words: a Reddit search)
  - stackoverflow: kubernetes   # a Stack Overflow tag
  - mastodon: kubernetes@mastodon.social   # the hashtag #kubernetes on that server
  # - url: https://example.com/feed.xml    # any RSS, Atom or JSON feed
  #   label: Example blog                  # optional: the name cards and /hark sources show
  # - bluesky: alice.bsky.social
  # - youtube: UCxxxxxxxxxxxxxxxxxxxxxx    # a channel id
  # - github: kubernetes/kubernetes        # the repository's releases
  # - x: '"acme cloud" -is:retweet lang:en'   # needs X_BEARER_TOKEN; billed per post read

admins: []                      # Slack user IDs (U0123ABCD) who may change topics and sources

digest:                         # optional: the weekly digest, posted to a channel
  # channel: "#marketing"
  schedule: "mon 09:00"         # day and time, UTC

backfill: 24h                   # a new source posts only what is newer than this at first
retention: 180d                 # posts that never became a conversation are deleted after
                                # this long (0 keeps them all)

# engagement:                   # optional
#   guidelines: "Say who you work for; be helpful first."   # shown in the Reply modal
#   business_hours:             # the SLA clock runs only in these hours (default: always)
#     days: mon-fri
#     hours: 09:00-17:00
#     timezone: Europe/Berlin


x:
  max_reads_per_month: 10000    # X bills per post read: polling X stops for the month here

network:
  allow_hosts: []               # hosts allowed to resolve to private addresses (intranet feeds)
"""


def write_starter(path: Path) -> str:
    """Write the starter config to ``path`` (never over an existing file); say what next."""
    with path.open("x", encoding="utf-8") as out:  # "x": refuse to overwrite
        out.write(STARTER_CONFIG)
    return (
        f"Wrote {path}: a starter config with one topic and four sources. Edit it (the "
        f"comments say what each key does), invite the bot into the topic's channel, then "
        f"run `HARK_CONFIG={path} hark doctor`."
    )
