"""Pure: bytes -> posts (feeds, entries, safety checks, normalisation, X posts)."""
