"""What `registry recognition` reads and prints: the parties a command names (a DID, a local identity,
a name in your trust list), the registry it reads (your deployment, else the one your trust list pins
its roots to, as `issuer check`), decision ids whole or shortened as `verify` prints them, reasons
by code or word, and a decision printed with its parties named."""

from __future__ import annotations

from typing import Any

from registry.cli.exits import BadArguments, arguments
from registry.cli.output import out
from registry.config import Settings
from registry.errors import InputError, KeyStoreError
from registry.formats.credential import iso
from registry.i18n import N_, _, joined
from registry.i18n.recognitionwords import LEVEL
from registry.text import named_did, shown

LIST_HINT = "`registry recognition list AUTHORITY` lists an authority's decisions, with their whole ids"


def your_roots(settings: Settings) -> Any:
    """Your default trust list (None when there is none, or it cannot be read: names and the
    registry it pins are a courtesy here, never a reason to refuse a read)."""
    from registry.ops.inputs import trust_lists

    try:
        return trust_lists(None, settings)
    except (InputError, OSError):
        return None


def party_did(settings: Settings, word: str, what: str, roots: Any) -> str:
    """The DID a command line names: a DID, an identity of this home, or the name your trust list
    gives one of its roots (as `verify --recognised-in` takes it)."""
    from registry.cli.options import did_of

    if word.startswith("did:"):
        return did_of(settings, word)  # checked as a DID
    try:
        return did_of(settings, word)  # an identity of this home
    except (KeyStoreError, InputError):  # none of that name, or a name no identity can have
        pass
    named = [r for r in (roots.listed() if roots else ()) if r.name and r.name.strip().lower() == word.strip().lower()]
    if len(named) == 1:
        return str(named[0].did)
    raise InputError(f"{what} {word[:80]!r} is neither a DID, an identity of this home, nor the name of one root in "
                     "your trust list (`registry trust-list show`): give its DID (did:ebsi:…)")  # fmt: skip


def connect_reading(settings: Settings, roots: Any) -> Any:
    """The Recognition of the registry to read: your deployment, else the one registry your trust
    list pins its roots to (an employer has no deployment file of its own)."""
    from registry.ops.locate import connect_for_issuer
    from registry.ops.recognition.authority import Recognition

    registry, _ = connect_for_issuer(settings, roots)
    return Recognition(registry)


def known_authorities(settings: Settings, roots: Any) -> list[str]:
    """Whose decisions a shortened id is looked for among, when no authority is named: this home's
    organisations (did:ebsi) and your trust list's roots."""
    import contextlib

    from registry.keystore import KeyStore

    found: list[str] = []
    store = KeyStore(settings.keys_dir)
    for name in store.names():
        with contextlib.suppress(Exception):  # an unreadable key file names nobody
            found.append(str(store.public_info(name)["did"]))
    found += [str(r.did) for r in (roots.listed() if roots else ())]
    return sorted({d for d in found if d.startswith("did:ebsi:")})


def resolve(recognition: Any, ref: Any, authorities: list[str], where: str, hint: str = LIST_HINT) -> bytes:
    """The decision `ref` names (ops/recognition/ids.py) among these authorities' decisions; an
    ambiguous start is a usage error (64), an unknown one a failure (1), each in one line."""
    from registry.ops.recognition.ids import AmbiguousDecision

    if ref.whole is not None:
        return bytes(ref.whole)
    ids = recognition.ids_of(authorities) if authorities else {}
    try:
        return bytes(ref.among([i for found in ids.values() for i in found], where, hint))
    except AmbiguousDecision as exc:
        raise BadArguments(str(exc)) from exc


def dids_of(decision: Any) -> list[str]:
    """The DIDs a decision names: its authority, the root and the issuers of its scope."""
    doc = decision.to_json()["document"] or {}
    scope = doc.get("scope") or {}
    return [d for d in (doc.get("authority"), scope.get("root"), *(scope.get("issuers") or ())) if isinstance(d, str)]


def names(recognition: Any, dids: Any, given: dict[str, str | None], roots: Any) -> dict[str, str]:
    """DID -> the legal name its accreditation gives it (read from the chain, as `issuer check` names
    issuers), else the name your trust list gives it, else this home's identity name."""
    flat = [d for item in dids for d in ([item] if isinstance(item, str) else item)]
    found = {did: name for did, name in given.items() if name}
    for root in roots.listed() if roots is not None else ():
        if root.name:
            found[root.did] = root.name
    return {**found, **recognition.legal_names(flat)}


def named(did: Any, known: dict[str, str]) -> str:
    """A party as other commands show it: its name beside its DID shortened (registry/text.py); inert."""
    return named_did(str(did) if did else None, known.get(did))


