"""The verifier's words in the language of the run (registry/i18n): check labels, verdicts and
the verdict line. The verifier itself writes English (its reports' JSON is machine output and
stays English); what the command line shows of it is translated here, at the face.

The verdict line (a report's `summary`) is read back by the shapes ops/verify writes it in
(report.py's `verdict_of`, presentation.py's `_passport_verdict`); the verdict and the failed
check's label are translated, the check's own message (with its facts) stays as the verifier
wrote it. A summary of another shape is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from registry.i18n import DEFAULT, N_, _, current, joined

# Every check's label (ops/verify/report.py's `Code`; tests/e2e/test_translations.py holds the two equal).
CHECK_LABELS = (
    N_("format"), N_("schema"), N_("registry"), N_("cohort proof"), N_("signing time"), N_("time asked"),
    N_("issuer DID"), N_("signing key"), N_("signature"), N_("anchor"), N_("status list"),
    N_("revocation status"), N_("suspension status"), N_("accreditation"), N_("assurance"),
    N_("assessor"), N_("trusted root"),
    N_("validity period"), N_("quorum"), N_("chain"), N_("presentation"), N_("holder signature"),
    N_("holder binding"), N_("presentation time"), N_("distinct credentials"), N_("audience"), N_("nonce"),
)  # fmt: skip

# Every verdict (ops/verify/shapes.py's `Verdict`), as the summary table and a passport's lines name it.
VERDICT_WORDS = {
    "valid": N_("valid"),
    "invalid": N_("invalid"),
    "revoked": N_("revoked"),
    "suspended": N_("suspended"),
    "could not determine": N_("could not determine"),
    "root not trusted": N_("root not trusted"),
    "not yet issued": N_("not yet issued"),
}

# What each field of a message below stands for in the text it reads back (any other field: one word).
_FIELDS = {"rest": r".*", "n": r"\d+", "v": r"\d+", "block": r"\d+", "check": r"[A-Za-z ]+", "checks": r"[a-z, ]+",
           "id": r"[^()]+", "who": r".+", "other": r".+", "path": r".+", "text": r".+", "units": r".+",
           "max": r"\d+", "root": r".+", "list": r".+", "name": r".+", "when": r"at issuance|now",
           "hint": r"\(.+\)"}  # fmt: skip
FIELDS = _FIELDS  # read back by errorwords.py's errors too
# The verdict lines the verifier writes, most specific first; each message is also the pattern that
# reads it back (`_compiled`: its text literally, each {field} as `_FIELDS` says).
_HEADLINES = (
    N_("VALID: every check passed"),
    N_("VALID: every check passed; but the assessor's authorisation was revoked on {date} ({rest})"),
    N_("VALID: all {n} credentials valid"),
    N_("VALID: its credential is valid"),
    N_("NOT ALL VALID: {v} of {n} credentials valid"),
    N_("COULD NOT DETERMINE: {v} of {n} valid"),
    N_(
        "ROOT NOT TRUSTED: {v} of {n} credentials valid, the others genuine but under a Root TAO you have "
        "not said you trust"
    ),
    N_("ROOT NOT TRUSTED: genuine and anchored; {rest}"),
    N_("NOT YET ISSUED: {v} of {n} credentials valid at the time asked, the others issued later"),
    N_("NOT YET ISSUED: {rest}"),
    N_("REVOKED: {rest}"),
    N_("SUSPENDED: {rest}"),
    N_("INVALID: {check}: {rest}"),
    N_("INVALID: {rest}"),
    N_("COULD NOT DETERMINE: {rest}"),
)
# The messages of the checks a valid credential or passport passes, the commonest lines of a report
# (and a revocation's or suspension's, its reason translated when it is one of the chain's codes)
# (ops/verify: status.py, lookups.py, chain_checks.py, offline.py, schemas.py, presentation.py); any
# other message, and every failure's, is shown as the verifier wrote it.
_MESSAGES = (
    N_("not revoked"),
    N_("not suspended"),
    N_("the key was valid in the issuer's DID document when it signed"),
    N_(
        "the key was valid in the issuer's DID document when the credential was anchored (it states no signing "
        "time: a VCDM 2.0 credential without iat)"
    ),
    N_("{did} is registered"),
    N_("signed by the holder {did}"),
    N_("signed by {key}"),
    N_("credential hash anchored by {did} on {time} (block {block})"),
    N_("cohort root anchored by {did} on {time} (block {block})"),
    N_("member of a cohort of {n}"),
    N_("valid from {start} with no expiry date"),
    N_("valid from {start} until {end}"),
    N_("valid with no start or expiry date"),
    N_("valid with no start date until {end}"),
    N_("conforms to the schema it names ({id})"),
    # A file that is no credential, as the format check says it (formats/holderfile.py; errorwords.py's too).
    N_("{path} is JSON but not a credential file (format {text})"),
    N_("{path} is neither a credential file (JSON) nor a JWT"),
    N_("each credential is in the passport once"),
    N_("every credential is about the presentation's holder"),
    N_("answers the challenge (nonce) given"),
    N_("revoked on {time}: {rest}"),
    N_("suspended on {time}: {rest}"),
    N_("could not check: cannot reach the chain at {path}: connection refused or host unreachable"),
    N_("could not check: cannot reach the service's chain node: connection refused or host unreachable"),
    N_("expired on {time}"),
    N_("not valid before {time}"),
    N_("signed {time}, valid until {end}"),
    N_("not checked (made for {who}): give --audience to check"),
    N_(
        "made for {who}, not for {other} (they differ in letter case only: the audience must be given as the "
        "passport names it)"
    ),
    N_("made for {who}, not for {other}"),
    N_("made for {who}"),
    N_("carries no nonce, so it does not answer the challenge given"),
    N_("carries another nonce than the challenge given"),
    N_("not checked: it answers a challenge (nonce) you did not give"),
    N_(
        "not checked: this is a single credential, not a passport, so nothing shows that its holder presented it "
        "to you; ask the holder for a passport made for you"
    ),  # ops/batch.py's NOT_PRESENTED
    # The format, registry, assurance and quorum lines of a valid credential (ops/verify/offline.py,
    # registries.py, attestations.py, report.py's SINGLE_NODE_NOTE; test_translations.py holds them equal).
    N_("a well-formed VCDM 2.0 vc+jwt"),
    N_("a well-formed VCDM 2.0 vc+jwt (a Europass European Digital Credential)"),
    N_("a well-formed EBSI JWT-VC (VCDM 1.1)"),
    N_("checked in the registry the file names, chain {n}'s registry deployed in block {block}"),
    N_("checked in chain {n}'s registry deployed in block {block}"),
    N_(
        "a work-experience attestation by a registered organisation (its DID is in the DID registry), not an "
        "accredited awarding body: no accreditation chain, no trust-list root"
    ),
    N_(
        "read from one node: trust in the node operator (it could lie about the issuer's keys, anchors and "
        "status); give several --rpc endpoints of independent operators for a quorum"
    ),
)
# The accreditation and trusted-root lines (ops/verify/chain_checks.py, ops/trust/evaluation.py): what an
# employer reads of a credential under a root her trust list names, or leaves out. Their {root} and
# {list} are translated in turn by `_ROOTS` and `_LISTS`, {when} as a word (the accreditation policy's).
_TRUST_MESSAGES = (
    N_("{when}: accredited through an unbroken chain to Root TAO {root}, which {list} trusts"),
    N_("{when}: accredited through an unbroken chain to Root TAO {root}"),
    N_("the issuer is accredited under Root TAO {root}, which is not in {list} {hint}"),
    N_("the issuer is accredited under Root TAO {root}, which is not in {list}"),
    N_("the issuer is accredited under Root TAO {root}, which you have not said you trust {hint}"),
)
POLICY_WORDS = (N_("at issuance"), N_("now"))
# The accreditation policy a report names (ops/verify/verifier.py's POLICIES), as `verify` shows it.
POLICIES = {"issuance": N_("issuance"), "now": N_("now")}
# A Root TAO as those lines name it (ops/trust/model.py's `root_label`; `registry issuer check` reads
# it back too, i18n/trustwords.py); a name a trust list gives is shown as it is.
SELF_DECLARED = N_('{did} (self-declared name "{name}", not from a trust list)')
_ROOTS = (SELF_DECLARED,)
# What a verifier with no trust list at all is told to do (ops/trust/trustlist.py's `no_list_hint`, also
# read back by i18n/trustwords.py; a service's, service/routers/common.py's), and one whose list names the
# root for another registry only (ops/verify/chain_checks.py).
NO_LIST_HINT = N_(
    "(no trust list: give --trust-list FILE, or make a default one with `registry trust-list add {did} --name "
    "NAME --registry DEPLOYMENT.json`, with its registry's deployment file as the root publishes it)"
)
_HINTS = (
    NO_LIST_HINT,
    N_(
        '(this service has no trust list: send the Root TAOs you accept as "trustList" in the request, e.g. '
        '"trustList": ["{did}"], or its operator names them with `registry serve --trust-list FILE`)'
    ),
    N_(
        "(your list names it, but not in this registry: if you accept it here, `registry trust-list add {did} "
        "--registry DEPLOYMENT.json` with this registry's deployment file, as its root publishes it)"
    ),
)
# A trust list as those lines name it (ops/trust/trustlist.py's `name` and `for_registry`, the service's labels).
_LISTS = (
    N_("{list} as pinned to chain {n}'s registry deployed in block {block}"),
    N_('the trust list "{name}"'),
    N_("the service's trust list"),
    N_("the request's trust list"),
    N_("the trust list {path}"),
)
# The reasons of a revocation or suspension as the chain's code gives them (ops/registry.py's
# `REASONS`), translated where a message above carries one as its rest.
REASON_WORDS = (
    N_("unspecified"), N_("issued in error"), N_("fraud or misrepresentation"),
    N_("superseded by a newer credential"), N_("holder request"), N_("issuer key compromised"),
    N_("under investigation"), N_("investigation closed"), N_("qualification withdrawn"),
)  # fmt: skip
# An achievement's type as a credential names it (Open Badges 3.0's achievementType; ours: formats/credential.py,
# cli/commands/rpl.py, formats/rpl's attestation), shown by its label; any other as it is. `--json` keeps the value.
ACHIEVEMENT_TYPES = {
    "Certificate": N_("Certificate"), "Certification": N_("Certification"), "Competency": N_("Competency"),
    "CertificateOfCompletion": N_("Certificate of completion"), "Course": N_("Course"), "Degree": N_("Degree"),
    "Diploma": N_("Diploma"), "Badge": N_("Badge"), "MicroCredential": N_("Micro-credential"),
    "License": N_("Licence"), "ApprenticeshipCertificate": N_("Apprenticeship certificate"),
    "Award": N_("Award"), "Assessment": N_("Assessment"), "ext:WorkExperience": N_("Work experience"),
}  # fmt: skip
# A passport summary's line verdict (ops/verify/summary.py's `Programme`): valid alone in a passport that is
# not, and an attestation's (an organisation registered, not accredited: its `assurance`).
_NOT_COUNTED = N_("{verdict} on its own, not counted")
_ATTESTED = N_("{verdict} (attestation by a registered organisation, not accredited)")
# A passport's summary note (ops/verify/summary.py's `_note`).
_NOTES = (
    N_("its credential is valid and counts"),
    N_("all {n} credentials are valid and count"),
    N_("{v} of {n} credentials are valid and count; the others are listed with their verdict"),
    N_("nothing counts: the passport failed its {checks} check"),
)
_FIELD = re.compile(r"\{(\w+)\}")
_WORD = r"\S+"


def pattern(message: str, fields: dict[str, str] | None = None) -> str:
    """The regular expression that reads back a text written from `message` (each {field} as
    `fields`, else `_FIELDS`, says; any other: one word)."""
    known = _FIELDS if fields is None else fields
    parts = _FIELD.split(message)  # literal, field name, literal, ...
    return "".join(
        re.escape(part) if n % 2 == 0 else f"(?P<{part}>{known.get(part, _WORD)})" for n, part in enumerate(parts)
    )


def _compiled(table: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern(message), re.DOTALL), message) for message in table)


@cache
def _tables() -> dict[str, tuple[tuple[re.Pattern[str], str], ...]]:
    """The patterns, compiled on the first text to translate (an English run compiles none)."""
    return {
        "headlines": _compiled(_HEADLINES),
        "messages": _compiled(_MESSAGES + _TRUST_MESSAGES),
        "roots": _compiled(_ROOTS),
        "lists": _compiled(_LISTS),
        "hints": _compiled(_HINTS),
        "notes": _compiled(_NOTES),
    }


def check_label(name: str) -> str:
    """A check's label in the language of the run (an unknown one as it is)."""
    return _(name) if name in CHECK_LABELS else name


