"""Recognition decisions: what a destination authority says a foreign credential is worth here.

The document (`registry-recognition-decision/1`), JSON, published whole in the RecognitionRegistry's
`DecisionDocument` event, its sha256 the decision's id (so the same decision cannot be published
twice, and a reader checks the text it fetched against the id):

    {"format": "registry-recognition-decision/1", "authority": "did:ebsi:...",
     "scope": {"types": ["WeldingCertificate"], "eqfLevels": [4], "root": "did:ebsi:...",
               "issuers": [...], "programmes": [...], "schemas": [...]},
     "recognisedAs": {"qualification": "Schweißer/in", "framework": "z...", "level": "4"},
     "validFrom": "2026-01-01T00:00:00Z", "validUntil": "2031-01-01T00:00:00Z",
     "conditions": "with a practical test", "reference": "ZAB-2026-17"}

`issuers`, `programmes` (achievement ids), `schemas` (credentialSchema ids), `validUntil`,
`conditions`, `reference` and `recognisedAs.qualificationId` are optional. The text on-chain is
the document's RFC 8785 canonical form. It names no person: there is no field for one, unknown
fields are refused, and free text is bounded (docs/SECURITY.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from registry.errors import InputError
from registry.formats import safejson
from registry.formats.canonical import canonicalize
from registry.formats.credential import iso
from registry.formats.dates import since_time, until_time
from registry.formats.did import check_did
from registry.formats.visible import check_visible

FORMAT = "registry-recognition-decision/1"
MAX_TEXT = 500
MAX_ITEMS = 32
NO_END = 2**64 - 1  # validUntil on-chain for a decision without an end
# The accreditation type a Root TAO grants a recognition body (a TAO) in its accreditation's scope;
# and the first four bytes of that accreditation's attribute id (keccak-256 of the type), which the
# RecognitionRegistry checks (`RECOGNITION_PURPOSE`, `NotAccreditedForRecognition`).
RECOGNITION_TYPE = "RecognitionDecision"
RECOGNITION_PURPOSE = bytes.fromhex("ab8af5f9")
_KEYS = {"format", "authority", "scope", "recognisedAs", "validFrom", "validUntil", "conditions", "reference"}
_SCOPE_KEYS = {"types", "eqfLevels", "root", "issuers", "programmes", "schemas"}
_OUTCOME_KEYS = {"qualification", "qualificationId", "framework", "level"}


@dataclass(frozen=True)
class Scope:
    types: tuple[str, ...]
    eqf_levels: tuple[int, ...]
    root: str
    issuers: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    schemas: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    qualification: str
    framework: str  # the framework's content-addressed id (formats/frameworks.py)
    level: str
    qualification_id: str | None = None


@dataclass(frozen=True)
class DecisionDocument:
    authority: str
    scope: Scope
    outcome: Outcome
    valid_from: int
    valid_until: int | None = None
    conditions: str | None = None
    reference: str | None = None

    def to_json(self) -> dict[str, Any]:
        s, o = self.scope, self.outcome
        scope: dict[str, Any] = {"types": list(s.types), "eqfLevels": list(s.eqf_levels), "root": s.root}
        scope.update({k: list(v) for k, v in (("issuers", s.issuers), ("programmes", s.programmes),
                                             ("schemas", s.schemas)) if v})  # fmt: skip
        outcome = {"qualification": o.qualification, "framework": o.framework, "level": o.level}
        if o.qualification_id:
            outcome["qualificationId"] = o.qualification_id
        data: dict[str, Any] = {"format": FORMAT, "authority": self.authority, "scope": scope,
                                "recognisedAs": outcome, "validFrom": iso(self.valid_from)}  # fmt: skip
        for key, value in (("validUntil", self.valid_until and iso(self.valid_until)),
                           ("conditions", self.conditions), ("reference", self.reference)):  # fmt: skip
            if value:
                data[key] = value
        return data

    def text(self) -> str:
        """The canonical text published on-chain."""
        return canonicalize(self.to_json()).decode("utf-8")

    def decision_id(self) -> bytes:
        return hashlib.sha256(self.text().encode("utf-8")).digest()


def _text(value: Any, what: str, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise InputError(f"{what} must be text of 1 to {MAX_TEXT} characters")
    return value


def _texts(value: Any, what: str, *, required: bool = False) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or (required and not value) or len(value) > MAX_ITEMS:
        raise InputError(f"{what} must be a list of 1 to {MAX_ITEMS} texts")
    return tuple(str(_text(v, f"each of {what}")) for v in value)


def _levels(value: Any, where: str) -> tuple[int, ...]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 8 for v in value)
    ):
        raise InputError(f"{where}: scope.eqfLevels must list EQF levels (1 to 8)")
    return tuple(sorted(set(value)))


def _unknown(data: dict[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise InputError(f"{where} has unknown field(s) {', '.join(extra)[:80]}: a decision carries only "
                         f"{', '.join(sorted(allowed))}")  # fmt: skip


def parse_scope(data: Any, where: str) -> Scope:
    if not isinstance(data, dict):
        raise InputError(f"{where} has no scope object")
    _unknown(data, _SCOPE_KEYS, f"{where}'s scope")
    root = str(_text(data.get("root"), f"{where}: scope.root (the issuers' Root TAO DID)"))
    check_did(root)
    issuers = _texts(data.get("issuers"), f"{where}: scope.issuers")
    for did in issuers:
        check_did(did)
    return Scope(
        types=_texts(data.get("types"), f"{where}: scope.types", required=True),
        eqf_levels=_levels(data.get("eqfLevels"), where),
        root=root,
        issuers=issuers,
        programmes=_texts(data.get("programmes"), f"{where}: scope.programmes"),
        schemas=_texts(data.get("schemas"), f"{where}: scope.schemas"),
    )


def _when(read: Callable[[str], int], text: str | None, where: str) -> int:
    """`text` read as a time by `read`; a refusal names the field it came from."""
    try:
        return read(str(text))
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from exc


def parse_decision(data: Any, source: str = "decision") -> DecisionDocument:
    """A decision document's JSON, checked; an InputError naming what is wrong and where."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"{source} is not a recognition decision (its format must be {FORMAT!r})")
    _unknown(data, _KEYS, source)
    authority = str(_text(data.get("authority"), f"{source}: authority (a DID)"))
    check_did(authority)
    outcome = data.get("recognisedAs")
    if not isinstance(outcome, dict):
        raise InputError(f"{source} has no recognisedAs object (qualification, framework, level)")
    _unknown(outcome, _OUTCOME_KEYS, f"{source}'s recognisedAs")
    recognised = Outcome(
        qualification=str(_text(outcome.get("qualification"), f"{source}: recognisedAs.qualification")),
        framework=str(_text(outcome.get("framework"), f"{source}: recognisedAs.framework (a framework id)")),
        level=str(_text(outcome.get("level"), f"{source}: recognisedAs.level")),
        qualification_id=_text(
            outcome.get("qualificationId"), f"{source}: recognisedAs.qualificationId", required=False
        ),
    )
    # A bare date is the start of that day, UTC; any form `--at` reads (formats/dates.py).
    start = _when(since_time, _text(data.get("validFrom"), f"{source}: validFrom (a date)"), f"{source}: validFrom")
    until_text = _text(data.get("validUntil"), f"{source}: validUntil (a date)", required=False)
    # A bare date includes that whole day, UTC, as every end of validity does (formats/dates.py).
    until = _when(until_time, until_text, f"{source}: validUntil") if until_text else None
    if until is not None and until <= start:
        raise InputError(f"{source}: validUntil {iso(until)} is not after validFrom {iso(start)}")
    return DecisionDocument(
        authority=authority,
        scope=parse_scope(data.get("scope"), source),
        outcome=recognised,
        valid_from=start,
        valid_until=until,
        conditions=_text(data.get("conditions"), f"{source}: conditions", required=False),
        reference=_text(data.get("reference"), f"{source}: reference", required=False),
    )


