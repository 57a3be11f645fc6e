"""Generators of the documentation's reference and results pages (run at `mkdocs build`)."""