# What `recognition list` and `show` print of a decision, in the run's language (names, qualifications,
# conditions, ids and times as written).
STATUS_WORDS = {"ACTIVE": N_("ACTIVE"), "SUSPENDED": N_("SUSPENDED"), "REVOKED": N_("REVOKED")}
_STATUS_SINCE = N_("{status} on {time} ({reason})")
_REASON_CODE = N_("reason {code}")
_HEAD = N_("decision {id}: {status}, recognised here as {outcome}")
_UNREADABLE = N_("an unreadable decision")
_FRAMEWORK = N_("framework {key}")
_SCOPE = N_("scope: {types}, EQF {levels}, root {root}")
_ONLY = {
    "issuers": N_(", issuers {names}"),
    "programmes": N_(", programmes {names}"),
    "schemas": N_(", schemas {names}"),
}
_APPLIES = N_("applies from {start} {end}; published {published}")
_NO_END, _THROUGH, _UNTIL = N_("with no end date"), N_("through {day} (UTC)"), N_("until {time}")
_CONDITIONS, _REFERENCE = N_("conditions: {conditions}"), N_("reference: {reference}")
# A history line (an event of the decision's, with its block; a change with its reason).
_EVENTS = {
    "published": N_("{time} published (block {block})"),
    "suspended": N_("{time} suspended (block {block}, reason {code}: {reason})"),
    "reinstated": N_("{time} reinstated (block {block}, reason {code}: {reason})"),
    "revoked": N_("{time} revoked (block {block}, reason {code}: {reason})"),
}
_PUBLISHED_BY = N_("published by {authority}")
_EQF_OF = N_("{level}=EQF {eqf}")
_FRAMEWORK_LINE = N_("{key}: {name} ({jurisdiction}), id {id}; levels {levels}")


def published_by(authority: str) -> str:
    """`recognition show`'s first line: whose decision."""
    return _(_PUBLISHED_BY).format(authority=authority)


def framework_line(framework: Any) -> str:
    """A framework as `recognition frameworks` lists it (its name and its levels' names as it gives them)."""
    levels = joined(_(_EQF_OF).format(level=name, eqf=eqf) if eqf else name for name, eqf in framework.levels)
    return _(_FRAMEWORK_LINE).format(key=framework.key, name=framework.name, jurisdiction=framework.jurisdiction,
                                     id=framework.id, levels=levels)  # fmt: skip


def _until(timestamp: int) -> str:
    """The end of a decision's validity in words: a day given as such (stored as its last second)
    reads as that day, any other time whole."""
    from registry.formats.recognition import NO_END

    if timestamp >= NO_END or iso(timestamp).startswith("9999"):
        return _(_NO_END)
    when = iso(timestamp)
    return _(_THROUGH).format(day=when[:10]) if when.endswith("T23:59:59Z") else _(_UNTIL).format(time=when)


def _from(timestamp: int) -> str:
    """The start of a decision's validity: a day given as such (its first second) reads as that day."""
    when = iso(timestamp)
    return when[:10] if when.endswith("T00:00:00Z") else when


def reason_words(code: int) -> str:
    """A decision's reason by its code, in the run's language (a code without words: "reason N")."""
    from registry.i18n.recognitionwords import decision_reason
    from registry.ops.recognition.model import REASONS

    return decision_reason(REASONS[code]) if code in REASONS else _(_REASON_CODE).format(code=code)


def _status(decision: Any) -> str:
    """ACTIVE, or SUSPENDED/REVOKED with when and why (the last revision)."""
    from registry.ops.recognition.model import DecisionStatus

    name = decision.status.name
    word = _(STATUS_WORDS[name]) if name in STATUS_WORDS else name
    if decision.status is DecisionStatus.ACTIVE or not decision.revisions:
        return word
    last = decision.revisions[-1]
    return _(_STATUS_SINCE).format(status=word, time=iso(last.timestamp), reason=reason_words(last.reason))


def outcome_words(decision: Any) -> str:
    """ "Q (level N of F)", in the run's language (the qualification and the framework's name as written)."""
    from registry.formats.frameworks import find_framework

    if decision.document is None:
        return _(_UNREADABLE)
    outcome = decision.document.outcome
    framework = find_framework(outcome.framework)
    name = framework.name if framework is not None else _(_FRAMEWORK).format(key=outcome.framework)
    level = _(LEVEL).format(level=outcome.level, framework=name)
    return f"{outcome.qualification} ({level})"


