"""Quarterly rollups: metrics (database aggregates), scoring, columns, reads."""
