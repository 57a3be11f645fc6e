"""magnumnp."""
