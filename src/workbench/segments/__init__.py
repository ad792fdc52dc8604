"""Segments: condition trees over unified profiles and events, compiled to DuckDB SQL."""
