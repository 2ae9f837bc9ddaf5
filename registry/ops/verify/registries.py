"""Is the credential in the registry this verifier reads? The holder file's locator says where it
lives (formats/locator.py); the report names the registry it was checked in.

A file that names another registry is not checked here at all: its issuer is not registered in
this one, and saying "invalid" would reject a genuine credential for the verifier's own setup. It
is "could not determine", naming the registry it lives in, so the verifier can check it there.
A file without a locator (written before locators) is checked in this registry, as before.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from registry.errors import InputError
from registry.formats.locator import MAX_SERVICE_CHARS, Locator
from registry.ops.verify.item import Item
from registry.ops.verify.report import Code, Outcome, Row

if TYPE_CHECKING:
    from registry.chain.deployment import Deployment


@lru_cache(maxsize=64)  # a batch's files name one or a few registries: each parsed once
def _locator(text: str) -> Locator | str:
    """The locator in its canonical JSON text, or what is wrong with it."""
    import json

    try:
        return Locator.from_json(json.loads(text), "the file")
    except InputError as exc:
        return str(exc)


def locator_of(raw: object) -> Locator | str:
    """A holder file's `registry` value as a Locator, or the sentence saying why it is not one."""
    import json

    try:
        text = json.dumps(raw, sort_keys=True)
    except (TypeError, ValueError):
        return "the file: its registry locator is malformed"
    return _locator(text)


@lru_cache(maxsize=16)
def _described(locator: Locator) -> str:
    return locator.describe()


@lru_cache(maxsize=16)
def _evidence(locator: Locator) -> dict[str, object]:
    """The registry as evidence, flat (text prints each value; JSON keeps them): shared, read-only."""
    names = ("didRegistry", "trustRegistry", "credentialRegistry")
    return {
        "chainId": locator.chain_id,
        **dict(zip(names, locator.addresses, strict=True)),
        "deploymentBlock": locator.block,
        "deploymentBlockHash": locator.block_hash,
    }


@lru_cache(maxsize=16)
def _short(locator: Locator) -> str:
    return f"chain {locator.chain_id}'s registry deployed in block {locator.block}"


class Here:
    """The registry a verifier reads, with what its `registry` rows say, worked out once per batch."""

    __slots__ = ("as_file", "by_file_row", "evidence", "here_row", "locator", "said_by_file", "said_here", "strings")

    def __init__(self, locator: Locator) -> None:
        self.locator = locator
        self.evidence = _evidence(locator)
        self.said_here = f"checked in {_short(locator)}"
        self.said_by_file = f"checked in the registry the file names, {_short(locator)}"
        # The two passing rows, shared by the batch's credentials.
        self.here_row: Row = (Code.REGISTRY, Outcome.PASS, self.said_here, self.evidence)
        self.by_file_row: Row = (Code.REGISTRY, Outcome.PASS, self.said_by_file, self.evidence)
        # The hash, addresses and code hashes a file naming this registry holds, as (key, value) pairs.
        self.strings = tuple((k, v) for k, v in locator.to_json().items() if isinstance(v, str) and k != "service")
        # The locator exactly as this registry's files hold it: one dict comparison in C decides most files.
        as_file = locator.to_json()
        self.as_file = as_file if self._named_by(as_file) else None

    def named_by(self, raw: Any) -> bool:
        """Whether `raw` is, field for field, this registry's locator (a usable service aside): then it
        is well formed too, as this one's values are. Anything else is parsed in full."""
        as_file = self.as_file
        if as_file is not None and raw == as_file and type(raw["chainId"]) is type(raw["deploymentBlock"]) is int:
            return True  # equal as dicts, and the numbers are integers (1.0 and True equal 1 too)
        return self._named_by(raw)

    def _named_by(self, raw: Any) -> bool:
        if not isinstance(raw, dict):
            return False
        chain_id, block, service = raw.get("chainId"), raw.get("deploymentBlock"), raw.get("service")
        here = self.locator
        if type(chain_id) is not int or chain_id != here.chain_id or type(block) is not int or block != here.block:
            return False
        for key, value in self.strings:
            if raw.get(key) != value:
                return False
        return service is None or (
            type(service) is str and service.startswith(("http://", "https://")) and len(service) <= MAX_SERVICE_CHARS
        )


def here_of(deployment: Deployment | None) -> Here | None:
    """The registry a verifier reads (once per batch). A deployment file written before block hashes
    were recorded gives a locator without a hash (""), matched by chain and addresses."""
    if deployment is None:
        return None
    found = deployment.locator()
    if found is None and deployment.deployment_block_hash is None:
        with_hash = replace(deployment, deployment_block_hash="0x" + "00" * 32).locator()
        found = replace(with_hash, block_hash="") if with_hash is not None else None
    return Here(found) if found is not None else None


def _same_place(named: Locator, here: Locator) -> bool:
    return (named.chain_id, named.addresses) == (here.chain_id, here.addresses)


def check_registry(item: Item, place: Here | None) -> None:
    """A REGISTRY row: pass (naming the registry) when the file names this one or none; unknown,
    and no further check, when it names another or a malformed one."""
    raw = item.holder.registry if item.holder is not None else None
    if raw is None:
        if place is not None:
            item.rows.append(place.here_row)
        return
    if place is not None and place.named_by(raw):  # the common case, without parsing it again
        item.rows.append(place.by_file_row)
        return
    here = place.locator if place is not None else None
    named = locator_of(raw)
    if isinstance(named, str):
        item.add(Code.REGISTRY, Outcome.UNKNOWN, f"could not check: {named}")
        item.fatal = True
        return
    if here is not None and (named.key == here.key or (not here.block_hash and _same_place(named, here))):
        item.add(Code.REGISTRY, Outcome.PASS, f"checked in the registry the file names, {_short(named)}",
                 **_evidence(named))  # fmt: skip
        return
    item.add(
        Code.REGISTRY,
        Outcome.UNKNOWN,
        f"could not check: this credential lives in another registry ({_described(named)}), not the one "
        "this verifier reads; verify it there (without --deployment, with an RPC URL of chain "
        f"{named.chain_id}" + (f", or --service {named.service}" if named.service else "") + ")",
        **_evidence(named),
    )
    item.fatal = True
