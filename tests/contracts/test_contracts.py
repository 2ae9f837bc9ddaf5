"""The bindings in `registry/contracts/` against the deployed contracts (a real anvil): the
status-word layout as the Solidity library writes it, the effect check the journal is given, and
the journal knowing no contract itself."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
from pathlib import Path
from types import ModuleType

from registry.chain import txmanager
from registry.chain.txmanager import Journal, NoEffects, TxManager
from registry.contracts import statusword as sw
from registry.contracts.credentials import CredentialRegistry
from registry.contracts.effects import DeploymentEffects
from registry.keystore import Identity
from registry.ops.registry import Purpose, Registry


def test_the_status_word_layout_is_the_contracts(registry: Registry, make_issuer) -> None:  # type: ignore[no-untyped-def]
    # The contract's own `listId`, and a word written by the contract, read with statusword.
    (lid,) = registry.client.call(registry.credentials.call("listId", int(Purpose.SUSPENSION), 9))
    assert lid == sw.list_id(Purpose.SUSPENSION, 9) and sw.split_list_id(lid) == (Purpose.SUSPENSION, 9)
    who: Identity = make_issuer("layout", register=False)
    receipt = registry.client.transact(who.account, registry.credentials.set_status(Purpose.REVOCATION, 3, 230, 5))
    (words,) = registry.client.call(registry.credentials.status_words(who.account.address, Purpose.REVOCATION, 3))
    assert len(words) == sw.WORDS_PER_LIST
    word = int(words[sw.word_of(230)])
    assert sw.bit_of(word, 230) and not sw.bit_of(word, 229)
    assert sw.entries(word) == 1 << (230 - sw.BITS_PER_WORD)
    assert sw.last_change_block(word) == receipt["blockNumber"]
    (event,) = registry.status_history(who.account.address, Purpose.REVOCATION, 3, 1, receipt["blockNumber"])
    assert (event.mask, event.set, event.reason, event.previous_change) == (1 << 6, True, 5, 0)


def test_the_effect_check_reads_what_is_on_chain(registry: Registry, make_issuer) -> None:  # type: ignore[no-untyped-def]
    who: Identity = make_issuer("effects", register=False)
    sender, contract = who.account.address, registry.credentials
    effects = DeploymentEffects(registry.client)
    value = os.urandom(32)
    assert effects.done(sender, contract.anchor(value)) is False
    registry.client.transact(who.account, contract.anchor(value))
    assert effects.done(sender, contract.anchor(value)) is True
    assert effects.refused_as_done(sender, contract.anchor(value), "AlreadyAnchored")
    # A status change: done only when every entry is in the state asked; narrowed to what is left.
    registry.client.transact(who.account, contract.set_status(Purpose.REVOCATION, 4, 3, 1))
    both = contract.update_entries(Purpose.REVOCATION, 4, [3, 4], True, 1)
    assert effects.done(sender, both) is False
    assert not effects.refused_as_done(sender, both, "StatusAlreadySet")
    assert effects.still_to_change(sender, both).args == (0, 4, [0], [1 << 4], True, 1)
    assert effects.changes(both) == sw.list_id(Purpose.REVOCATION, 4)
    assert effects.publishes(contract.publish_status_list(sw.list_id(Purpose.REVOCATION, 4))) == effects.changes(both)
    # Another contract's "already" errors; nothing read from state for them.
    register = registry.dids.register("did:ebsi:zAnything", bytes(32), bytes(32))
    assert effects.refused_as_done(sender, register, "DIDAlreadyRegistered") and effects.done(sender, register) is None


def _modules_of(package: ModuleType) -> list[ModuleType]:
    names = [info.name for info in pkgutil.iter_modules(package.__path__)]
    return [package, *(importlib.import_module(f"{package.__name__}.{name}") for name in names)]


def test_the_journal_knows_no_contract(registry: Registry, tmp_path: Path) -> None:
    # Every module of the journal's package (inspect.getsource of a package reads only its __init__).
    source = "".join(inspect.getsource(module) for module in _modules_of(txmanager))
    for name in ("CredentialRegistry", "DIDRegistry", "TrustedIssuersRegistry", "224", "statusWords", "anchorOf"):
        assert name not in source, name
    bare = TxManager(registry.client, Journal(tmp_path / "journal.sqlite"))
    assert isinstance(bare.effects, NoEffects)
    call = CredentialRegistry(registry.credential_address).anchor(bytes(32))
    assert bare.effects.done("0x" + "00" * 20, call) is None
    assert isinstance(registry.client.tx_manager, TxManager)
    assert isinstance(registry.client.tx_manager.effects, DeploymentEffects)


def test_events_decode_through_the_bindings(registry: Registry, chain) -> None:  # type: ignore[no-untyped-def]
    # Read back through the bindings what the fixtures wrote: a DID's registration event, an
    # accreditation's body, a key's expiry.
    import hashlib

    from registry.ops.registry import did_hash

    client, dids, tir = registry.client, registry.dids, registry.tir
    h = did_hash(chain.ti.did)
    registration, methods = client.call_many(dids.resolve_calls_by_hash(h))
    block = int(registration[1])
    (log,) = client.request(*client.logs_request(dids.address, dids.registered_topics(h), block, block))
    assert dids.registered_did(log) == chain.ti.did
    attribute, _revisions = client.call(tir.attribute(h, chain.ti_attribute))
    body_hash, body_block = bytes(attribute[3]), int(attribute[8])
    logs = client.request(
        *client.logs_request(tir.address, tir.body_topics(h, chain.ti_attribute), body_block, body_block)
    )
    assert [hashlib.sha256(tir.body_of(entry).encode()).digest() for entry in logs] == [body_hash]
    receipt = registry.expire_key(chain.ti, len(methods[0]) - 1, 0)
    at = receipt["blockNumber"]
    (expired,) = client.request(
        *client.logs_request(dids.address, dids.expiry_set_topics(h, len(methods[0]) - 1), at, at)
    )
    state = registry.resolve(chain.ti.did)
    assert dids.expiry_not_after(expired) == state.methods[-1].not_after
