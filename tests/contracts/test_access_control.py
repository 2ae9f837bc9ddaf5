"""Every state-changing function refuses every actor who must be refused, with its custom error."""

from __future__ import annotations

import time
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from registry.chain.client import Call
from registry.chain.errors import SENTENCES
from registry.errors import TransactionReverted
from registry.formats import keys as keyfmt
from registry.formats.accreditation import Scope
from registry.keystore import new_legal_entity
from registry.ops.registry import Purpose, Registry, Rel, did_hash, list_id
from registry.ops.trust import AttrStatus, IssuerType, Trust
from tests.conftest import GOVERNANCE, ONE_YEAR, Chain, fund


def refusal(registry: Registry, account: LocalAccount, call: Call) -> TransactionReverted:
    with pytest.raises(TransactionReverted) as error:
        registry.client.transact(account, call)
    assert error.value.error_name is not None, str(error.value)
    assert error.value.error_name in SENTENCES, f"no sentence for {error.value.error_name}"
    return error.value


def refused(registry: Registry, account: LocalAccount, call: Call) -> str:
    name = refusal(registry, account, call).error_name
    assert name is not None
    return name


@pytest.fixture
def stranger(registry: Registry) -> LocalAccount:
    account: LocalAccount = Account.create()
    registry.client.request("anvil_setBalance", [account.address, hex(10**20)])
    return account


@pytest.fixture
def actors(chain: Chain, stranger: LocalAccount) -> dict[str, LocalAccount]:
    return {
        "governance": GOVERNANCE,
        "root": chain.root.account,
        "tao": chain.tao.account,
        "ti": chain.ti.account,
        "stranger": stranger,
    }


def did_call(registry: Registry, function: str, *args: Any) -> Call:
    return Call(registry.did_address, "DIDRegistry", function, args)


def tir_call(trust: Trust, function: str, *args: Any) -> Call:
    return Call(trust.address, "TrustedIssuersRegistry", function, args)


def test_did_document_changes_only_by_its_controllers(
    registry: Registry, chain: Chain, actors: dict[str, LocalAccount]
) -> None:
    key = keyfmt.jwk_public_dict(keyfmt.generate(keyfmt.KeyType.P256))
    kind, x, y = keyfmt.to_coordinates(key)
    method = (x, y, int(kind), int(Rel.ASSERTION_METHOD), 0, 0)
    target = did_hash(chain.ti.did)
    for name, account in actors.items():
        if name == "ti":
            continue
        add = did_call(registry, "addVerificationMethod", target, method, b"")
        assert refused(registry, account, add) == "NotController", name
        expire = did_call(registry, "expireVerificationMethod", target, 1, 0)
        assert refused(registry, account, expire) == "NotController", name


def test_did_registration_refusals(registry: Registry, chain: Chain, stranger: LocalAccount) -> None:
    other = new_legal_entity("other")
    _, x, y = keyfmt.to_coordinates(other.controller_jwk)
    assert refused(registry, stranger, did_call(registry, "register", other.did, x, y)) == "SenderKeyMismatch"
    _, tx, ty = keyfmt.to_coordinates(chain.ti.controller_jwk)
    again = did_call(registry, "register", chain.ti.did, tx, ty)
    assert refused(registry, chain.ti.account, again) == "DIDAlreadyRegistered"
    unknown = did_call(registry, "expireVerificationMethod", did_hash("did:ebsi:zNobody"), 0, 0)
    assert refused(registry, stranger, unknown) == "DIDNotRegistered"


def test_refusals_carry_their_facts(registry: Registry, trust: Trust, chain: Chain, stranger: LocalAccount) -> None:
    """An over-long DID is refused with its length; governance naming a TAO's accreditation where a
    Root TAO's onboarding belongs gets `NotRootTAO` (not `NotParent`, which is about the granting
    party); the trust registry names an unregistered DID with the DID registry's own error."""
    long_did = "did:ebsi:z" + "a" * 150
    error = refusal(registry, stranger, did_call(registry, "register", long_did, b"\x01" * 32, b"\x02" * 32))
    assert (error.error_name, error.error_args) == ("InvalidDID", (160,))
    assert "this one has 160" in str(error)
    tao, tao_attribute = did_hash(chain.tao.did), chain.tao_attribute
    not_root = tir_call(trust, "setRootStatus", tao, tao_attribute, int(AttrStatus.SUSPENDED), 0)
    error = refusal(registry, GOVERNANCE, not_root)
    assert (error.error_name, error.error_args) == ("NotRootTAO", (tao, tao_attribute))
    nobody = did_hash("did:ebsi:zNobodyAtAll")
    until = int(time.time()) + ONE_YEAR
    for account, call in (
        (GOVERNANCE, tir_call(trust, "onboardRoot", nobody, b"\x05" * 32, "body", 0, until)),
        (chain.root.account, tir_call(
            trust, "accredit", did_hash(chain.root.did), chain.root_attribute, nobody, b"\x06" * 32,
            int(IssuerType.TAO), "body", 0, until,
        )),
    ):  # fmt: skip
        error = refusal(registry, account, call)
        assert (error.error_name, error.error_args) == ("DIDNotRegistered", (nobody,))
        assert f"DID 0x{nobody.hex()} is not registered" in str(error)


