"""What was heard and answered: the digest, its chart, the weekly post, exports."""
