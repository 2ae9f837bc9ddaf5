"""The actors of the benchmark: our deployment, a Root TAO -> TAO -> TI chain, and credentials.

The verifier checks the accreditation chain, so every credential comes from an accredited TI,
built the way `tests/conftest.py` builds one. Credentials are issued through `Issuer` (the code
users run); only the anchoring of many single credentials is pipelined here (signed transactions
sent back to back, receipts checked at the end) because waiting for each receipt in turn would
make the setup, not the measurement, take minutes.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Throwaway benchmark identities do not need production scrypt cost; see registry.keystore.
os.environ.setdefault("REGISTRY_SCRYPT_N", "16384")

from registry.chain.client import ChainClient
from registry.chain.deployment import Deployment, deploy
from registry.config import Settings
from registry.formats import credential as vcfmt
from registry.formats.accreditation import Scope
from registry.formats.credential import Achievement, Skill
from registry.formats.merkle import StandardMerkleTree
from registry.keystore import Identity, new_legal_entity, new_natural_person
from registry.ops.issuance import Cohort, Issuer, status_list_url
from registry.ops.registry import Purpose, Registry
from registry.ops.trust import IssuerType, Root, Trust, TrustList
from scripts.bench.chain import BenchChain

ONE_YEAR = 365 * 24 * 3600
SCOPE = Scope(types=("SkillsCredential", "WeldingCertificate"))
EXTRA_TYPES = ("WeldingCertificate",)
WELDING = Skill("http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314", "apply arc welding techniques")
ACHIEVEMENT = Achievement(
    name="MIG/MAG welding, level 2",
    description="Welds carbon steel plate and pipe with MIG/MAG processes.",
    criteria="Practical test on plate and pipe, assessed by a certified examiner.",
    skills=(WELDING,),
    eqf_level=4,
)


@dataclass
class World:
    chain: BenchChain
    settings: Settings
    deployment_file: Path
    registry: Registry
    issuer: Issuer
    holders: list[str]
    root: str = ""  # the Root TAO's DID (a recognition decision's scope names it)

    @property
    def client(self) -> ChainClient:
        return self.chain.c

    def entries(self, count: int) -> list[tuple[str, Achievement]]:
        # Holders repeat: the cost of a did:key is not what is measured, and a worker may hold many credentials.
        return [(self.holders[i % len(self.holders)], ACHIEVEMENT) for i in range(count)]

    def cohort(self, size: int) -> Cohort:
        return self.issuer.issue_cohort(self.entries(size), extra_types=EXTRA_TYPES)

    def fast_cohort(self, size: int) -> Cohort:
        """What `issue_cohort` makes (same drafts, signatures, tree, proofs, one anchor), built faster.

        Only for the memory benchmark's input, which is setup, not measurement: `Issuer._draft` derives
        the issuer's account from its private key once per credential (pure-Python secp256k1, ~80 % of
        issuance time at the time of writing), so here the address is derived once per cohort.
        """
        issuer = self.issuer
        identity = issuer.identity
        address = identity.account.address
        kid = identity.kid
        now = int(time.time())
        number, indexes = issuer.allocator.allocate_cohort(size)
        urls = {p: status_list_url(issuer.settings.public_url, identity.did, address, p, number) for p in Purpose}
        tokens = []
        for (holder, achievement), index in zip(self.entries(size), indexes, strict=True):
            draft = vcfmt.CredentialDraft(
                issuer=identity.did,
                holder=holder,
                achievement=achievement,
                valid_from=now,
                status=tuple(vcfmt.StatusEntry(p.label, urls[p], index) for p in Purpose),
                terms_of_use=issuer.terms_of_use,
                extra_types=EXTRA_TYPES,
            )
            tokens.append(vcfmt.sign_vc(vcfmt.build_vc(draft, now), identity.signing_key, kid))
        hashes = [vcfmt.credential_hash(t) for t in tokens]
        tree = StandardMerkleTree.of([[h] for h in hashes], ["bytes32"])
        root = bytes.fromhex(tree.root[2:])
        receipt = self.registry.anchor_cohort(identity, root, size)
        files = [
            vcfmt.HolderFile(t, vcfmt.CohortProof(root, tuple(bytes.fromhex(p[2:]) for p in tree.get_proof(i)), size))
            for i, t in enumerate(tokens)
        ]
        return Cohort(files, hashes, root, receipt, number, indexes)

    def singles(self, count: int) -> list[vcfmt.HolderFile]:
        """`count` single credentials, each anchored by its own transaction (sent back to back)."""
        issuer = self.issuer
        account = issuer.identity.account
        now = int(time.time())
        tokens = []
        for holder, achievement in self.entries(count):
            number, index = issuer.allocator.allocate_single()
            # Exactly what Issuer.issue_single signs; only the anchoring below is pipelined.
            draft = issuer._draft(holder, achievement, number, index, now, None, EXTRA_TYPES)
            tokens.append(issuer.sign(draft, now))
        contract = self.registry.credentials
        nonce = int(self.client.request("eth_getTransactionCount", [account.address, "pending"]), 16)
        fees = self.client.fee_fields()
        # Every anchor costs the same; one estimate prices them all.
        first = contract.calldata(contract.anchor(vcfmt.credential_hash(tokens[0])))
        estimate = int(
            self.client.request(
                "eth_estimateGas", [{"from": account.address, "to": self.registry.credential_address, "data": first}]
            ),
            16,
        )
        hashes = []
        for n, token in enumerate(tokens):
            tx: dict[str, Any] = {
                "to": self.registry.credential_address,
                "data": contract.calldata(contract.anchor(vcfmt.credential_hash(token))),
                "value": 0,
                "gas": estimate + 20_000,
                "nonce": nonce + n,
                "chainId": self.client.chain_id,
                **fees,
            }
            hashes.append(self.client.send_signed(account.sign_transaction(tx).raw_transaction))
        self.client.wait_for_receipt(hashes[-1])
        receipts = self.client.batch([("eth_getTransactionReceipt", [h]) for h in hashes])
        failed = [r for r in receipts if not r or r.get("status") != "0x1"]
        if failed:
            raise SystemExit(f"{len(failed)} single anchors failed during setup")
        return [vcfmt.HolderFile(t) for t in tokens]


def fund(client: ChainClient, identity: Identity) -> None:
    client.request("anvil_setBalance", [identity.account.address, hex(10**24)])


def build(chain: BenchChain, home: Path, holders: int = 50) -> World:
    """Deploy our contracts and accredit a training centre (Root TAO -> TAO -> TI)."""
    client = chain.c
    deployment: Deployment = deploy(client, chain.deployer)
    deployment_file = home / "deployment.json"
    deployment.save(deployment_file)
    settings = Settings(home=home, rpc_urls=(chain.node.rpc_url,), deployment_path=deployment_file)
    registry = Registry(client, deployment)
    trust = Trust(registry, settings.public_url)
    root, tao, ti = (new_legal_entity(n) for n in ("vocational-authority", "accreditation-body", "training-centre"))
    for identity in (root, tao, ti):
        fund(client, identity)
        registry.register_did(identity)
    until = int(time.time()) + ONE_YEAR
    root_attribute = trust.onboard_root(chain.deployer, root, [SCOPE], until)
    tao_attribute = trust.accredit(root, root_attribute, tao.did, IssuerType.TAO, [SCOPE], until)
    trust.accredit(tao, tao_attribute, ti.did, IssuerType.TI, [SCOPE], until)
    # The home's default trust list: `registry verify` (the cold start) says VALID only for a trusted root.
    TrustList(frozenset({root.did}), "bench", entries=(Root(root.did, "bench root"),)).save(settings.trust_list_file)
    issuer = Issuer(registry, ti, settings)
    people = [new_natural_person(f"worker-{n}").did for n in range(holders)]
    return World(chain, settings, deployment_file, registry, issuer, people, root.did)