def test_a_new_controller_key_must_prove_possession(registry: Registry, chain: Chain) -> None:
    victim = new_legal_entity("victim")
    kind, x, y = keyfmt.to_coordinates(victim.controller_jwk)
    method = (x, y, int(kind), int(Rel.CAPABILITY_INVOCATION), 0, 0)
    call = did_call(registry, "addVerificationMethod", did_hash(chain.ti.did), method, b"\x00" * 65)
    assert refused(registry, chain.ti.account, call) == "KeyPossessionNotProven"


def test_only_governance_onboards_and_changes_roots(
    registry: Registry, trust: Trust, chain: Chain, actors: dict[str, LocalAccount]
) -> None:
    until = int(time.time()) + ONE_YEAR
    for name, account in actors.items():
        if name == "governance":
            continue
        onboard = tir_call(trust, "onboardRoot", did_hash(chain.tao.did), b"\x01" * 32, "x", 0, until)
        assert refused(registry, account, onboard) == "AccessControlUnauthorizedAccount", name
        status = tir_call(
            trust, "setRootStatus", did_hash(chain.root.did), chain.root_attribute, int(AttrStatus.REVOKED), 0
        )
        assert refused(registry, account, status) == "AccessControlUnauthorizedAccount", name


def test_only_a_parent_accredits_in_its_own_name(
    registry: Registry, trust: Trust, chain: Chain, actors: dict[str, LocalAccount]
) -> None:
    until = int(time.time()) + ONE_YEAR
    newcomer = new_legal_entity("newcomer")
    fund(registry, newcomer)
    registry.register_did(newcomer)
    for name, account in actors.items():
        if name == "root":
            continue
        call = tir_call(
            trust, "accredit", did_hash(chain.root.did), chain.root_attribute, did_hash(newcomer.did),
            b"\x07" * 32, int(IssuerType.TAO), "body", 0, until,
        )  # fmt: skip
        assert refused(registry, account, call) == "NotController", name
    # A trusted issuer cannot accredit anyone, even in its own name.
    by_ti = tir_call(
        trust, "accredit", did_hash(chain.ti.did), chain.ti_attribute, did_hash(newcomer.did),
        b"\x08" * 32, int(IssuerType.TI), "body", 0, until,
    )  # fmt: skip
    assert refused(registry, chain.ti.account, by_ti) == "AccreditationNotAllowed"


def test_only_the_parent_changes_a_childs_accreditation(
    registry: Registry, trust: Trust, chain: Chain, actors: dict[str, LocalAccount]
) -> None:
    target = (did_hash(chain.ti.did), chain.ti_attribute, int(AttrStatus.SUSPENDED), 0)
    for name, account in actors.items():
        if name == "tao":
            continue
        # Acting in the TAO's name without controlling it.
        call = tir_call(trust, "setAttributeStatus", did_hash(chain.tao.did), *target)
        assert refused(registry, account, call) == "NotController", name
    # Acting in one's own name but not the parent: the root (grandparent) and the TI itself.
    for actor in (chain.root, chain.ti):
        call = tir_call(trust, "setAttributeStatus", did_hash(actor.did), *target)
        assert refused(registry, actor.account, call) == "NotParent"