def verdict_word(verdict: str) -> str:
    word = VERDICT_WORDS.get(verdict)
    return _(word) if word else verdict


def _translated(table: str, text: str) -> str:
    """`text` in the language of the run if one of `table`'s patterns reads it whole (a `check`
    field must be a check's label, `checks` a list of them), else as it is. English is the
    source language: a text written from a message is already in it."""
    if current() == DEFAULT:
        return text
    for pattern, message in _tables()[table]:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        fields = match.groupdict()
        names = fields["check"].split(", ") if "check" in fields else fields.get("checks", "").split(", ")
        if ("check" in fields or "checks" in fields) and not set(names) <= set(CHECK_LABELS):
            continue
        if "check" in fields:
            fields["check"] = _(fields["check"])
        if "checks" in fields:
            fields["checks"] = joined(_(name) for name in names)
        for key, inner in (("root", "roots"), ("list", "lists"), ("hint", "hints")):  # each read back in turn
            if key in fields:
                fields[key] = _translated(inner, fields[key])
        if "when" in fields:
            fields["when"] = _(fields["when"])
        if "rest" in fields and table == "headlines":  # a verdict line's rest: the failed check's message
            fields["rest"] = reason_word(check_message(fields["rest"]))  # or a revocation's reason
        elif "rest" in fields:  # a revocation's or suspension's reason
            fields["rest"] = reason_word(fields["rest"])
        return _(message).format(**fields)
    return text


