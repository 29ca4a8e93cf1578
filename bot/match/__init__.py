"""Which topics a post belongs to: the automaton engine, relevance, ranking."""
