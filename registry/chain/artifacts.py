"""The compiled contracts committed inside the package (see `registry.chain.compiler`)."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from registry.errors import ConfigError

# The three contracts every registry has (a holder file's locator names them, formats/locator.py).
CONTRACT_NAMES = ("DIDRegistry", "TrustedIssuersRegistry", "CredentialRegistry")
# Deployed beside them since issue #17; a deployment file written before has none of these.
EXTENSIONS = ("RecognitionRegistry",)
ALL_CONTRACTS = CONTRACT_NAMES + EXTENSIONS


@cache
def load_artifact(name: str) -> dict[str, Any]:
    try:
        text = resources.files("registry.artifacts").joinpath(f"{name}.json").read_text()
    except FileNotFoundError as exc:
        raise ConfigError(f"contract artifact {name}.json is missing; run `make contracts`") from exc
    artifact: dict[str, Any] = json.loads(text)
    return artifact


def abi(name: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = load_artifact(name)["abi"]
    return result


def artifact_hash(name: str) -> str:
    """sha256 of the creation bytecode: what a deployment file records to name its code."""
    return hashlib.sha256(load_artifact(name)["bytecode"].encode()).hexdigest()
