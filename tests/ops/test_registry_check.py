"""The verifier's `registry` check (ops/verify/registries.py): which registry a credential was
checked in, and "could not determine" for a file that names another or a malformed one."""

from __future__ import annotations

from typing import Any

import pytest

from registry.formats.credential import HolderFile
from registry.formats.locator import Locator
from registry.ops.verify.item import Item
from registry.ops.verify.registries import Here, check_registry
from registry.ops.verify.report import Code, Outcome
from tests.formats.test_locator import locator

HERE = Locator.from_json({**locator(), "service": None})


def checked(raw: Any) -> Item:
    item = Item("cred.json")
    item.holder = HolderFile("a.b.c", registry=raw)
    check_registry(item, Here(HERE))
    return item


@pytest.mark.parametrize("raw", [None, locator(), {**locator(), "service": None}, {**locator(), "extra": 1}])
def test_a_file_naming_this_registry_or_none_is_checked_here(raw: Any) -> None:
    item = checked(raw)
    ((code, outcome, message, evidence),) = item.rows
    assert (code, outcome, item.fatal) == (Code.REGISTRY, Outcome.PASS, False)
    assert "chain 31337" in message and evidence["credentialRegistry"] == HERE.addresses[2]


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (locator(deploymentBlockHash="0x" + "2b" * 32), "lives in another registry"),
        (locator(chainId=8453), "lives in another registry (chain 8453"),
        (locator(service="javascript:alert(1)"), "service that is not an http(s) URL"),
        (locator(chainId=True), "chainId"),
        ("not a locator", "malformed"),
    ],
)
def test_a_file_naming_another_or_a_malformed_registry_is_not_checked_here(raw: Any, said: str) -> None:
    item = checked(raw)
    ((code, outcome, message, _),) = item.rows
    assert (code, outcome, item.fatal) == (Code.REGISTRY, Outcome.UNKNOWN, True)
    assert said in message


def test_a_deployment_file_without_a_block_hash_matches_files_by_chain_and_addresses() -> None:
    """A verifier's deployment file written before block hashes were recorded still checks the files
    of its own registry (by chain and addresses), and names another as such."""
    from registry.chain.deployment import ContractRecord, Deployment
    from registry.ops.verify.registries import here_of

    contracts = {
        name: ContractRecord(address, "", code)
        for name, address, code in zip(
            ("DIDRegistry", "TrustedIssuersRegistry", "CredentialRegistry"), HERE.addresses, HERE.code_hashes,
            strict=True,
        )
    }  # fmt: skip
    old = here_of(Deployment(HERE.chain_id, HERE.block, "", "", contracts, None))
    assert old is not None and old.locator.block_hash == ""
    for raw, outcome in ((locator(), Outcome.PASS), (locator(chainId=8453), Outcome.UNKNOWN)):
        item = Item("cred.json")
        item.holder = HolderFile("a.b.c", registry=raw)
        check_registry(item, old)
        assert item.rows[0][1] is outcome
