"""Monitoring and data review (DESIGN.md "review"): what monitors, data managers and
investigators add on top of the clinical data, without changing it."""
