"""The query language topics are written in: tokens, parser, tree, errors."""
