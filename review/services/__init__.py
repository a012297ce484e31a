"""Writes of the review app (STYLE.md: `<entity>_<action>`, keyword-only, atomic)."""
