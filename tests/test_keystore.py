"""Keys are encrypted at rest, in files only their owner can read, and never printed."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from registry.errors import KeyStoreError
from registry.keystore import KeyStore, new_legal_entity, new_natural_person


def test_identity_files_are_private_and_encrypted(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    identity = new_legal_entity("centre")
    path = store.save(identity, "s3cret passphrase")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store.directory).st_mode) == 0o700
    text = path.read_text()
    data = json.loads(text)
    for entry in data["keys"]:
        assert entry["keyfile"]["crypto"]["kdf"] == "scrypt"
    # Neither private key appears in the file in any encoding we use.
    from registry.formats import keys as keyfmt
    from registry.formats.multibase import b64url_encode

    for key in (identity.signing_key, identity.controller_key):
        assert key is not None
        secret = keyfmt.private_bytes(key)
        assert secret.hex() not in text and b64url_encode(secret) not in text


def test_round_trip_and_wrong_passphrase(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    person = new_natural_person("amina")
    store.save(person, "right")
    loaded = store.load("amina", "right")
    assert loaded.did == person.did and loaded.signing_jwk == person.signing_jwk
    with pytest.raises(KeyStoreError) as wrong:
        store.load("amina", "wrong")
    assert "wrong passphrase" in str(wrong.value) and "right" not in str(wrong.value)


def test_identity_names_cannot_escape_the_key_directory(tmp_path: Path) -> None:
    from registry.errors import InputError

    with pytest.raises(InputError):
        KeyStore(tmp_path / "keys").path("../../etc/passwd")