def trust_phrase(table: str, text: str) -> str:
    """A Root TAO (`roots`), a trust list (`lists`) or what to do without one (`hints`) as the trust lines name
    it, in the language of the run."""
    return _translated(table, text)


def headline(summary: str) -> str:
    """A report's verdict line in the language of the run."""
    return _translated("headlines", summary)


def check_message(message: str) -> str:
    """A passed check's message in the language of the run (the commonest ones; others as written)."""
    return _translated("messages", message)


def reason_word(reason: str) -> str:
    """A revocation's or suspension's reason in the language of the run (one the chain's codes give;
    any other text as it is)."""
    return _(reason) if reason in REASON_WORDS else reason


def achievement_type(value: str) -> str:
    """An achievement's type by its label in the run's language (one we do not know: as written)."""
    return _(ACHIEVEMENT_TYPES[value]) if value in ACHIEVEMENT_TYPES else value


def programme_verdict(item: Mapping[str, Any]) -> str:
    """A passport summary's credential line's verdict: its word, "on its own, not counted" in a passport
    that failed its own checks, and an attestation's "by a registered organisation, not accredited"."""
    verdict = verdict_word(str(item.get("verdict"))).upper()
    if item.get("verdict") == "valid" and item.get("counted") is False:
        verdict = _(_NOT_COUNTED).format(verdict=verdict)
    if item.get("assurance") == "registered organisation":
        verdict = _(_ATTESTED).format(verdict=verdict)
    return verdict