def _history(entry: dict[str, Any]) -> str:
    words = _EVENTS.get(entry["event"])
    if words is None:  # an event of another name: as the chain's JSON gives it
        return f"{entry['at']} {entry['event']} (block {entry['block']})"
    reason = reason_words(entry["reason"]) if isinstance(entry["reason"], int) else entry["reason_text"]
    return _(words).format(time=entry["at"], block=entry["block"], code=entry["reason"], reason=reason)


def print_decision(decision: Any, *, history: bool, known: dict[str, str]) -> None:
    data = decision.to_json()
    doc = data["document"] or {}
    scope = doc.get("scope") or {}
    issuers = [named(d, known) for d in scope.get("issuers") or ()]  # as the root: by name, DID shortened
    only = [(k, v) for k, v in (("issuers", issuers), *((k, scope.get(k)) for k in ("programmes", "schemas"))) if v]
    levels = joined(map(str, scope.get("eqfLevels") or []))
    head = _(_HEAD).format(id=data["id"], status=_status(decision), outcome=outcome_words(decision))
    lines = [
        head,
        "  "
        + _(_SCOPE).format(types=joined(scope.get("types") or []), levels=levels, root=named(scope.get("root"), known))
        + "".join(_(_ONLY[k]).format(names=joined(v)) for k, v in only),
        "  " + _(_APPLIES).format(start=_from(decision.valid_from), end=_until(decision.valid_until),
                                  published=data["published"]),
    ]  # fmt: skip
    if data["conditions"]:
        lines.append("  " + _(_CONDITIONS).format(conditions=data["conditions"]))
    if doc.get("reference"):  # the authority's own file number (`publish --reference`): it was never shown
        lines.append("  " + _(_REFERENCE).format(reference=doc["reference"]))
    if history:  # a publication's reason is always 0 ("unspecified"): not said
        lines += ["  " + _history(h) for h in data["history"]]
    for line in lines:
        out.print(shown(line))


def reason_code(value: str) -> int:
    """`--reason` as its code: a code of REASONS, or its word (REASON_WORDS); only codes a reader can put
    words to are written on-chain, for good."""
    from registry.ops.recognition.model import REASON_WORDS, REASONS

    word = value.strip().lower()
    code = int(word) if word.isdigit() else REASON_WORDS.get(word, -1)
    if code not in REASONS:
        codes = ", ".join(f"{c} {text}" for c, text in REASONS.items())
        raise InputError(f"--reason must be one of the reason codes ({codes}) or its word ({', '.join(REASON_WORDS)}), "
                         f"not {value[:40]!r}")  # fmt: skip
    return code


def parties(settings: Settings, root: str | None, issuers: str | None) -> tuple[str | None, str | None]:
    """`--root` and `--issuers` as DIDs: each given as one, or by its name in your trust list or this home."""
    if root is None and issuers is None:
        return root, issuers
    with arguments():
        roots = your_roots(settings)
        root = party_did(settings, root, "--root", roots) if root is not None else None
        issuers = ",".join(party_did(settings, i, "--issuers", roots) for i in _split(issuers)) or issuers
    return root, issuers


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


# What an authority's own commands say they did (`recognition publish`, `suspend`, `reinstate`, `revoke`).
_PUBLISHED = N_("decision {id} published by {authority}")
_SAME = N_(
    "unchanged: decision {id} of {authority} already says this and is in force ({outcome}): nothing was published"
)
_CHANGED = {
    "ACTIVE": N_("decision {id}: reinstated (reason {code}: {reason})"),
    "SUSPENDED": N_("decision {id}: suspended (reason {code}: {reason})"),
    "REVOKED": N_("decision {id}: revoked (reason {code}: {reason})"),
}
_ALREADY = {
    "ACTIVE": N_("unchanged: decision {id} is in force already: nothing was written"),
    "SUSPENDED": N_("unchanged: decision {id} is suspended already: nothing was written"),
    "REVOKED": N_("unchanged: decision {id} is revoked already: nothing was written"),
}


def published_line(decision_id: bytes, authority: str, existing: Any) -> str:
    """What `publish` did: published, or nothing (`existing`, a decision in force, already says it)."""
    if existing is None:
        return _(_PUBLISHED).format(id="0x" + decision_id.hex(), authority=authority)
    return _(_SAME).format(id="0x" + decision_id.hex(), authority=authority, outcome=outcome_words(existing))


def changed_line(decision_id: bytes, status: str, code: int) -> str:
    """What `suspend`, `reinstate` or `revoke` did (`status`, the decision's new status's name)."""
    return _(_CHANGED[status]).format(id="0x" + decision_id.hex(), code=code, reason=reason_words(code))


def already_line(decision_id: bytes, status: str) -> str:
    """`suspend`, `reinstate` or `revoke` of a decision already so: nothing written."""
    return _(_ALREADY[status]).format(id="0x" + decision_id.hex())
