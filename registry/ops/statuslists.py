"""Status-list credentials (StatusList2021) built from the on-chain words, signed by the issuer.

The issuer builds and signs the list with its own key and publishes it on-chain (an event with a
block pointer), so the registry service can serve it to ecosystem verifiers without ever holding
an issuer's key. A list is current when no status word changed after the publication's block.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from registry.chain.client import Call, contract_abi
from registry.formats import credential as vcfmt
from registry.formats import jwt
from registry.formats.statuslist import encode_bits, from_words
from registry.keystore import Identity
from registry.ops.issuance import status_list_url
from registry.ops.registry import (
    BITS_PER_WORD,
    LIST_SIZE,
    STATUS_MASK,
    Purpose,
    Registry,
    last_change_block,
    list_id,
    split_list_id,
)

STATUS_LIST_CONTEXT = "https://w3id.org/vc/status-list/2021/v1"


def build_status_list_vc(issuer: str, url: str, purpose: Purpose, words: list[int], issued_at: int) -> dict[str, Any]:
    # The top 32 bits of each word are the last-change block, not entries.
    bits = from_words([w & STATUS_MASK for w in words], bits_per_word=BITS_PER_WORD, length_bits=LIST_SIZE)
    encoded = encode_bits(bits, multibase=False)
    return {
        "@context": [vcfmt.VC_V1_CONTEXT, STATUS_LIST_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
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
    }


@dataclass(frozen=True)
class Publication:
    credential: str
    block: int
    current: bool  # no status word changed after the publication


class StatusLists:
    def __init__(self, registry: Registry, public_url: str) -> None:
        self.registry = registry
        self.public_url = public_url

    def _call(self, function: str, *args: Any) -> Call:
        return Call(self.registry.credential_address, "CredentialRegistry", function, args)

    def sign(self, identity: Identity, purpose: Purpose, number: int) -> str:
        account = identity.account.address
        words = self.registry.list_words(account, purpose, number)
        url = status_list_url(self.public_url, identity.did, account, purpose, number)
        now = int(time.time())
        vc = build_status_list_vc(identity.did, url, purpose, words, now)
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
        manager = self.registry.client.tx_manager
        if manager is None:
            token = self.sign(identity, purpose, number)
            return self.registry.client.transact(
                identity.account, self._call("publishStatusList", list_id(purpose, number), token)
            )
        from registry.chain.txmanager import PUBLISH

        with manager.writing(identity.account, identity.name, identity):
            intent = self._call("publishStatusList", list_id(purpose, number))
            op_ids = manager.record(identity.account, [(intent, PUBLISH)])
            (receipt,) = manager.drive(identity.account, op_ids, identity)
        assert receipt is not None
        return receipt

    def build_call(self, identity: Identity, journaled: Call) -> Call:
        """A journaled publication intent as the call to send now: the list signed as it is now."""
        purpose, number = split_list_id(int(journaled.args[0]))
        return self._call("publishStatusList", list_id(purpose, number), self.sign(identity, purpose, number))

    def published(self, account: str, purpose: Purpose, number: int) -> Publication | None:
        """The latest publication, and whether the chain changed since (two round trips)."""
        lid = list_id(purpose, number)
        pointer_call = self._call("statusListPublication", account, lid)
        results = self.registry.client.call_many(
            [pointer_call, self._call("statusWords", account, int(purpose), number, 0, LIST_SIZE // BITS_PER_WORD + 1)]
        )
        block = int(results[0][0])
        if block == 0:
            return None
        last_change = max((last_change_block(int(w)) for w in results[1][0]), default=0)
        abi = contract_abi("CredentialRegistry")
        topics: list[str | None] = [
            abi.event_topic("StatusListPublished"),
            "0x" + bytes(12).hex() + account[2:].lower(),
            "0x" + lid.to_bytes(32, "big").hex(),
        ]
        logs = self.registry.client.request(
            *self.registry.client.logs_request(self.registry.credential_address, topics, block, block)
        )
        if not logs:
            return None
        credential = str(abi.decode_event("StatusListPublished", logs[-1])["credential"])
        return Publication(credential=credential, block=block, current=last_change < block)
