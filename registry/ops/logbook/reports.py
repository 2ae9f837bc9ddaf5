"""What a logbook extract's check reports (one `EntryReport` per entry, an `ExtractReport` for the
whole), and what the checks share: the chain reads of one extract, each made once (`Reads`), and the
extract's context (`Context`). The checks are in checks.py and against.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from registry.contracts.statusword import Purpose, bit_of
from registry.errors import ChainUnavailable, InputError
from registry.formats import jwt
from registry.formats.flags import TextWarning, text_warnings
from registry.formats.logbook import Programme
from registry.formats.logbook.records import sha256_hex
from registry.ops.registry import Registry, Rel

VALID, INVALID, REVOKED, UNKNOWN = "valid", "not valid", "revoked", "could not determine"
CHUNK = 500  # reads asked in one call
_SAME_BLOCK = (
    "could not check: the {what} landed in the block that retired one of the provider's {key}, and the node did "
    "not say which came first"
)


@dataclass
class EntryReport:
    id: str
    date: str = ""
    unit: str = ""
    hours: float = 0.0
    workplace: str = ""
    activity: str = ""
    title: str = ""  # the unit's title, as the programme gives it ("" for a unit it has not)
    signer: str = ""  # who countersigned it (her DID) and her name, as her authorisation gives them
    signer_name: str | None = None
    invalid: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    revoked: str | None = None
    backdated: bool = False  # dated before the programme's backdating window (reported; never counted)
    before_enrolment: bool = False  # dated before the learner's enrolment day (reported; never counted)

    @property
    def verdict(self) -> str:
        if self.invalid:
            return INVALID
        if self.revoked:
            return REVOKED
        return UNKNOWN if self.unknown else VALID

    @property
    def counts(self) -> bool:
        """Whether completion counts it: valid, neither backdated nor dated before the enrolment."""
        return self.verdict == VALID and not self.backdated and not self.before_enrolment

    def to_json(self) -> dict[str, Any]:
        reasons = self.invalid + ([self.revoked] if self.revoked else []) + self.unknown
        return {"id": self.id, "date": self.date, "unit": self.unit, "unitTitle": self.title, "hours": self.hours,
                "activity": self.activity, "signer": self.signer or None, "signerName": self.signer_name,
                "verdict": self.verdict, "reasons": reasons, "notes": self.notes}  # fmt: skip


@dataclass
class ExtractReport:
    learner: str
    logbook: str
    programme: str
    problems: list[str]
    entries: list[EntryReport]
    unknown: list[str] = field(default_factory=list)  # about the whole extract: could not determine
    qualification: dict[str, Any] | None = None  # the summary the entries were checked against (against.py)
    notes: list[str] = field(default_factory=list)  # about the whole extract, not a verdict (the trust list's)
    count: int = 0  # the entries in the extract (checked or not: none is when the extract's context fails)
    # What people are called, where known: the programme's `title`, the `provider`'s legal name (as its
    # accreditation gives it), the `learner`'s name (as her enrolment gives it).
    names: dict[str, str | None] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        if self.problems or any(e.verdict == INVALID for e in self.entries):
            return INVALID
        if self.unknown or any(e.verdict == UNKNOWN for e in self.entries):
            return UNKNOWN
        return REVOKED if any(e.verdict == REVOKED for e in self.entries) else VALID

    @property
    def warnings(self) -> list[TextWarning]:
        """The texts to read closely (formats/flags.py): the names and words the extract's documents give,
        signed elsewhere perhaps (our writers refuse such text); never a verdict."""
        texts: list[tuple[str, Any]] = [("learner name", self.names.get("learner")),
                                        ("programme title", self.names.get("title")),
                                        ("provider name", self.names.get("provider"))]  # fmt: skip
        for e in self.entries:
            texts += [("supervisor name", e.signer_name), ("unit title", e.title), ("activity", e.activity),
                      ("workplace", e.workplace)]  # fmt: skip
        return text_warnings(None, texts)

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "learner": self.learner, "logbook": self.logbook, "warnings": self.warnings,
                "programme": self.programme, "problems": self.problems + self.unknown, "notes": self.notes,
                "count": self.count, "programmeTitle": self.names.get("title"),
                "provider": self.names.get("providerDid"), "providerName": self.names.get("provider"),
                "learnerName": self.names.get("learner"),
                "entries": [e.to_json() for e in self.entries], "qualification": self.qualification}  # fmt: skip


class Reads:
    """The chain reads of one extract, each made once."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._states: dict[str, Any] = {}
        self._anchors: dict[tuple[str, bytes], Any] = {}
        self._revocations: dict[tuple[str, int, int], tuple[int, int] | None] = {}
        self._signed: dict[tuple[bytes, bytes], bool] = {}
        self._revoked: dict[tuple[str, str, int, int], tuple[int, int] | None] = {}  # by provider too
        self._lookup: Any = None
        self._chains: dict[str, Any] = {}

    def chain(self, did: str) -> Any:
        """`did`'s accreditation chain (trust.ChainData), read once."""
        if did not in self._chains:
            from registry.ops.trust import Trust

            self._chains[did] = Trust(self.registry, "").fetch([did])[did]
        return self._chains[did]

    def state(self, did: str) -> Any:
        if did not in self._states:
            self._states[did] = self.registry.resolve(did)
        return self._states[did]

    def provider_signed(self, parsed: jwt.CompactJWS, provider: str, now: int | None = None) -> bool:
        """Signed by a current or former assertion key of `provider` (the signing time is bounded by the
        anchor, `anchored`); with `now` (a request made now, not a document anchored), by a key valid now."""
        if parsed.payload.get("iss") != provider or not (parsed.kid or "").startswith(provider + "#"):
            return False
        if now is not None and not ((m := self._signing_method(provider, parsed.token)) and m.valid_at(now)):
            return False  # a key the provider retired (it may have been stolen) opens nothing now
        key = (parsed.signing_input, parsed.signature)  # an authorisation signs off many entries: checked once
        if key not in self._signed:
            method = self.state(provider).method_by_thumbprint((parsed.kid or "").partition("#")[2])
            self._signed[key] = (
                method is not None and method.has(Rel.ASSERTION_METHOD) and jwt.verify(parsed, method.jwk)
            )
        return self._signed[key]

    def prefetch(self, provider: str, roots: list[bytes], statuses: list[tuple[int, int]]) -> None:
        """Ask at once, for every account of the provider, what the entries will ask one by one: the
        anchors of `roots`, the revocation bits of `statuses` (list, index). A set bit is left for
        `revocation` to read its change."""
        accounts = [m.account for m in self.state(provider).controllers() if m.account]
        pairs = [(a, r) for a in accounts for r in dict.fromkeys(roots) if (a, r) not in self._anchors]
        for n in range(0, len(pairs), CHUNK):
            chunk = pairs[n : n + CHUNK]
            result = self.registry.client.call(self.registry.anchors_call(chunk))
            self._anchors.update(zip(chunk, self.registry.anchor_records(chunk, result), strict=True))
        keys: list[tuple[str, int, int]] = [
            (a, number, index) for a in accounts for number, index in dict.fromkeys(statuses)
            if (a, number, index) not in self._revocations
        ]  # fmt: skip
        for n in range(0, len(keys), CHUNK):
            asked = keys[n : n + CHUNK]
            (values,) = self.registry.client.call(
                self.registry.status_words_call([(a, Purpose.REVOCATION, number, i) for a, number, i in asked])
            )
            unset = [k for k, word in zip(asked, values, strict=True) if not bit_of(int(word), k[2])]
            self._revocations.update((k, None) for k in unset)

    def anchored(self, provider: str, token_or_root: str | bytes) -> Any:
        """The provider's anchor of a token's hash (or of a root), None when it has none. An anchor
        counts only if its account controlled the provider's DID when it landed and, for a token the
        provider signed, only if the key that signed it was still valid then: whoever kept keys the
        provider rotated out can still sign and send, and the chain takes it (as for credentials,
        docs/SECURITY.md "Former keys and controllers")."""
        value = bytes.fromhex(sha256_hex(token_or_root)) if isinstance(token_or_root, str) else token_or_root
        signer = self._signing_method(provider, token_or_root) if isinstance(token_or_root, str) else None
        for controller in self.state(provider).controllers():
            account = controller.account
            if (account, value) not in self._anchors:
                pairs = [(account, value)]
                result = self.registry.client.call(self.registry.anchors_call(pairs))
                self._anchors[(account, value)] = self.registry.anchor_records(pairs, result)[0]
            record = self._anchors[(account, value)]
            if record.exists and all(self._valid_at(provider, m, record) for m in (controller, signer) if m):
                return record
        return None

    def _signing_method(self, provider: str, token: str) -> Any:
        """The provider's key a token names as its signer (kid), if it is one of its keys."""
        try:
            kid = jwt.parse(token).kid or ""
        except InputError:
            return None
        if not kid.startswith(provider + "#"):
            return None
        return self.state(provider).method_by_thumbprint(kid.partition("#")[2])

    def _valid_at(self, provider: str, method: Any, record: Any) -> bool:
        """Was `method` (a controller or signing key of `provider`) valid when `record` was anchored?"""
        found = self._lookups().anchored_under(provider, method, record)
        if found is None:
            raise ChainUnavailable(_SAME_BLOCK.format(what="anchor", key="keys"))
        return found

    def _lookups(self) -> Any:
        if self._lookup is None:
            from registry.ops.verify.lookups import Lookups  # a verifier's reads: loaded only when an anchor is judged

            self._lookup = Lookups(self.registry)
        return self._lookup

    def revocation(self, provider: str, account: str, number: int, index: int) -> tuple[int, int] | None:
        """(reason, time) of the revocation of a status entry in `account`'s lists, None when it stands.
        A revocation `account` sent after it stopped controlling `provider`'s DID does not count (nor
        could the provider's own undo it: revocation is final)."""
        key = (account, number, index)
        if self._revocations.get(key, False) is None:
            return None  # a clear bit (`prefetch`)
        if (provider, *key) not in self._revoked:
            (values,) = self.registry.client.call(
                self.registry.status_words_call([(account, Purpose.REVOCATION, number, index)])
            )
            found = None
            if bit_of(int(values[0]), index):
                change = self.registry.entry_change(account, Purpose.REVOCATION, number, index, {})
                found = (change[0].reason, change[1]) if change else (0, 0)
                controller = self.state(provider).controller(account)
                if change and controller is not None:
                    inside = self._lookups().in_window(provider, controller, change[0], change[1])
                    if inside is None:
                        raise ChainUnavailable(_SAME_BLOCK.format(what="revocation", key="controller key"))
                    found = found if inside else None
            self._revoked[(provider, *key)] = found
        return self._revoked[(provider, *key)]


@dataclass
class Context:
    reads: Reads
    programme: Programme
    learner: str
    logbook: str
    for_cause: dict[str, str]  # authorisation hash -> the date from which its sign-offs are untrusted
    enrolled: str | None = None  # the UTC day of the learner's enrolment (records.py's `enrolment_day`)
    trust_list: Any = None  # the verifier's, for the provider's accreditation at each day anchor
    # The provider's accreditation at each day anchor (by the anchor's account and root): "" when it held,
    # else why not, and whether that is "could not determine" (True) or not valid (False).
    days: dict[tuple[str, bytes], tuple[str, bool]] = field(default_factory=dict)
