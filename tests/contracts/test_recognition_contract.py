"""The RecognitionRegistry through its binding: who may write (each refusal's custom error), what its
events carry, and the append-only history of a decision."""

from __future__ import annotations

import hashlib
import time

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from registry.chain.client import Call
from registry.chain.errors import SENTENCES
from registry.cli.hints import CONTRACT_REFUSALS
from registry.errors import InputError, TransactionReverted
from registry.formats.frameworks import find_framework
from registry.formats.recognition import RECOGNITION_PURPOSE, DecisionDocument, Outcome, Scope
from registry.keystore import Identity
from registry.ops.recognition.authority import Recognition
from registry.ops.recognition.model import DecisionStatus
from registry.ops.registry import Registry, did_hash
from registry.ops.trust import AttrStatus, IssuerType, Trust
from tests.conftest import ONE_YEAR, Chain
from tests.helpers.recognition import RECOGNITION_SCOPE, destination

DAY = 86400


def document(authority: Identity, root: str, qualification: str = "Industriemechaniker/in") -> DecisionDocument:
    framework = find_framework("de-dqr")
    assert framework is not None
    return DecisionDocument(
        authority=authority.did,
        scope=Scope(types=("SkillsCredential",), eqf_levels=(4,), root=root),
        outcome=Outcome(qualification, framework.id, "4"),
        valid_from=int(time.time()) - DAY,
    )


def refused(registry: Registry, account: LocalAccount, call: Call) -> str:
    with pytest.raises(TransactionReverted) as error:
        registry.client.transact(account, call)
    name = error.value.error_name
    assert name is not None and name in SENTENCES, str(error.value)
    return name


def publish_call(registry: Registry, authority: Identity, attribute: bytes, doc: DecisionDocument) -> Call:
    until = int(time.time()) + ONE_YEAR
    return registry.recognition.publish(did_hash(authority.did), attribute, doc.text(), doc.valid_from, until)


def test_only_an_active_root_tao_or_recognition_body_controller_publishes(registry: Registry, chain: Chain) -> None:
    stranger: LocalAccount = Account.create()
    registry.client.request("anvil_setBalance", [stranger.address, hex(10**20)])
    doc = document(chain.root, chain.root.did)
    # Not a controller of the authority's DID.
    assert refused(registry, stranger, publish_call(registry, chain.root, chain.root_attribute, doc)) == "NotController"
    # A TI (a training centre) is no recognition authority, even for its own DID.
    ti_doc = document(chain.ti, chain.root.did)
    assert (
        refused(registry, chain.ti.account, publish_call(registry, chain.ti, chain.ti_attribute, ti_doc))
        == "NotRecognitionAuthority"
    )
    # An attribute the authority does not hold is no accreditation either.
    assert (
        refused(registry, chain.root.account, publish_call(registry, chain.root, bytes(32), doc))
        == "NotRecognitionAuthority"
    )
    # The root publishes; the same document again is refused; a stranger cannot change it.
    registry.client.transact(chain.root.account, publish_call(registry, chain.root, chain.root_attribute, doc))
    assert refused(registry, chain.root.account, publish_call(registry, chain.root, chain.root_attribute, doc)) == (
        "DecisionExists"
    )
    change = registry.recognition.set_decision_status(did_hash(chain.root.did), doc.decision_id(), 3, 1)
    assert refused(registry, stranger, change) == "NotController"
    # Another authority (the TAO, active) cannot change the root's decision.
    tao_change = registry.recognition.set_decision_status(did_hash(chain.tao.did), doc.decision_id(), 3, 1)
    assert refused(registry, chain.tao.account, tao_change) == "NotDecisionAuthority"
    unknown = registry.recognition.set_decision_status(did_hash(chain.root.did), bytes(32), 3, 1)
    assert refused(registry, chain.root.account, unknown) == "UnknownDecision"


