"""The registry locator a holder file carries (formats/locator.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from registry.errors import InputError
from registry.formats.credential import HolderFile, load_holder_file
from registry.formats.locator import Locator

JWT = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln"


def locator(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "chainId": 31337,
        "deploymentBlock": 3,
        "deploymentBlockHash": "0x" + "1a" * 32,
        **{
            key: "0x" + f"{n:02x}" * 20
            for n, key in enumerate(("didRegistry", "trustRegistry", "credentialRegistry"), 1)
        },
        **{
            f"{key}Code": "0x" + f"{n:02x}" * 32
            for n, key in enumerate(("didRegistry", "trustRegistry", "credentialRegistry"), 1)
        },
        "service": "https://registry.example",
    }
    data.update(changes)
    return data


def test_a_locator_round_trips_and_names_its_registry() -> None:
    parsed = Locator.from_json(locator())
    assert Locator.from_json(parsed.to_json()) == parsed
    assert "chain 31337" in parsed.describe() and "0x" + "03" * 20 in parsed.describe()
    # The service is not part of which registry it is: the same chain, block and addresses are one.
    assert Locator.from_json({**locator(), "service": None}).key == parsed.key
    assert Locator.from_json(locator(deploymentBlockHash="0x" + "2b" * 32)).key != parsed.key


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"chainId": "31337"}, "chainId"),
        ({"chainId": True}, "chainId"),
        ({"deploymentBlock": -1}, "deploymentBlock"),
        ({"deploymentBlockHash": "0x12"}, "deploymentBlockHash"),
        ({"didRegistry": "0x12"}, "didRegistry"),
        ({"trustRegistryCode": None}, "trustRegistryCode"),
        ({"service": "file:///etc/passwd"}, "service"),
    ],
)
def test_a_malformed_locator_is_one_line_naming_the_field(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(InputError, match=named):
        Locator.from_json(locator(**changes), "cred.json")


def test_the_holder_file_keeps_its_locator_unparsed_until_a_verifier_asks() -> None:
    """Loading a holder file does not read the locator: a malformed one still loads (the verifier's
    registry check says what is wrong with it), and a file without one loads as before."""
    written = HolderFile(JWT, registry=locator()).to_json()
    assert load_holder_file(json.dumps(written)).registry == locator()
    odd = {**written, "registry": {"chainId": "nonsense"}}
    assert load_holder_file(json.dumps(odd)).registry == {"chainId": "nonsense"}
    assert load_holder_file(json.dumps(HolderFile(JWT).to_json())).registry is None
    assert "registry" not in HolderFile(JWT).to_json()
