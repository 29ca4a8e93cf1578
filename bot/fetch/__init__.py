"""I/O only: getting a source's bytes safely (timeouts, caps, SSRF guard, conditional GET)."""