def test_among_taos_only_a_recognition_body_of_its_root_publishes(  # type: ignore[no-untyped-def]
    registry: Registry, chain: Chain, trust: Trust, make_issuer
) -> None:
    """A TAO publishes only under an accreditation for recognition decisions granted by its Root TAO
    itself (`NotAccreditedForRecognition`): not one accredited for issuing, not one a TAO accredited."""
    general = publish_call(registry, chain.tao, chain.tao_attribute, document(chain.tao, chain.root.did))
    assert refused(registry, chain.tao.account, general) == "NotAccreditedForRecognition"
    dest = destination(make_issuer, trust)
    assert dest.body_attribute.startswith(RECOGNITION_PURPOSE)  # the Root TAO's word, in the attribute id
    sub = make_issuer("sub-body")
    with pytest.raises(InputError, match="only a Root TAO accredits a recognition body"):
        trust.accredit(dest.body, dest.body_attribute, sub.did, IssuerType.TAO, [RECOGNITION_SCOPE])
    # Written past that check (the trust room's unchecked write): the id says recognition, the parent is no root.
    until = int(time.time()) + ONE_YEAR
    sub_attribute = trust._record_accreditation(dest.body, dest.body_attribute, sub.did, IssuerType.TAO,
                                                [RECOGNITION_SCOPE], until)  # fmt: skip
    sub_call = publish_call(registry, sub, sub_attribute, document(sub, chain.root.did))
    assert refused(registry, sub.account, sub_call) == "NotAccreditedForRecognition"
    assert (
        SENTENCES["NotAccreditedForRecognition"]
        and "RecognitionDecision" in CONTRACT_REFUSALS["NotAccreditedForRecognition"]
    )
    # The recognition body: validity and document checked; suspended, it cannot publish.
    doc = document(dest.body, chain.root.did)
    past = registry.recognition.publish(did_hash(dest.body.did), dest.body_attribute, doc.text(), 0, 1)
    assert refused(registry, dest.body.account, past) == "InvalidValidity"
    empty = registry.recognition.publish(did_hash(dest.body.did), dest.body_attribute, "", 0, 2**40)
    assert refused(registry, dest.body.account, empty) == "InvalidDocument"
    trust.set_status(dest.root, dest.body.did, dest.body_attribute, AttrStatus.SUSPENDED, 3)
    call = publish_call(registry, dest.body, dest.body_attribute, doc)
    assert refused(registry, dest.body.account, call) == "AuthorityNotActive"
    trust.set_status(dest.root, dest.body.did, dest.body_attribute, AttrStatus.ACTIVE, 4)
    registry.client.transact(dest.body.account, call)
    assert Recognition(registry).authority_attribute(dest.body.did) == dest.body_attribute


def test_events_and_an_append_only_history(registry: Registry, chain: Chain) -> None:
    recognition = Recognition(registry)
    doc = document(chain.root, chain.root.did, "Fachkraft für Schweißtechnik")
    decision_id = recognition.publish(chain.root, doc, chain.root_attribute)
    assert decision_id == hashlib.sha256(doc.text().encode()).digest()
    recognition.set_status(chain.root, decision_id, DecisionStatus.SUSPENDED, 3)
    recognition.set_status(chain.root, decision_id, DecisionStatus.ACTIVE, 4)
    recognition.set_status(chain.root, decision_id, DecisionStatus.REVOKED, 1)
    with pytest.raises(TransactionReverted) as final:
        recognition.set_status(chain.root, decision_id, DecisionStatus.ACTIVE, 0)
    assert final.value.error_name == "InvalidDecisionStatusChange"  # revocation is final
    found = recognition.decision(decision_id)
    assert found.document == doc and found.root_hash == did_hash(chain.root.did)
    assert [(r.status, r.reason) for r in found.revisions] == [
        (DecisionStatus.ACTIVE, 0), (DecisionStatus.SUSPENDED, 3), (DecisionStatus.ACTIVE, 4),
        (DecisionStatus.REVOKED, 1),
    ]  # fmt: skip
    assert [h["event"] for h in found.to_json()["history"]] == ["published", "suspended", "reinstated", "revoked"]
    contract = registry.recognition
    topics = [contract.topic("DecisionRevised"), "0x" + decision_id.hex()]
    logs = registry.client.request(
        *registry.client.logs_request(contract.address, topics, found.document_block, "latest")
    )
    revised = [contract.decode_event("DecisionRevised", log) for log in logs]
    assert [(e["status"], e["reason"]) for e in revised] == [(1, 0), (2, 3), (1, 4), (3, 1)]
    assert decision_id in recognition.ids(chain.root.did)
