"""The test suite, laid out like the package (docs/ARCHITECTURE.md, "Where things go")."""
