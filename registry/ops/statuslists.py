"""Status-list credentials (StatusList2021) built from the on-chain words, signed by the issuer.

The issuer builds and signs the list with its own key and publishes it on-chain (an event with a
block pointer), so the registry service can serve it to ecosystem verifiers without ever holding
an issuer's key. A list is current when no status word changed after the publication's block.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

from registry.chain.client import Call, ChainClient
from registry.contracts.credentials import PUBLISH, CredentialRegistry
from registry.contracts.statusword import (
    BITS_PER_WORD,
    LIST_SIZE,
    Purpose,
    entries,
    last_change_block,
    list_id,
    split_list_id,
)
from registry.formats import credential as vcfmt
from registry.formats import jwt, ownschemas
from registry.formats.statuslist import encode_bits, from_words
from registry.keystore import Identity

if TYPE_CHECKING:
    from registry.chain.txmanager import TxManager

STATUS_LIST_CONTEXT = "https://w3id.org/vc/status-list/2021/v1"


class Deployed(Protocol):
    """What a status list needs of `registry.ops.registry.Registry` (named by shape: the registry
    wires publications into its journal, so importing it here would make a cycle)."""

    client: ChainClient
    credentials: CredentialRegistry


def status_list_url(public_url: str, did: str, account: str, purpose: Purpose, number: int) -> str:
    """EBSI's status-list path under the TIR; the proxy id is the account that writes the list."""
    return (
        f"{public_url.rstrip('/')}/trusted-issuers-registry/v5/issuers/{did}/proxies/"
        f"{account.lower()}/credentials/status/{list_id(purpose, number)}"
    )


def build_status_list_vc(
    issuer: str, url: str, purpose: Purpose, words: list[int], issued_at: int, public_url: str
) -> dict[str, Any]:
    # The top 32 bits of each word are the last-change block, not entries.
    bits = from_words([entries(w) for w in words], bits_per_word=BITS_PER_WORD, length_bits=LIST_SIZE)
    encoded = encode_bits(bits, multibase=False)
    return {
        "@context": [vcfmt.VC_V1_CONTEXT, STATUS_LIST_CONTEXT],
        "id": url,
        # EBSI-shaped: a Verifiable Attestation naming its schema, which EBSI's library requires.
        "type": ["VerifiableCredential", "VerifiableAttestation", "StatusList2021Credential"],
        "issuer": issuer,
        "issuanceDate": vcfmt.iso(issued_at),
        "validFrom": vcfmt.iso(issued_at),
        "issued": vcfmt.iso(issued_at),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "StatusList2021",
            "statusPurpose": purpose.label,
            "encodedList": encoded,
        },
        "credentialSchema": {
            "id": ownschemas.schema_url(public_url, ownschemas.STATUS_LIST),
            "type": "FullJsonSchemaValidator2021",
        },
    }


@dataclass(frozen=True)
class Publication:
    credential: str
    block: int
    current: bool  # no status word changed after the publication


class StatusLists:
    def __init__(self, registry: Deployed, public_url: str) -> None:
        self.registry = registry
        self.public_url = public_url
        self.contract = registry.credentials

    def sign(self, identity: Identity, purpose: Purpose, number: int) -> str:
        account = identity.account.address
        (values,) = self.registry.client.call(self.contract.status_words(account, purpose, number))
        words = [int(w) for w in values]
        url = status_list_url(self.public_url, identity.did, account, purpose, number)
        now = int(time.time())
        vc = build_status_list_vc(identity.did, url, purpose, words, now, self.public_url)
        payload = {
            "iss": identity.did,
            "sub": vc["credentialSubject"]["id"],
            "jti": url,
            "iat": now,
            "nbf": now,
            "vc": vc,
        }
        return jwt.sign({"alg": "ES256", "typ": "JWT", "kid": identity.kid}, payload, identity.signing_key)

    def publish(self, identity: Identity, purpose: Purpose, number: int) -> dict[str, Any]:
        """Sign the list as the chain holds it now and publish it. Through the journal, it is
        recorded as an intent and signed when it is sent (again, if a reconcile resends it)."""
        manager = cast("TxManager | None", self.registry.client.tx_manager)
        if manager is None:
            token = self.sign(identity, purpose, number)
            return self.registry.client.transact(
                identity.account, self.contract.publish_status_list(list_id(purpose, number), token)
            )
        with manager.writing(identity.account, identity.name, identity):
            intent = self.contract.publish_status_list(list_id(purpose, number))
            op_ids = manager.record(identity.account, [(intent, PUBLISH)])
            (receipt,) = manager.drive(identity.account, op_ids, identity)
        assert receipt is not None
        return receipt

    def build_call(self, identity: Identity, journaled: Call) -> Call:
        """A journaled publication intent as the call to send now: the list signed as it is now."""
        purpose, number = split_list_id(int(journaled.args[0]))
        return self.contract.publish_status_list(list_id(purpose, number), self.sign(identity, purpose, number))

    def published(self, account: str, purpose: Purpose, number: int) -> Publication | None:
        """The latest publication, and whether the chain changed since (two round trips)."""
        lid = list_id(purpose, number)
        results = self.registry.client.call_many(
            [self.contract.status_list_publication(account, lid), self.contract.status_words(account, purpose, number)]
        )
        block = int(results[0][0])
        if block == 0:
            return None
        last_change = max((last_change_block(int(w)) for w in results[1][0]), default=0)
        topics = self.contract.published_topics(account, lid)
        logs = self.registry.client.request(
            *self.registry.client.logs_request(self.contract.address, topics, block, block)
        )
        if not logs:
            return None
        credential = self.contract.published_credential(logs[-1])
        return Publication(credential=credential, block=block, current=last_change < block)
