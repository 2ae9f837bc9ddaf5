"""Offline JSON Schema validation of credentials: OB 3.0, W3C VCDM 2.0 and EBSI ELM/EDC.

The schema files are not part of this package: `SchemaSet` is given the directory that holds
them (in this repository, the shared test vectors), loads them lazily and resolves every `$ref`
locally, so validation never touches the network. Results are lists of one-line messages
`<instance path>: <reason>` (the path is `(root)` for the document itself); an empty list
means valid.

Format checking is on. `jsonschema` checks `date-time` only when an optional package is
installed, so this module registers its own RFC 3339 `date-time` check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator, Draft202012Validator, FormatChecker, ValidationError
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from registry.errors import InputError

OB3_SCHEMA = "ob3/schema/ob_v3p0_achievementcredential_schema.json"
VC2_SCHEMA = "vcdm/schema/verifiable-credential/verifiable-credential-schema.json"
VP2_SCHEMA = "vcdm/schema/verifiable-presentation/verifiable-presentation-schema.json"
EDC_SCHEMA = "elm/schema/vcdm2.0-europass-edc-schema.json"
ATTESTATION_SCHEMA = "elm/schema/vcdm2.0-attestation-schema.json"
VC2_SCHEMA_ID = "https://www.w3.org/2022/credentials/v2/verifiable-credential-schema.json"
# The EDC schema's first allOf refers to the attestation schema by a relative path of the
# package it was copied from; it is re-pointed to this name, registered locally.
EDC_ATTESTATION_REF = "vcdm2.0-attestation-schema.json"

_RFC3339 = re.compile(
    r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?"
    r"([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)"
)


def format_checker() -> FormatChecker:
    """A format checker with RFC 3339 `date-time` (which jsonschema checks only with an extra package)."""
    checker = FormatChecker()

    @checker.checks("date-time")
    def _date_time(value: object) -> bool:
        return not isinstance(value, str) or _RFC3339.fullmatch(value) is not None

    return checker


_format_checker = format_checker  # its earlier name, which tests of other profiles import


def error_path(error: ValidationError) -> str:
    return "/".join(str(part) for part in error.absolute_path) or "(root)"


def _messages(errors: Iterable[ValidationError]) -> list[str]:
    found = sorted(errors, key=lambda e: (error_path(e), e.message))
    return [f"{error_path(e)}: {e.message.splitlines()[0][:200]}" for e in found]


class SchemaSet:
    """The credential JSON Schemas found under `directory` (laid out as the shared vectors)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def _load(self, relative: str) -> dict[str, Any]:
        path = self.directory / relative
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read the JSON Schema {path}: {exc}") from exc
        if not isinstance(schema, dict):
            raise InputError(f"{path} is not a JSON Schema object")
        return schema

    @cached_property
    def ob3(self) -> Validator:
        """OB 3.0 AchievementCredential (JSON Schema 2019-09)."""
        schema = self._load(OB3_SCHEMA)
        return Draft201909Validator(schema, format_checker=format_checker())

    @cached_property
    def vc2(self) -> Validator:
        """W3C VCDM 2.0 verifiable credential (JSON Schema 2020-12)."""
        return Draft202012Validator(self._load(VC2_SCHEMA), format_checker=format_checker())

    @cached_property
    def vp2(self) -> Validator:
        """W3C VCDM 2.0 verifiable presentation; its `$ref` to the VC schema resolves locally."""
        vc_schema = self._load(VC2_SCHEMA)
        registry: Registry[Any] = Registry().with_resource(
            VC2_SCHEMA_ID, Resource.from_contents(vc_schema, default_specification=DRAFT202012)
        )
        return Draft202012Validator(self._load(VP2_SCHEMA), registry=registry, format_checker=format_checker())

    @cached_property
    def edc(self) -> Validator:
        """EBSI Europass EDC (ELM 3.2) over the EBSI VCDM 2.0 attestation schema (2020-12)."""
        schema = self._load(EDC_SCHEMA)
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and all_of and isinstance(all_of[0], dict) and "$ref" in all_of[0]:
            schema = {**schema, "allOf": [{"$ref": EDC_ATTESTATION_REF}, *all_of[1:]]}
        schema.pop("$id", None)  # a file:/// URI of the machine it was copied on
        attestation = Resource.from_contents(self._load(ATTESTATION_SCHEMA), default_specification=DRAFT202012)
        registry: Registry[Any] = Registry().with_resource(EDC_ATTESTATION_REF, attestation)
        return Draft202012Validator(schema, registry=registry, format_checker=format_checker())

    @cached_property
    def attestation(self) -> Validator:
        """EBSI VCDM 2.0 Verifiable Attestation (2020-12)."""
        return Draft202012Validator(self._load(ATTESTATION_SCHEMA), format_checker=format_checker())

    def validate_ob3(self, credential: Any) -> list[str]:
        return _messages(self.ob3.iter_errors(credential))

    def validate_vc2(self, credential: Any) -> list[str]:
        return _messages(self.vc2.iter_errors(credential))

    def validate_vp2(self, presentation: Any) -> list[str]:
        return _messages(self.vp2.iter_errors(presentation))

    def validate_edc(self, credential: Any) -> list[str]:
        return _messages(self.edc.iter_errors(credential))

    def validate_attestation(self, credential: Any) -> list[str]:
        return _messages(self.attestation.iter_errors(credential))


def error_paths(messages: Iterable[str]) -> list[str]:
    """The distinct instance paths of `validate_*` messages, sorted."""
    return sorted({message.split(": ", 1)[0] for message in messages})


def validate_ob3(credential_json: Any, directory: Path) -> list[str]:
    return SchemaSet(directory).validate_ob3(credential_json)


def validate_vc2(credential_json: Any, directory: Path) -> list[str]:
    return SchemaSet(directory).validate_vc2(credential_json)
