"""Search and merge, author resolution, the core-works filter, pairing, completeness."""
