"""A passphrase neither in its environment variable nor typeable (no terminal): one sentence naming
which passphrase and the variable that gives it."""

from __future__ import annotations

import io

import pytest

from registry.cli.options import passphrase
from registry.errors import KeyStoreError


def test_a_passphrase_not_given_names_itself_and_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGISTRY_HOLDER_PASSPHRASE", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal
    with pytest.raises(KeyStoreError) as missing:
        passphrase(True, "REGISTRY_HOLDER_PASSPHRASE", "Her passphrase (the worker's, for the file)")
    assert str(missing.value) == (
        "Her passphrase (the worker's, for the file) not given: set REGISTRY_HOLDER_PASSPHRASE or run in a "
        "terminal to be prompted"
    )
