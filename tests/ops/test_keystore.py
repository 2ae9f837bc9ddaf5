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
    assert "give the passphrase its key was made under (REGISTRY_PASSPHRASE, or typed when asked)" in str(wrong.value)


def test_identity_names_cannot_escape_the_key_directory(tmp_path: Path) -> None:
    from registry.errors import InputError

    with pytest.raises(InputError):
        KeyStore(tmp_path / "keys").path("../../etc/passwd")


def _damage(path: Path, change: object) -> None:
    data = json.loads(path.read_text())
    keyfile = data["keys"][0]["keyfile"]
    assert callable(change)
    data["keys"][0]["keyfile"] = change(keyfile)
    path.write_text(json.dumps(data))


def _set(keyfile: dict, dotted: str, value: object) -> dict:  # type: ignore[type-arg]
    node = keyfile
    *parents, last = dotted.split(".")
    for name in parents:
        node = node[name]
    node[last] = value
    return keyfile


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda k: "not an object", "not a JSON object"),
        (lambda k: _set(k, "version", 1), "version 1"),
        (lambda k: _set(k, "crypto.ciphertext", "zz" * 32), "ciphertext is not hex"),
        (lambda k: _set(k, "crypto.kdfparams.n", 3), "out of range"),
        (lambda k: _set(k, "crypto.kdfparams.n", 2**30), "out of range"),
        (lambda k: _set(k, "crypto.kdf", "pbkdf2"), "only scrypt"),
        (lambda k: _set(k, "crypto.mac", "ab"), "mac"),
        # Cut short (a private key is 32 bytes): it read as a wrong passphrase.
        (lambda k: _set(k, "crypto.ciphertext", k["crypto"]["ciphertext"][:-4]), "ciphertext is not 32 bytes"),
    ],
)
def test_a_damaged_key_file_is_called_damaged_not_a_wrong_passphrase(
    tmp_path: Path, change: object, named: str
) -> None:
    store = KeyStore(tmp_path / "keys")
    path = store.save(new_natural_person("amina"), "right")
    _damage(path, change)
    with pytest.raises(KeyStoreError) as raised:
        store.load("amina", "right")
    assert "is corrupt" in str(raised.value) and named in str(raised.value)
    assert "passphrase" not in str(raised.value)


def test_an_identity_file_that_is_not_text_is_unreadable(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    path = store.save(new_natural_person("amina"), "right")
    path.write_bytes(b"\xff\xfe{")
    with pytest.raises(KeyStoreError, match="unreadable or not JSON"):
        store.load("amina", "right")


def test_a_flipped_mac_still_reads_as_a_wrong_passphrase(tmp_path: Path) -> None:
    # Bytes flipped inside a well-formed key cannot be told from a wrong passphrase: same MAC failure.
    store = KeyStore(tmp_path / "keys")
    path = store.save(new_natural_person("amina"), "right")
    _damage(
        path, lambda k: _set(k, "crypto.mac", ("0" if k["crypto"]["mac"][0] != "0" else "1") + k["crypto"]["mac"][1:])
    )
    with pytest.raises(KeyStoreError, match="wrong passphrase"):
        store.load("amina", "right")


def test_another_identity_s_file_under_this_name_is_refused_not_used(tmp_path: Path) -> None:
    # A key file copied (or renamed) over another's: `--issuer centre` would have signed as someone else.
    store = KeyStore(tmp_path / "keys")
    store.save(new_natural_person("amina"), "right")
    other = store.save(new_natural_person("bilal"), "right")
    store.path("amina").write_bytes(other.read_bytes())
    with pytest.raises(KeyStoreError, match=r"holds the identity 'bilal'.*not amina: it was copied or renamed"):
        store.load("amina", "right")
    with pytest.raises(KeyStoreError, match="holds the identity 'bilal'"):
        store.public_info("amina")
    # A name mistyped (`--issuer Bilall`): asked about the close one, not told to make a new identity
    # (a new key nothing knows); a name like none: told how to make it, or which home holds it.
    with pytest.raises(KeyStoreError, match=r"^no identity named Bilall in .*: did you mean bilal\? \(`registry"):
        store.public_info("Bilall")
    with pytest.raises(KeyStoreError, match=r"^no identity named chidi in .*: make it with `registry identity create"):
        store.public_info("chidi")


def test_one_key_of_a_file_that_the_passphrase_does_not_open_is_damage_not_a_wrong_passphrase(tmp_path: Path) -> None:
    # An organisation's file holds two keys under one passphrase: one that opens and one that does
    # not means the second was changed (it read as a wrong passphrase, and she tried others).
    store = KeyStore(tmp_path / "keys")
    path = store.save(new_legal_entity("centre"), "right")
    data = json.loads(path.read_text())
    crypto = data["keys"][1]["keyfile"]["crypto"]
    crypto["ciphertext"] = ("0" if crypto["ciphertext"][0] != "0" else "1") + crypto["ciphertext"][1:]
    path.write_text(json.dumps(data))
    with pytest.raises(KeyStoreError, match="is corrupt: its controller key does not open under the passphrase") as e:
        store.load("centre", "right")
    assert "put back a copy of the file" in str(e.value) and "wrong passphrase" not in str(e.value)
    with pytest.raises(KeyStoreError, match="wrong passphrase for identity centre"):
        store.load("centre", "wrong")  # neither opens: the passphrase


def test_a_key_file_other_users_may_read_is_warned_about_as_ssh_does(tmp_path: Path) -> None:
    told: list[str] = []
    store = KeyStore(tmp_path / "keys", told.append)
    path = store.save(new_natural_person("amina"), "right")
    store.load("amina", "right")
    assert told == []  # written 0600
    os.chmod(path, 0o644)
    store.load("amina", "right")  # the keys are encrypted: the command goes on
    assert told == [
        f"{path} may be read by other users (mode 0644): its keys are encrypted, but whoever copies it can guess "
        f"the passphrase offline; run `chmod 600 {path}`"
    ]
