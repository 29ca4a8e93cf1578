"""Hark: puts a company's experts into the conversations that matter."""
