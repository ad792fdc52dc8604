"""Personalization Workbench: prototype identity rules, segments and decisions offline."""

__version__ = "0.1.0"
