"""Replacing an identity's credential-signing key (`registry did rotate-key`), safe against a kill.

The new key is written first, encrypted under the identity's passphrase, beside its file
(`keys/NAME.next-key`, 0600); then added to the DID document, then the old key ended, then the
identity file rewritten with the new key and the pending file removed, all under the issuer's writer
lock (an `issue` waiting for it checks its key again once it holds it). A run stopped anywhere (a
kill, a full disk, a read-only home, a node gone) is finished by the same command: it takes the
pending key instead of making another, adds it only if the DID document does not hold it, and ends
the old key only if it is still valid. Before this, a run stopped after the chain ended the old key
lost the new one: the issuer could neither sign nor rotate again ("the validity window ... is not
acceptable"); an old key already ended is now left as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from registry.chain.txmanager.crash import crash_point
from registry.durable import remove_durably, write_json_atomic
from registry.errors import KeyStoreError
from registry.files import MIB, read_capped
from registry.formats import keys as keyfmt
from registry.keystore import Identity, KeyStore, identity_document, identity_from_document

if TYPE_CHECKING:
    from registry.config import Settings
    from registry.ops.registry import Registry


@dataclass(frozen=True)
class Rotated:
    identity: Identity  # with its new signing key, as saved
    resumed: bool  # a stopped run's key was finished, not a new one made


def pending_path(store: KeyStore, name: str) -> Path:
    return store.path(name).with_suffix(".next-key")


def _pending(store: KeyStore, identity: Identity, passphrase: str) -> Identity | None:
    """The key a stopped rotation wrote, or None; a file that is not one is named, never replaced."""
    path = pending_path(store, identity.name)
    if not path.exists():
        return None
    try:
        data: Any = json.loads(read_capped(path, MIB, f"pending key file {path}").decode("utf-8"))
        if not isinstance(data, dict) or data.get("did") != identity.did or data.get("name") != identity.name:
            raise ValueError("not this identity's")
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise KeyStoreError(
            f"{path} is not {identity.name}'s pending signing key: move it aside, then run the rotation again"
        ) from exc
    return identity_from_document(data, passphrase, f"identity {identity.name}", f"pending key file {path}")


def rotate_signing_key(registry: Registry, settings: Settings, store: KeyStore, identity: Identity,
                       passphrase: str) -> Rotated:  # fmt: skip
    """Add a new assertion key (a stopped run's, if one is pending), end the current one now, save."""
    from registry.ops.registry import Rel

    manager = registry.attach_journal(settings)
    with manager.writing(identity.account, identity.name, identity):
        pending = _pending(store, identity, passphrase)
        resumed = pending is not None
        if pending is None:
            pending = replace(identity, signing_key=keyfmt.generate(keyfmt.KeyType.P256), _derived={})
            write_json_atomic(pending_path(store, identity.name), identity_document(pending, passphrase), mode=0o600)
        state = registry.resolve(identity.did)
        now = registry.block_timestamp()
        if state.method_by_thumbprint(keyfmt.thumbprint(pending.signing_jwk)) is None:
            registry.add_key(identity, pending.signing_jwk, Rel.ASSERTION_METHOD | Rel.AUTHENTICATION)
        old = state.method_by_thumbprint(keyfmt.thumbprint(identity.signing_jwk))
        if old is not None and old.valid_at(now):  # one a stopped run ended stays as it is
            registry.expire_key(identity, old.index, 0)
        crash_point("before-key-saved")
        store.save(pending, passphrase, overwrite=True)
        remove_durably(pending_path(store, identity.name))
    return Rotated(pending, resumed)
