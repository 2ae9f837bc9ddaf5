"""Which roots a trust list accepts in a registry a holder file names: those it pins there
(`TrustList.for_registry`, docs/SECURITY.md "The registry locator")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from registry.errors import InputError
from registry.formats.locator import Locator
from registry.ops.trust import TrustList
from tests.formats.test_locator import locator

ROOT = "did:ebsi:zZiStyaQg3tqd9xT1XHEhsT"


def test_a_root_counts_in_another_registry_only_where_the_list_pins_it(tmp_path: Path) -> None:
    here = Locator.from_json(locator())
    elsewhere = Locator.from_json(locator(deploymentBlockHash="0x" + "2b" * 32))
    pinned = tmp_path / "pinned.json"
    TrustList.empty(pinned, "Authorities").with_root(ROOT, "Vocational Authority", (here,)).save(pinned)
    loaded = TrustList.load(pinned)
    assert loaded.for_registry(here).roots == {ROOT}
    assert loaded.for_registry(elsewhere).roots == frozenset()
    unpinned = tmp_path / "unpinned.json"
    TrustList.empty(unpinned, None).with_root(ROOT, None).save(unpinned)
    assert TrustList.load(unpinned).for_registry(here).roots == frozenset()
    assert TrustList.load(unpinned).roots == {ROOT}  # in the verifier's own deployment, as before
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"roots": [{"did": ROOT, "registries": [{"chainId": 1}]}]}))
    with pytest.raises(InputError, match="root 1"):
        TrustList.load(bad)
