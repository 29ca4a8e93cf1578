"""One poll cycle: due sources fetched and parsed in a pool, stored, matched."""