def check_publishable(document: DecisionDocument) -> DecisionDocument:
    """`document` if an authority may publish it: its texts read as written (no control, bidi
    override or invisible character; one line but `conditions`: formats/visible.py). A document
    published elsewhere is read as it is (and shown inert)."""
    outcome = document.outcome
    one_line = {"recognisedAs.qualification": outcome.qualification, "recognisedAs.level": outcome.level,
                "recognisedAs.qualificationId": outcome.qualification_id, "reference": document.reference}  # fmt: skip
    for what, value in one_line.items():
        if value is not None:
            check_visible(value, f"the decision's {what}", limit=MAX_TEXT)
    if document.conditions is not None:
        check_visible(document.conditions, "the decision's conditions", limit=MAX_TEXT, lines=True)
    return document


def parse_decision_text(text: str, source: str = "decision") -> DecisionDocument:
    return parse_decision(safejson.loads(text, source), source)


@dataclass(frozen=True)
class Subject:
    """What a credential presents to a decision's scope (read from its verified report)."""

    types: tuple[str, ...]
    eqf_level: int | None
    root: str | None
    issuer: str
    programme: str | None = None
    schema: str | None = None


def _schema_matches(wanted: tuple[str, ...], schema: str | None) -> bool:
    return schema is not None and any(schema == s or schema.endswith("/" + s) for s in wanted)


def out_of_scope(scope: Scope, subject: Subject) -> str | None:
    """Why the decision's scope leaves this credential out (None: within it)."""
    if not set(scope.types) & set(subject.types):
        return f"its types are not among {', '.join(scope.types)}"
    if subject.eqf_level not in scope.eqf_levels:
        got = "no EQF level" if subject.eqf_level is None else f"EQF level {subject.eqf_level}"
        return f"{got}, not {' or '.join(str(n) for n in scope.eqf_levels)}"
    if subject.root != scope.root:
        return f"its issuer is not under root {scope.root}"
    if scope.issuers and subject.issuer not in scope.issuers:
        return "its issuer is not one the decision names"
    if scope.programmes and subject.programme not in scope.programmes:
        return "its programme is not one the decision names"
    if scope.schemas and not _schema_matches(scope.schemas, subject.schema):
        return "its schema is not one the decision names"
    return None
