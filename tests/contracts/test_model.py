"""The contracts against a Python model of the registry (hypothesis stateful testing).

Random sequences of writes by random actors (governance, three legal entities, a stranger) over
the DID registry, the trusted issuers registry and the credential registry. Before each write
the model predicts its outcome: success, or the exact custom error the contracts must refuse
with. The chain must agree, and after every step every view the model can answer
(verification methods, controller windows, registrations, attributes with their revisions,
anchors, status words, counts) must equal the chain's.

The model is written from the interfaces' NatSpec and the documented rules, not from the
contracts' code paths, so a disagreement is a bug in one of the two.

Each example runs on its own anvil (not the session one: the model sets block timestamps) from
an `evm_snapshot` taken after deployment and funding, and is rolled back with `evm_revert`.
Every write gets its block timestamp fixed with `evm_setNextBlockTimestamp` (one second after
the previous block) so time-dependent rules are predicted exactly.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_keys import keys as eth_keys
from eth_utils import keccak, to_checksum_address
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from registry.chain.client import Call, ChainClient
from registry.chain.deployment import Deployment, deploy
from registry.chain.node import ANVIL_DEV_KEY, AnvilNode, free_port
from registry.errors import TransactionReverted
from registry.formats.did import new_ebsi_did

# -- constants of the contracts (from the interfaces) ------------------------------------------

MAX_U64 = 2**64 - 1
MAX_DID_LENGTH = 128
MAX_BODY_BYTES = 16_384
LIST_SIZE = 131_072
BITS_PER_WORD = 224
WORDS_PER_LIST = (LIST_SIZE + BITS_PER_WORD - 1) // BITS_PER_WORD
STATUS_MASK = (1 << BITS_PER_WORD) - 1
ONE_YEAR = 365 * 24 * 3600

SECP256K1, P256, ED25519 = 1, 2, 3
AUTH, ASSERT, INVOKE, DELEGATE = 1, 2, 4, 8
ROOT_TAO, TAO, TI = 1, 2, 3
NONE_STATUS, ACTIVE, SUSPENDED, REVOKED = 0, 1, 2, 3


def coordinates(account: LocalAccount) -> tuple[bytes, bytes]:
    public = eth_keys.PrivateKey(bytes(account.key)).public_key.to_bytes()
    return public[:32], public[32:]


def key_address(x: bytes, y: bytes) -> str:
    return to_checksum_address(keccak(x + y)[12:])


# -- the model ---------------------------------------------------------------------------------


@dataclass
class Method:
    x: bytes
    y: bytes
    key_type: int
    relationships: int
    not_before: int
    not_after: int

    def as_tuple(self) -> tuple[Any, ...]:
        return (self.x, self.y, self.key_type, self.relationships, self.not_before, self.not_after)


@dataclass
class Document:
    registered_at: int = 0
    registered_block: int = 0
    methods: list[Method] = field(default_factory=list)
    controllers: dict[str, list[int]] = field(default_factory=dict)  # address -> [notBefore, notAfter]


@dataclass
class Attribute:
    parent: bytes
    parent_attribute: bytes
    root: bytes
    body_hash: bytes
    issuer_type: int
    status: int
    valid_from: int
    valid_until: int
    body_block: int
    revisions: list[tuple[int, int, int, int]]

    def as_tuple(self) -> tuple[Any, ...]:
        return (
            self.parent, self.parent_attribute, self.root, self.body_hash, self.issuer_type, self.status,
            self.valid_from, self.valid_until, self.body_block,
        )  # fmt: skip


ZERO_ATTRIBUTE = (b"\0" * 32, b"\0" * 32, b"\0" * 32, b"\0" * 32, 0, 0, 0, 0, 0)


class Model:
    """What the three registries hold, and which write each rule refuses."""

    def __init__(self, governance: str) -> None:
        self.governance = governance
        self.documents: dict[bytes, Document] = {}
        self.did_order: list[bytes] = []
        self.attributes: dict[tuple[bytes, bytes], Attribute] = {}
        self.attribute_ids: dict[bytes, list[bytes]] = {}
        self.issuers: list[bytes] = []
        self.anchors: dict[tuple[str, bytes], tuple[int, int, int]] = {}
        self.words: dict[tuple[str, int, int], int] = {}

    # DID registry

    def document(self, did_hash: bytes) -> Document:
        return self.documents.get(did_hash, Document())

    def is_controller(self, did_hash: bytes, account: str, now: int) -> bool:
        window = self.document(did_hash).controllers.get(account)
        return window is not None and window[0] != 0 and window[0] <= now < window[1]

    def check_controller(self, did_hash: bytes, account: str, now: int) -> str | None:
        if self.document(did_hash).registered_at == 0:
            return "DIDNotRegistered"
        if not self.is_controller(did_hash, account, now):
            return "NotController"
        return None

    def _add_method(self, did_hash: bytes, method: Method) -> str | None:
        document = self.documents[did_hash]
        if any((m.key_type, m.x, m.y) == (method.key_type, method.x, method.y) for m in document.methods):
            return "DuplicateKey"
        document.methods.append(method)
        if method.relationships & INVOKE:
            document.controllers[key_address(method.x, method.y)] = [method.not_before, method.not_after]
        return None

    def register(self, sender: str, did: str, x: bytes, y: bytes, now: int, block: int) -> str | None:
        if not 0 < len(did.encode()) <= MAX_DID_LENGTH:
            return "InvalidDID"
        did_hash = keccak(text=did)
        if self.document(did_hash).registered_at != 0:
            return "DIDAlreadyRegistered"
        if key_address(x, y) != sender:
            return "SenderKeyMismatch"
        self.documents[did_hash] = Document(registered_at=now, registered_block=block)
        self.did_order.append(did_hash)
        return self._add_method(did_hash, Method(x, y, SECP256K1, INVOKE | AUTH, now, MAX_U64))

    def add_method(
        self, sender: str, did_hash: bytes, method: Method, possession_signer: str | None, now: int
    ) -> str | None:
        error = self.check_controller(did_hash, sender, now)
        if error:
            return error
        not_before = method.not_before or now
        not_after = method.not_after or MAX_U64
        if not_before < now or not_after <= not_before:
            return "InvalidValidity"
        if method.key_type == 0 or method.relationships == 0 or method.relationships > 15:
            return "InvalidVerificationMethod"
        if method.relationships & INVOKE:
            if method.key_type != SECP256K1:
                return "InvalidVerificationMethod"
            if possession_signer != key_address(method.x, method.y):
                return "KeyPossessionNotProven"
        return self._add_method(
            did_hash, Method(method.x, method.y, method.key_type, method.relationships, not_before, not_after)
        )

    def expire_method(self, sender: str, did_hash: bytes, index: int, not_after: int, now: int) -> str | None:
        error = self.check_controller(did_hash, sender, now)
        if error:
            return error
        document = self.documents[did_hash]
        if index >= len(document.methods):
            return "UnknownVerificationMethod"
        method = document.methods[index]
        end = not_after or now
        if end < now or end > method.not_after:
            return "InvalidValidity"
        end = max(end, method.not_before)
        method.not_after = end
        if method.relationships & INVOKE:
            document.controllers[key_address(method.x, method.y)][1] = end
        return None

    # trusted issuers registry

    def _create(
        self, did: bytes, attribute_id: bytes, parent: bytes, parent_attribute: bytes, root: bytes,
        issuer_type: int, body: str, valid_from: int, valid_until: int, now: int, block: int,
    ) -> str | None:  # fmt: skip
        if not 0 < len(body.encode()) <= MAX_BODY_BYTES:
            return "InvalidBody"
        valid_from = valid_from or now
        if valid_until <= valid_from or valid_until <= now:
            return "InvalidValidity"
        if (did, attribute_id) in self.attributes:
            return "AttributeExists"
        ids = self.attribute_ids.setdefault(did, [])
        if not ids:
            self.issuers.append(did)
        ids.append(attribute_id)
        body_hash = hashlib.sha256(body.encode()).digest()
        self.attributes[did, attribute_id] = Attribute(
            parent, parent_attribute, root, body_hash, issuer_type, ACTIVE, valid_from, valid_until, block,
            [(ACTIVE, 0, now, block)],
        )  # fmt: skip
        return None

    def onboard_root(
        self, sender: str, did: bytes, attribute_id: bytes, body: str, valid_from: int, valid_until: int,
        now: int, block: int,
    ) -> str | None:  # fmt: skip
        if sender != self.governance:
            return "AccessControlUnauthorizedAccount"
        if self.document(did).registered_at == 0:
            return "DIDNotRegistered"
        zero = b"\0" * 32
        return self._create(did, attribute_id, zero, zero, did, ROOT_TAO, body, valid_from, valid_until, now, block)

    def accredit(
        self, sender: str, parent: bytes, parent_attribute: bytes, child: bytes, attribute_id: bytes,
        child_type: int, body: str, valid_from: int, valid_until: int, now: int, block: int,
    ) -> str | None:  # fmt: skip
        if not self.is_controller(parent, sender, now):
            return "NotController"
        if self.document(child).registered_at == 0:
            return "DIDNotRegistered"
        link = self.attributes.get((parent, parent_attribute))
        if link is None:
            return "UnknownAttribute"
        if not (link.status == ACTIVE and link.valid_from <= now < link.valid_until):
            return "ParentNotActive"
        if child_type not in (TAO, TI) or link.issuer_type not in (ROOT_TAO, TAO):
            return "AccreditationNotAllowed"
        return self._create(
            child, attribute_id, parent, parent_attribute, link.root, child_type, body, valid_from, valid_until,
            now, block,
        )  # fmt: skip

    def _revise(self, link: Attribute, status: int, reason: int, now: int, block: int) -> str | None:
        current = link.status
        allowed = (
            (status == REVOKED and current != REVOKED)
            or (status == SUSPENDED and current == ACTIVE)
            or (status == ACTIVE and current == SUSPENDED)
        )
        if not allowed:
            return "InvalidStatusChange"
        link.status = status
        link.revisions.append((status, reason, now, block))
        return None

    def set_attribute_status(
        self, sender: str, actor: bytes, did: bytes, attribute_id: bytes, status: int, reason: int, now: int,
        block: int,
    ) -> str | None:  # fmt: skip
        if not self.is_controller(actor, sender, now):
            return "NotController"
        link = self.attributes.get((did, attribute_id))
        if link is None:
            return "UnknownAttribute"
        if link.parent != actor:
            return "NotParent"
        return self._revise(link, status, reason, now, block)

    def set_root_status(
        self, sender: str, did: bytes, attribute_id: bytes, status: int, reason: int, now: int, block: int
    ) -> str | None:
        if sender != self.governance:
            return "AccessControlUnauthorizedAccount"
        link = self.attributes.get((did, attribute_id))
        if link is None:
            return "UnknownAttribute"
        if link.issuer_type != ROOT_TAO:
            return "NotRootTAO"
        return self._revise(link, status, reason, now, block)

    # credential registry

    def anchor(self, sender: str, value: bytes, count: int, now: int, block: int) -> str | None:
        if count == 0:
            return "EmptyCohort"
        if (sender, value) in self.anchors:
            return "AlreadyAnchored"
        self.anchors[sender, value] = (now, block, count)
        return None

    def _change_words(
        self, sender: str, list_id: int, changes: list[tuple[int, int]], set_: bool, block: int
    ) -> str | None:
        staged = dict(self.words)
        for word, mask in changes:
            if word >= WORDS_PER_LIST:
                return "WordOutOfRange"
            if mask == 0 or mask > STATUS_MASK:
                return "InvalidMask"
            current = staged.get((sender, list_id, word), 0)
            # Every entry named must change: a set one is never set again, a clear one never cleared.
            if set_ and current & mask:
                return "StatusAlreadySet"
            if not set_ and ~current & mask:
                return "StatusNotSet"
            bits = (current | mask) if set_ else (current & ~mask)
            staged[sender, list_id, word] = (bits & STATUS_MASK) | ((block & 0xFFFFFFFF) << BITS_PER_WORD)
        self.words = staged
        return None

    def set_status(self, sender: str, entry: int, block: int) -> str | None:
        list_id, index = entry >> 32, entry & 0xFFFFFFFF
        if list_id >> 33:
            return "InvalidListId"
        if index >= LIST_SIZE:
            return "IndexOutOfRange"
        return self._change_words(
            sender, list_id, [(index // BITS_PER_WORD, 1 << (index % BITS_PER_WORD))], True, block
        )

    def update_status(
        self, sender: str, purpose: int, number: int, words: list[int], masks: list[int], set_: bool, block: int
    ) -> str | None:
        if len(words) != len(masks):
            return "LengthMismatch"
        if not set_ and purpose == 0:
            return "RevocationIsFinal"
        return self._change_words(sender, (purpose << 32) | number, list(zip(words, masks, strict=True)), set_, block)


# -- the chain the machine runs on ---------------------------------------------------------------


@dataclass
class Actor:
    name: str
    account: LocalAccount

    @property
    def address(self) -> str:
        return str(self.account.address)

    @property
    def xy(self) -> tuple[bytes, bytes]:
        return coordinates(self.account)


@dataclass
class Env:
    client: ChainClient
    deployment: Deployment
    actors: list[Actor]
    dids: list[str]  # the DID strings actors may register (three well-formed, two the contract refuses)
    p256_keys: list[tuple[bytes, bytes]]
    snapshot: str = ""

    def call(self, contract: str, function: str, *args: Any) -> Call:
        return Call(self.deployment.address(contract), contract, function, args)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    from registry.formats import keys as keyfmt

    node = AnvilNode(tmp_path_factory.mktemp("model-anvil"), port=free_port())
    node.start()
    try:
        client = ChainClient(node.rpc_url)
        governance = Account.from_key(ANVIL_DEV_KEY)
        deployment = deploy(client, governance)
        actors = [Actor("governance", governance)]
        actors += [Actor(name, Account.create()) for name in ("entity-0", "entity-1", "entity-2", "stranger")]
        for actor in actors[1:]:
            client.request("anvil_setBalance", [actor.address, hex(10**21)])
        dids = [new_ebsi_did() for _ in range(3)] + ["", "did:ebsi:z" + "1" * (MAX_DID_LENGTH - 9)]
        p256 = []
        for _ in range(2):
            _, x, y = keyfmt.to_coordinates(keyfmt.jwk_public_dict(keyfmt.generate(keyfmt.KeyType.P256)))
            p256.append((x, y))
        yield Env(client, deployment, actors, dids, p256)
    finally:
        node.stop()


def possession_signature(
    env: Env, signer: LocalAccount, did_hash: bytes, x: bytes, y: bytes, nb: int, na: int
) -> bytes:
    """The EIP-712 AddController consent, built here independently of registry.ops.registry."""
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "AddController": [
                {"name": "didHash", "type": "bytes32"},
                {"name": "x", "type": "bytes32"},
                {"name": "y", "type": "bytes32"},
                {"name": "notBefore", "type": "uint64"},
                {"name": "notAfter", "type": "uint64"},
            ],
        },
        "primaryType": "AddController",
        "domain": {
            "name": "DIDRegistry",
            "version": "1",
            "chainId": env.client.chain_id,
            "verifyingContract": env.deployment.address("DIDRegistry"),
        },
        "message": {"didHash": did_hash, "x": x, "y": y, "notBefore": nb, "notAfter": na},
    }
    return bytes(signer.sign_message(encode_typed_data(full_message=typed)).signature)


# -- the state machine -----------------------------------------------------------------------------

ACTOR = st.integers(0, 4)
DID = st.integers(0, 4)  # index into Env.dids; 3 and 4 are refused by the contract
VALID_DID = st.integers(0, 2)
ATTRIBUTE_IDS = [bytes([n]) * 32 for n in (1, 2, 3)]
ATTRIBUTE = st.sampled_from(ATTRIBUTE_IDS)
VALUES = [bytes([0xA0 + n]) * 32 for n in range(3)]
BODIES = ["signed accreditation", "", "x" * (MAX_BODY_BYTES + 1), "é" * (MAX_BODY_BYTES // 2)]
# Half the draws take the acceptable value, so that chains of accreditations get built.
BODY = st.just(BODIES[0]) | st.sampled_from(BODIES)
REASON = st.integers(0, 255)
LIST_NUMBERS = [0, 2**32 - 1]


class RegistryMachine(RuleBasedStateMachine):
    env: ClassVar[Env]
    outcomes: ClassVar[Counter[str]] = Counter()

    def __init__(self) -> None:
        super().__init__()
        self.env.snapshot = self.env.client.request("evm_snapshot", [])
        latest = self.env.client.request("eth_getBlockByNumber", ["latest", False])
        self.now = int(latest["timestamp"], 16)
        self.block = int(latest["number"], 16)
        self.model = Model(self.env.actors[0].address)

    def teardown(self) -> None:
        assert self.env.client.request("evm_revert", [self.env.snapshot]) is True

    # -- plumbing

    def did_hash(self, index: int) -> bytes:
        return keccak(text=self.env.dids[index])

    def write(self, name: str, actor: Actor, call: Call, expected: str | None) -> None:
        """Send `call` from `actor`; the chain must do what the model predicted."""
        client = self.env.client
        client.request("evm_setNextBlockTimestamp", [self.now + 1])
        try:
            receipt = client.transact(actor.account, call)
        except TransactionReverted as refusal:
            assert expected is not None, f"{name} by {actor.name}: chain refused ({refusal}), model accepted"
            assert refusal.error_name == expected, (
                f"{name} by {actor.name}: chain {refusal.error_name}, model {expected}"
            )
            self.outcomes[f"{name} refused {expected}"] += 1
            return
        assert expected is None, f"{name} by {actor.name}: chain accepted, model refused with {expected}"
        assert receipt["blockNumber"] == self.block + 1
        self.now, self.block = self.now + 1, self.block + 1
        self.outcomes[f"{name} ok"] += 1

    @property
    def next_time(self) -> tuple[int, int]:
        return self.now + 1, self.block + 1

    def honest_or(self, honest: bool, did_hash: bytes, fallback: int) -> Actor:
        """A current controller of `did_hash` when `honest` and there is one, else actor `fallback`."""
        if honest:
            for actor in self.env.actors:
                if self.model.is_controller(did_hash, actor.address, self.now + 1):
                    return actor
        return self.env.actors[fallback]

    # -- DID registry

    @initialize(order=st.permutations([0, 1, 2]), squatter=st.booleans())
    def entities_register(self, order: list[int], squatter: bool) -> None:
        """Every run starts with the entities registered (sometimes the stranger squats one DID first)..."""
        if squatter:
            self.register(actor=4, did=order[0], key_owner=4)
        for n in order:
            self.register(actor=n + 1, did=n, key_owner=n + 1)
        # ...and governance has onboarded one of them as a Root TAO, so accreditation chains can grow.
        self.onboard_root(True, 0, order[0], ATTRIBUTE_IDS[0], BODIES[0], "year")

    @rule(actor=ACTOR, did=DID, key_owner=ACTOR)
    def register(self, actor: int, did: int, key_owner: int) -> None:
        sender = self.env.actors[actor]
        x, y = self.env.actors[key_owner].xy
        expected = self.model.register(sender.address, self.env.dids[did], x, y, *self.next_time)
        self.write("register", sender, self.env.call("DIDRegistry", "register", self.env.dids[did], x, y), expected)

    @rule(
        honest=st.booleans(),
        actor=ACTOR,
        did=VALID_DID,
        kind=st.sampled_from(
            [
                "assertion",
                "controller",
                "controller-forged-consent",
                "bad-relationships",
                "p256-controller",
                "no-key-type",
                "ed25519",
            ]
        ),
        key=st.integers(0, 4),
        window=st.sampled_from(["default", "future", "past", "empty", "bounded"]),
    )
    def add_method(self, honest: bool, actor: int, did: int, kind: str, key: int, window: str) -> None:
        did_hash = self.did_hash(did)
        sender = self.honest_or(honest, did_hash, actor)
        now = self.now + 1
        nb, na = {
            "default": (0, 0),
            "future": (now + 10_000, now + 50_000),
            "past": (now - 10_000, 0),
            "empty": (now + 100, now + 100),
            "bounded": (0, now + 20_000),
        }[window]
        signer: Actor | None = None
        if kind.startswith("controller"):
            owner = self.env.actors[key]
            (x, y), key_type, relationships = owner.xy, SECP256K1, INVOKE | (AUTH if key % 2 else 0)
            signer = owner if kind == "controller" else self.env.actors[(key + 1) % 5]
        elif kind == "ed25519":
            x, y, key_type, relationships = bytes([key]) * 32, b"\0" * 32, ED25519, ASSERT
        else:
            x, y = self.env.p256_keys[key % 2]
            key_type = 0 if kind == "no-key-type" else P256
            relationships = {"bad-relationships": 16 * (key % 2), "p256-controller": INVOKE}.get(kind, ASSERT | AUTH)
        signature = b""
        if signer is not None:
            # The consent covers the window as passed (zeros stand for the defaults).
            signature = possession_signature(self.env, signer.account, did_hash, x, y, nb, na)
        expected = self.model.add_method(
            sender.address, did_hash, Method(x, y, key_type, relationships, nb, na),
            signer.address if signer else None, now,
        )  # fmt: skip
        method = (x, y, key_type, relationships, nb, na)
        call = self.env.call("DIDRegistry", "addVerificationMethod", did_hash, method, signature)
        self.write("addVerificationMethod", sender, call, expected)

    @rule(
        honest=st.booleans(),
        actor=ACTOR,
        did=VALID_DID,
        index=st.integers(0, 4),
        until=st.sampled_from(["now", "later", "past", "forever", "beyond"]),
    )
    def expire_method(self, honest: bool, actor: int, did: int, index: int, until: str) -> None:
        did_hash = self.did_hash(did)
        sender = self.honest_or(honest, did_hash, actor)
        now = self.now + 1
        methods = self.model.document(did_hash).methods
        current = methods[index].not_after if index < len(methods) else MAX_U64
        not_after = {
            "now": 0, "later": now + 5_000, "past": now - 5_000, "forever": MAX_U64,
            "beyond": min(current + 1, MAX_U64),
        }[until]  # fmt: skip
        expected = self.model.expire_method(sender.address, did_hash, index, not_after, now)
        call = self.env.call("DIDRegistry", "expireVerificationMethod", did_hash, index, not_after)
        self.write("expireVerificationMethod", sender, call, expected)

    # -- trusted issuers registry

    VALIDITY = st.just("year") | st.sampled_from(["year", "expired", "inverted", "future"])

    def validity(self, choice: str) -> tuple[int, int]:
        now = self.now + 1
        return {
            "year": (0, now + ONE_YEAR),
            "expired": (0, now - 10),
            "inverted": (now + 100_000, now + 50_000),
            "future": (now + 10_000, now + ONE_YEAR),
        }[choice]

    @rule(
        governance=st.booleans(), actor=ACTOR, did=DID, attribute=ATTRIBUTE, body=BODY,
        validity=VALIDITY,
    )  # fmt: skip
    def onboard_root(self, governance: bool, actor: int, did: int, attribute: bytes, body: str, validity: str) -> None:
        sender = self.env.actors[0 if governance else actor]
        valid_from, valid_until = self.validity(validity)
        did_hash = self.did_hash(did)
        expected = self.model.onboard_root(
            sender.address, did_hash, attribute, body, valid_from, valid_until, *self.next_time
        )
        call = self.env.call(
            "TrustedIssuersRegistry", "onboardRoot", did_hash, attribute, body, valid_from, valid_until
        )
        self.write("onboardRoot", sender, call, expected)

    @rule(
        honest=st.booleans(), actor=ACTOR, parent=VALID_DID, parent_attribute=ATTRIBUTE, child=DID,
        attribute=ATTRIBUTE, child_type=st.integers(0, 3), body=BODY, validity=VALIDITY,
    )  # fmt: skip
    def accredit(
        self, honest: bool, actor: int, parent: int, parent_attribute: bytes, child: int, attribute: bytes,
        child_type: int, body: str, validity: str,
    ) -> None:  # fmt: skip
        parent_hash, child_hash = self.did_hash(parent), self.did_hash(child)
        now = self.now + 1
        able = [
            key
            for key, link in self.model.attributes.items()
            if link.status == ACTIVE
            and link.valid_from <= now < link.valid_until
            and link.issuer_type in (ROOT_TAO, TAO)
        ]
        if honest and able:  # a Root TAO or TAO accredits under an accreditation it holds, as a TAO or a TI
            parent_hash, parent_attribute = able[parent % len(able)]
            child_type = TAO if child_type % 2 == 0 else TI
        sender = self.honest_or(honest, parent_hash, actor)
        valid_from, valid_until = self.validity(validity)
        expected = self.model.accredit(
            sender.address, parent_hash, parent_attribute, child_hash, attribute, child_type, body, valid_from,
            valid_until, *self.next_time,
        )  # fmt: skip
        call = self.env.call(
            "TrustedIssuersRegistry", "accredit", parent_hash, parent_attribute, child_hash, attribute, child_type,
            body, valid_from, valid_until,
        )  # fmt: skip
        self.write("accredit", sender, call, expected)

    @rule(
        honest=st.booleans(), actor=ACTOR, acting_as=VALID_DID, did=VALID_DID, attribute=ATTRIBUTE,
        status=st.integers(0, 3), reason=REASON,
    )  # fmt: skip
    def set_attribute_status(
        self, honest: bool, actor: int, acting_as: int, did: int, attribute: bytes, status: int, reason: int
    ) -> None:
        actor_hash, did_hash = self.did_hash(acting_as), self.did_hash(did)
        granted = [key for key, link in self.model.attributes.items() if any(link.parent)]
        if honest and granted:  # the parent of some accreditation acts on it
            did_hash, attribute = granted[did % len(granted)]
            actor_hash = self.model.attributes[did_hash, attribute].parent
        sender = self.honest_or(honest, actor_hash, actor)
        expected = self.model.set_attribute_status(
            sender.address, actor_hash, did_hash, attribute, status, reason, *self.next_time
        )
        call = self.env.call(
            "TrustedIssuersRegistry", "setAttributeStatus", actor_hash, did_hash, attribute, status, reason
        )
        self.write("setAttributeStatus", sender, call, expected)

    @rule(
        governance=st.booleans(), actor=ACTOR, did=VALID_DID, attribute=ATTRIBUTE, status=st.integers(0, 3),
        reason=REASON,
    )  # fmt: skip
    def set_root_status(
        self, governance: bool, actor: int, did: int, attribute: bytes, status: int, reason: int
    ) -> None:
        sender = self.env.actors[0 if governance else actor]
        did_hash = self.did_hash(did)
        expected = self.model.set_root_status(sender.address, did_hash, attribute, status, reason, *self.next_time)
        call = self.env.call("TrustedIssuersRegistry", "setRootStatus", did_hash, attribute, status, reason)
        self.write("setRootStatus", sender, call, expected)

    # -- credential registry

    @rule(actor=ACTOR, value=st.sampled_from(VALUES), cohort=st.sampled_from([None, 0, 1, 500]))
    def anchor(self, actor: int, value: bytes, cohort: int | None) -> None:
        sender = self.env.actors[actor]
        expected = self.model.anchor(sender.address, value, 1 if cohort is None else cohort, *self.next_time)
        if cohort is None:
            call = self.env.call("CredentialRegistry", "anchor", value)
        else:
            call = self.env.call("CredentialRegistry", "anchorCohort", value, cohort)
        self.write("anchorCohort" if cohort is not None else "anchor", sender, call, expected)

    @rule(
        actor=ACTOR, purpose=st.sampled_from([0, 1, 2]), number=st.sampled_from(LIST_NUMBERS),
        index=st.sampled_from([0, 223, 224, LIST_SIZE - 1, LIST_SIZE, 2**32 - 1]), reason=REASON,
    )  # fmt: skip
    def set_status(self, actor: int, purpose: int, number: int, index: int, reason: int) -> None:
        sender = self.env.actors[actor]
        entry = (((purpose << 32) | number) << 32) | index
        expected = self.model.set_status(sender.address, entry, self.block + 1)
        self.write("setStatus", sender, self.env.call("CredentialRegistry", "setStatus", entry, reason), expected)

    @rule(
        actor=ACTOR,
        purpose=st.sampled_from([0, 1]),
        number=st.sampled_from(LIST_NUMBERS),
        changes=st.lists(
            st.tuples(
                st.sampled_from([0, 1, WORDS_PER_LIST - 1, 0, 1, WORDS_PER_LIST]),
                st.integers(1, STATUS_MASK) | st.sampled_from([1, 1 << 223, STATUS_MASK, 0, 1 << 224]),
            ),
            max_size=3,
        ),
        extra_mask=st.sampled_from([False, False, False, True]),
        set_=st.booleans(),
        reason=REASON,
    )
    def update_status(
        self, actor: int, purpose: int, number: int, changes: list[tuple[int, int]], extra_mask: bool, set_: bool,
        reason: int,
    ) -> None:  # fmt: skip
        sender = self.env.actors[actor]
        words = [w for w, _ in changes]
        masks = [m for _, m in changes] + ([1] if extra_mask and changes else [])
        expected = self.model.update_status(sender.address, purpose, number, words, masks, set_, self.block + 1)
        call = self.env.call("CredentialRegistry", "updateStatus", purpose, number, words, masks, set_, reason)
        self.write("updateStatus", sender, call, expected)

    @rule(actor=ACTOR, set_=st.booleans(), reason=REASON)
    def change_again(self, actor: int, set_: bool, reason: int) -> None:
        """An entry already in the state asked for, changed again (a second revocation, a racing
        duplicate, a reinstatement of what is not suspended): the model must predict the refusal."""
        sender = self.env.actors[actor]
        written = sorted((key, value) for key, value in self.model.words.items() if key[0] == sender.address)
        if not written:
            return
        (_, list_id, word), value = written[0]
        bits = value & STATUS_MASK
        mask = (bits & -bits) if set_ else ((bits + 1) & ~bits)  # its lowest set bit, or lowest clear bit
        if mask == 0 or mask > STATUS_MASK:
            return
        purpose, number = list_id >> 32, list_id & 0xFFFFFFFF
        expected = self.model.update_status(sender.address, purpose, number, [word], [mask], set_, self.block + 1)
        call = self.env.call("CredentialRegistry", "updateStatus", purpose, number, [word], [mask], set_, reason)
        self.write("updateStatus", sender, call, expected)

    # -- the views agree after every step

    @invariant()
    def views_agree(self) -> None:
        env, model = self.env, self.model
        did_hashes = [self.did_hash(n) for n in range(len(env.dids))]
        calls: list[Call] = [env.call("DIDRegistry", "didCount"), env.call("TrustedIssuersRegistry", "issuerCount")]
        expected: list[Any] = [(len(model.did_order),), (len(model.issuers),)]
        for h in did_hashes:
            document = model.document(h)
            calls += [env.call("DIDRegistry", "registration", h), env.call("DIDRegistry", "verificationMethods", h)]
            expected += [
                (document.registered_at, document.registered_block),
                ([m.as_tuple() for m in document.methods],),
            ]
            if h not in model.documents:
                continue  # never registered: the two views above already say so
            for actor in env.actors:
                calls.append(env.call("DIDRegistry", "controllerValidity", h, actor.address))
                expected.append(tuple(document.controllers.get(actor.address, (0, 0))))
            calls.append(env.call("TrustedIssuersRegistry", "attributeIds", h))
            expected.append((model.attribute_ids.get(h, []),))
            for attribute_id in ATTRIBUTE_IDS:
                link = model.attributes.get((h, attribute_id))
                calls.append(env.call("TrustedIssuersRegistry", "attribute", h, attribute_id))
                expected.append((link.as_tuple(), link.revisions) if link else (ZERO_ATTRIBUTE, []))
        pairs = [(a.address, v) for a in env.actors for v in VALUES]
        calls.append(env.call("CredentialRegistry", "anchorsOf", [a for a, _ in pairs], VALUES * len(env.actors)))
        expected.append(([model.anchors.get(p, (0, 0, 0)) for p in pairs],))
        lists = [(p, n) for p in (0, 1) for n in LIST_NUMBERS]
        for actor in env.actors:
            for purpose, number in lists:
                calls.append(env.call("CredentialRegistry", "statusWords", actor.address, purpose, number, 0, 2))
                expected.append(([model.words.get((actor.address, purpose << 32 | number, w), 0) for w in (0, 1)],))
        # The last word of every list, in one call; and `statusWords` clips a range at the end of a list.
        entries = [(a.address, p, n) for a in env.actors for p, n in lists]
        last = LIST_SIZE - 1
        accounts, purposes, numbers = (list(column) for column in zip(*entries, strict=True))
        calls.append(
            env.call("CredentialRegistry", "statusWordsFor", accounts, purposes, numbers, [last] * len(entries))
        )
        expected.append(([model.words.get((a, p << 32 | n, WORDS_PER_LIST - 1), 0) for a, p, n in entries],))
        first = env.actors[0].address
        calls.append(env.call("CredentialRegistry", "statusWords", first, 0, 0, WORDS_PER_LIST - 1, 5))
        expected.append(([model.words.get((first, 0, WORDS_PER_LIST - 1), 0)],))
        results = env.client.call_many(calls)
        for call, want, got in zip(calls, expected, results, strict=True):
            assert _plain(got) == _plain(want), f"{call.function}{call.args}: chain {got}, model {want}"


def _plain(value: Any) -> Any:
    """Tuples and lists compared alike (eth_abi decodes arrays as tuples)."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _run(env: Env, **profile: Any) -> Counter[str]:
    RegistryMachine.env = env
    RegistryMachine.outcomes = Counter()
    run_state_machine_as_test(
        RegistryMachine,
        settings=settings(
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            database=None,
            **profile,
        ),
    )
    return RegistryMachine.outcomes


