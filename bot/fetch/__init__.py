"""I/O only: getting a source's bytes safely (timeouts, caps, SSRF guard, conditional GET).

httpx is imported without its command-line client: ``import httpx`` loads ``httpx._main``
(click and, when installed, rich and pygments; about 20 ms) only to offer ``httpx.main``,
which Hark never calls, and every ``hark`` command imports this package. With the module
blocked, httpx defines its stand-in ``main`` instead; nothing else of httpx changes.
"""

from __future__ import annotations

from bot.lean import import_without

import_without("httpx", ("httpx._main",))
