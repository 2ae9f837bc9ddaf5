"""Shared test helpers: plain modules test files import (`from tests.helpers.x import ...`)."""