def test_contracts_agree_with_the_model(env: Env) -> None:
    outcomes = _run(env, max_examples=25, stateful_step_count=15, derandomize=True)
    # Not vacuous: writes of many kinds succeeded, and many different refusals were predicted exactly.
    succeeded = {name.split()[0] for name in outcomes if name.endswith(" ok")}
    assert {"register", "anchor", "setStatus"} <= succeeded and len(succeeded) >= 6, sorted(outcomes.items())
    refusals = {name.split()[-1] for name in outcomes if " refused " in name}
    assert len(refusals) >= 12, sorted(refusals)
    assert {"StatusAlreadySet", "StatusNotSet"} <= refusals, sorted(refusals)


@pytest.mark.fuzz
@pytest.mark.timeout(3600)
def test_contracts_agree_with_the_model_long_run(env: Env) -> None:
    outcomes = _run(env, max_examples=200, stateful_step_count=40)
    succeeded = {name.split()[0] for name in outcomes if name.endswith(" ok")}
    assert {"accredit", "setRootStatus", "expireVerificationMethod"} <= succeeded, outcomes


def test_a_second_controller_key_can_be_added_with_the_default_window(registry: Any, make_issuer: Any) -> None:
    from registry.keystore import new_legal_entity
    from registry.ops.registry import Rel

    owner = make_issuer("owner")
    second = new_legal_entity("second-controller")
    registry.add_key(owner, second.controller_jwk, int(Rel.CAPABILITY_INVOCATION), possession_signer=second)
    assert registry.resolve(owner.did).controller_window(second.account.address) is not None
