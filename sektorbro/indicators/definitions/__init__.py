"""Indicator definitions, one module each, written as Ibis expressions (DuckDB by default)."""