def test_only_the_parent_revokes_for_cause_and_never_forward(
    registry: Registry, trust: Trust, chain: Chain, actors: dict[str, LocalAccount]
) -> None:
    """`revokeForCauseSince` is refused as `setAttributeStatus` is to all but the parent, and to the
    parent too for a date after the block's (a revocation reaches back, never forward), before the
    accreditation began, or a reason over 255; once revoked, never again (revocation is final).
    Its `AttributeRevokedForCause` event carries the date stated, after the revision's own event."""
    head = registry.block_timestamp()
    tao, ti, attribute = did_hash(chain.tao.did), did_hash(chain.ti.did), chain.ti_attribute
    for name, account in actors.items():
        if name != "tao":
            call = tir_call(trust, "revokeForCauseSince", tao, ti, attribute, head, 2)
            assert refused(registry, account, call) == "NotController", name
    for actor in (chain.root, chain.ti):
        call = tir_call(trust, "revokeForCauseSince", did_hash(actor.did), ti, attribute, head, 2)
        assert refused(registry, actor.account, call) == "NotParent"
    account = chain.tao.account
    future = refusal(registry, account, tir_call(trust, "revokeForCauseSince", tao, ti, attribute, head + 3600, 2))
    assert future.error_name == "EffectiveTimeInFuture" and future.error_args[0] == head + 3600
    assert "reaches back, never forward" in str(future)
    early = tir_call(trust, "revokeForCauseSince", tao, ti, attribute, 1, 2)
    assert refused(registry, account, early) == "EffectiveTimeBeforeValidity"
    assert refused(registry, account, tir_call(trust, "revokeForCauseSince", tao, ti, attribute, head, 256)) == (
        "InvalidReason"
    )
    receipt = registry.client.transact(account, tir_call(trust, "revokeForCauseSince", tao, ti, attribute, head, 2))
    assert [log["topics"][0] for log in receipt["logs"]] == [
        trust.tir.topic("AttributeRevised"), trust.tir.topic("AttributeRevokedForCause"),
    ]  # fmt: skip
    assert trust.tir.void_from(receipt["logs"][1]) == head
    again = tir_call(trust, "revokeForCauseSince", tao, ti, attribute, head, 2)
    assert refused(registry, account, again) == "InvalidStatusChange"
    assert trust.attribute(chain.ti.did, attribute).status is AttrStatus.REVOKED


def test_a_suspended_parent_cannot_accredit(registry: Registry, trust: Trust, chain: Chain, make_issuer) -> None:  # type: ignore[no-untyped-def]
    trust.set_status(chain.root, chain.tao.did, chain.tao_attribute, AttrStatus.SUSPENDED)
    child = make_issuer("late-applicant")
    with pytest.raises(TransactionReverted) as error:
        trust.accredit(
            chain.tao, chain.tao_attribute, child.did, IssuerType.TI, [Scope(types=("SkillsCredential",))],
            int(time.time()) + ONE_YEAR,
        )  # fmt: skip
    assert error.value.error_name == "ParentNotActive"


def test_role_administration_is_governance_only(
    registry: Registry, trust: Trust, actors: dict[str, LocalAccount]
) -> None:
    from eth_utils import keccak

    role = keccak(text="GOVERNANCE_ROLE")
    for name, account in actors.items():
        if name == "governance":
            continue
        call = tir_call(trust, "grantRole", role, account.address)
        assert refused(registry, account, call) == "AccessControlUnauthorizedAccount", name


def test_credential_registry_refusals(registry: Registry, chain: Chain) -> None:
    value = b"\x42" * 32
    registry.anchor(chain.ti, value)
    cred = registry.credential_address
    again = Call(cred, "CredentialRegistry", "anchor", (value,))
    assert refused(registry, chain.ti.account, again) == "AlreadyAnchored"
    clear = Call(cred, "CredentialRegistry", "updateStatus", (int(Purpose.REVOCATION), 1, [0], [1], False, 0))
    assert refused(registry, chain.ti.account, clear) == "RevocationIsFinal"
    beyond = Call(cred, "CredentialRegistry", "setStatus", ((list_id(Purpose.REVOCATION, 1) << 32) | 131_072, 0))
    assert refused(registry, chain.ti.account, beyond) == "IndexOutOfRange"
    empty = Call(cred, "CredentialRegistry", "anchorCohort", (b"\x43" * 32, 0))
    assert refused(registry, chain.ti.account, empty) == "EmptyCohort"


