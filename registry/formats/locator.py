"""The registry locator: which registry a credential lives in, carried in the holder file.

An employer abroad receives a holder file and nothing else. OpenAttestation and Blockcerts
documents carry their network and contract so that any verifier can check the file alone; so do
ours, under the holder file's `registry` key (and a passport's `registries`, by credential hash):

    {"chainId": 31337, "deploymentBlock": 5, "deploymentBlockHash": "0x…",
     "didRegistry": "0x…", "trustRegistry": "0x…", "credentialRegistry": "0x…",
     "didRegistryCode": "0x…", "trustRegistryCode": "0x…", "credentialRegistryCode": "0x…",
     "service": "https://registry.example"}

(the three contracts' addresses and the keccak-256 of the code at each; `service` optional; a
registry deployed since issue #17 adds `recognitionRegistry` and `recognitionRegistryCode`, where
destination authorities publish recognition decisions, so a verifier finds them). Flat,
one JSON object of strings and numbers: the verifier's hot path parses it with every holder file.

Everything in it is public (a chain id, addresses, a block hash, the hashes of the contracts'
code, a URL): nothing about the holder. It is not part of the signed JWT, so anyone can edit it;
an edited locator can only send the verifier to another registry, where the anchor is missing or
the root is one the verifier's trust list does not pin to that registry (docs/SECURITY.md,
"The registry locator"). The block hash tells apart a reset chain at the same addresses.

Parsed only when a verifier needs it (`Locator.from_json`), never while a holder file is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.errors import InputError

CONTRACTS = ("DIDRegistry", "TrustedIssuersRegistry", "CredentialRegistry")
KEYS = ("didRegistry", "trustRegistry", "credentialRegistry")  # each contract's key, in CONTRACTS order
MAX_SERVICE_CHARS = 500
_LABELS = {
    "DIDRegistry": "DID registry",
    "TrustedIssuersRegistry": "trust registry",
    "CredentialRegistry": "credential registry",
}


def _hex(value: Any, size: int, what: str) -> str:
    """`0x` + 2*size hex digits, lower-cased; else an InputError naming `what`."""
    if (
        isinstance(value, str)
        and len(value) == 2 + 2 * size
        and value[:2] in ("0x", "0X")
        and all(c in "0123456789abcdefABCDEF" for c in value[2:])
    ):
        return "0x" + value[2:].lower()
    raise InputError(f"{what} is not a {size}-byte hex value")


@dataclass(frozen=True)
class Locator:
    """A registry: a chain, its deployment block and the three contracts (address, code hash)."""

    chain_id: int
    block: int
    block_hash: str
    addresses: tuple[str, str, str]  # lower-case, in CONTRACTS order
    code_hashes: tuple[str, str, str]
    service: str | None = None
    # The RecognitionRegistry's (address, code hash), lower-case; None for an older registry.
    recognition: tuple[str, str] | None = None

    @property
    def key(self) -> str:
        """What names this registry whatever the service: equal keys, the same registry."""
        return f"{self.chain_id}:{self.block_hash}:" + ",".join(self.addresses)

    def describe(self) -> str:
        """The registry in one line, for a person comparing it with what they were told."""
        parts = ", ".join(f"{_LABELS[n]} {a}" for n, a in zip(CONTRACTS, self.addresses, strict=True))
        where = f"chain {self.chain_id}, {parts}, deployed in block {self.block} ({self.block_hash[:10]}…)"
        return where + (f", service {self.service}" if self.service else "")

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "chainId": self.chain_id,
            "deploymentBlock": self.block,
            "deploymentBlockHash": self.block_hash,
            **dict(zip(KEYS, self.addresses, strict=True)),
            **{f"{key}Code": code for key, code in zip(KEYS, self.code_hashes, strict=True)},
        }
        if self.service:
            data["service"] = self.service
        if self.recognition is not None:
            data["recognitionRegistry"], data["recognitionRegistryCode"] = self.recognition
        return data

    @classmethod
    def from_json(cls, data: Any, source: str = "input") -> Locator:
        """A locator as a holder file carries it; an InputError naming what is wrong."""
        where = f"{source}: its registry locator"
        if not isinstance(data, dict):
            raise InputError(f"{where} is malformed (a JSON object was expected)")
        chain_id, block = data.get("chainId"), data.get("deploymentBlock")
        if not isinstance(chain_id, int) or isinstance(chain_id, bool) or not 0 < chain_id < 2**64:
            raise InputError(f"{where} has no usable chainId")
        if not isinstance(block, int) or isinstance(block, bool) or not 0 <= block < 2**64:
            raise InputError(f"{where} has no usable deploymentBlock")
        block_hash = _hex(data.get("deploymentBlockHash"), 32, f"{where}'s deploymentBlockHash")
        addresses: list[str] = []
        codes: list[str] = []
        for key in KEYS:
            addresses.append(_hex(data.get(key), 20, f"{where}'s {key} address"))
            codes.append(_hex(data.get(f"{key}Code"), 32, f"{where}'s {key}Code (code hash)"))
        service = data.get("service")
        if service is not None and (
            not isinstance(service, str) or not service.startswith(("http://", "https://"))
            or len(service) > MAX_SERVICE_CHARS
        ):  # fmt: skip
            raise InputError(f"{where} has a service that is not an http(s) URL")
        recognition = None
        if data.get("recognitionRegistry") is not None:
            recognition = (
                _hex(data.get("recognitionRegistry"), 20, f"{where}'s recognitionRegistry address"),
                _hex(data.get("recognitionRegistryCode"), 32, f"{where}'s recognitionRegistryCode (code hash)"),
            )
        return cls(chain_id, block, block_hash, (addresses[0], addresses[1], addresses[2]),
                   (codes[0], codes[1], codes[2]), service, recognition)  # fmt: skip
