"""Review records in the admin (read-only: they are written on the review pages)."""
