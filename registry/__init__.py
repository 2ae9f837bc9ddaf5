"""Blockchain-anchored skills credential registry, EBSI-style."""

__version__ = "0.1.0"