def summary_note(note: str) -> str:
    """A passport summary's note in the language of the run."""
    return _translated("notes", note)


def localised(certified: dict[str, Any]) -> dict[str, Any]:
    """What a credential certifies with its name, description and criteria in the language of the
    run where the credential gives them in it (a Europass credential's language maps), else as read."""
    texts = (certified.get("translations") or {}).get(current()) or {}
    mine = {key: texts[key] for key in ("name", "description", "criteria") if isinstance(texts.get(key), str)}
    return {**certified, **mine}


# How one name's writings differ (ops/verify/summary.py's `_differences`).
NAME_DIFFERENCES = {"Unicode form": N_("Unicode form"), "spacing": N_("spacing"), "letter case": N_("letter case")}


def holder_names_words(names: Sequence[Mapping[str, Any]]) -> str | None:
    """A passport summary's `holder_names` as one line (the CLI and the printed passport): each name
    with the credentials giving it; one name's several writings said to be the same name, and how
    they differ. None when the credentials name the holder alike."""
    if not names:
        return None

    def numbered(entry: Mapping[str, Any]) -> str:
        return f'"{entry["name"]}" ({", ".join(f"#{n}" for n in entry["credentials"])})'

    def ways(entry: Mapping[str, Any]) -> str:
        found = entry.get("differences") or []
        return joined(_(NAME_DIFFERENCES[d]) if d in NAME_DIFFERENCES else str(d) for d in found)

    if len(names) == 1:  # one name only, written in several ways
        writings = joined((numbered(w) for w in names[0].get("written") or []), strong=True)
        return _("holder's name written differently by the credentials, one name ({ways}): {names}").format(
            ways=ways(names[0]), names=writings
        )
    said = [
        _("{names}: the same name, written differently ({ways})").format(
            names=" / ".join(numbered(w) for w in entry["written"]), ways=ways(entry)
        )
        if entry.get("written")
        else numbered(entry)
        for entry in names
    ]
    return _("holder named differently by the credentials: {names}").format(names=joined(said, strong=True))