def test_a_status_entry_changes_once_and_the_first_change_stands(registry: Registry, chain: Chain) -> None:
    """Setting a set entry (revocation or suspension) or clearing a clear one reverts with the entry's
    list, word and the offending bits, so a second revocation can never overwrite the first one's
    reason and time, and a racing second one fails loudly. On a fresh list of the TI's own."""
    cred = registry.credential_address
    ti = chain.ti.account
    number = 7  # the TI is a fresh account of this test: its lists are its own
    revocations, suspensions = list_id(Purpose.REVOCATION, number), list_id(Purpose.SUSPENSION, number)
    registry.client.transact(ti, Call(cred, "CredentialRegistry", "setStatus", ((revocations << 32) | 230, 2)))
    with pytest.raises(TransactionReverted) as error:
        registry.client.transact(ti, Call(cred, "CredentialRegistry", "setStatus", ((revocations << 32) | 230, 4)))
    assert error.value.error_name == "StatusAlreadySet"
    assert error.value.error_args == (revocations, 1, 1 << 6)  # entry 230 is bit 6 of word 1
    # In bulk: one entry already set among fresh ones refuses the whole call, nothing of it applied.
    bulk = Call(cred, "CredentialRegistry", "updateStatus", (0, number, [0, 1], [1, (1 << 6) | (1 << 7)], True, 4))
    assert refused(registry, ti, bulk) == "StatusAlreadySet"
    words = registry.list_words(ti.address, Purpose.REVOCATION, number)
    assert words[0] & ((1 << 224) - 1) == 0 and words[1] & ((1 << 224) - 1) == 1 << 6
    # The one change on record is the first, with its reason.
    history = registry.status_history(ti.address, Purpose.REVOCATION, number, 1, words[1] >> 224)
    assert [(e.mask, e.set, e.reason) for e in history] == [(1 << 6, True, 2)]
    # Suspension: set once, cleared once; a second of either is refused.
    suspend = Call(cred, "CredentialRegistry", "setStatus", ((suspensions << 32) | 5, 6))
    clear = Call(cred, "CredentialRegistry", "updateStatus", (1, number, [0], [1 << 5], False, 7))
    assert refused(registry, ti, clear) == "StatusNotSet"
    registry.client.transact(ti, suspend)
    assert refused(registry, ti, suspend) == "StatusAlreadySet"
    registry.client.transact(ti, clear)
    assert refused(registry, ti, clear) == "StatusNotSet"
    registry.client.transact(ti, suspend)  # suspended again after a reinstatement: a change, allowed


def test_nobody_can_revoke_another_issuers_credential(
    registry: Registry,
    chain: Chain,
    settings,
    holder,
    stranger: LocalAccount,  # type: ignore[no-untyped-def]
) -> None:
    from registry.ops.issuance import Issuer
    from registry.ops.verify import Verdict, Verifier
    from tests.conftest import welding_certificate

    issued = Issuer(registry, chain.ti, settings).issue_single(holder.did, welding_certificate())
    # Writes land in the sender's own namespace: the same list and index, written by anyone else,
    # touch their lists, not the issuer's.
    for account in (stranger, chain.tao.account, chain.root.account, GOVERNANCE):
        entry = (list_id(Purpose.REVOCATION, issued.list_number) << 32) | issued.index
        registry.client.transact(
            account, Call(registry.credential_address, "CredentialRegistry", "setStatus", (entry, 2))
        )
    assert Verifier(registry).verify("c", issued.holder_file.dumps()).verdict is Verdict.VALID


def test_every_custom_error_has_a_sentence() -> None:
    from registry.chain.artifacts import ALL_CONTRACTS, abi

    names = {item["name"] for c in ALL_CONTRACTS for item in abi(c) if item["type"] == "error"}
    # OpenZeppelin library errors no call can hit: ECDSA's (we use tryRecover) and ShortStrings'
    # (raised only by EIP712's constructor for over-long names, fixed at deployment).
    library = {
        "ECDSAInvalidSignature", "ECDSAInvalidSignatureLength", "ECDSAInvalidSignatureS",
        "StringTooLong", "InvalidShortString",
    }  # fmt: skip
    assert names - library - set(SENTENCES) == set()


def test_errors_the_registries_share_are_declared_once() -> None:
    """`DIDNotRegistered`, `NotController` and `InvalidValidity` are declared once
    (contracts/interfaces/IRegistryErrors.sol) for the DID and trust registries: one name is one
    signature, hence one selector and one sentence, in every ABI."""
    import json

    from registry.chain.artifacts import ALL_CONTRACTS, abi

    declared: dict[str, dict[str, str]] = {}
    for contract in ALL_CONTRACTS:
        for item in abi(contract):
            if item["type"] == "error":
                declared.setdefault(item["name"], {})[contract] = json.dumps(item["inputs"], sort_keys=True)
    assert {name: by for name, by in declared.items() if len(set(by.values())) > 1} == {}
    shared = {name for name, by in declared.items() if {"DIDRegistry", "TrustedIssuersRegistry"} <= set(by)}
    assert {"DIDNotRegistered", "NotController", "InvalidValidity"} <= shared


def test_every_sentence_belongs_to_an_error_and_uses_only_its_arguments() -> None:
    """No sentence for an error no contract declares any more, and no field a revert cannot fill
    (which would turn a refusal into a traceback)."""
    import string

    from registry.chain.artifacts import ALL_CONTRACTS, abi

    inputs = {
        item["name"]: {i["name"] for i in item["inputs"]}
        for contract in ALL_CONTRACTS
        for item in abi(contract)
        if item["type"] == "error"
    }
    for name, template in SENTENCES.items():
        assert name in inputs, f"a sentence for {name}, which no contract declares"
        fields = {field for _, field, _, _ in string.Formatter().parse(template) if field}
        assert fields <= inputs[name], f"{name}: {sorted(fields - inputs[name])} are not its arguments"
