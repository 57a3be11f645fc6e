"""mumax3."""
