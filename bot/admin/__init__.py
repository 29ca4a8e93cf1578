"""/hark: topics, sources, mutes and status, for the people who run Hark."""
