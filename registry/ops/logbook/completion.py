"""Completion: when a learner's logbook meets the programme's standard, the provider issues the
qualification credential (a skills credential naming the logbook's root and summarising it, schema
`logbook-qualification.schema.json`) and the same summary as a 1EdTech CLR 2.0 credential.

Only entries that verify count: the provider checks the whole logbook as a verifier would
(`verify_extract`); an entry not valid, revoked or undetermined is left out of the root and the
summary, and so is one dated before the programme's backdating window, or before the learner's
enrolment day (valid, reported, not counted: learning before enrolment goes through RPL). Files in
the logbook directory, in this order (a kill leaves at most a tree file that the next `complete`
rewrites, or a journaled credential whose anchor the journal sends):

- `qualification-tree.json`: the logbook root and each counted entry's proof (before the anchor);
- `qualification.json`: the qualification's holder file (journaled, as `registry issue` writes it);
- `qualification-clr.jwt`: the CLR 2.0 ClrCredential, a VC-JWT signed by the provider (made again
  by the next `complete` if a run stopped before it).

A qualification the provider revoked (issued in error, then the logbook corrected) is not the end:
`complete` renames its three files aside (`qualification-revoked-N.json`, `...-clr-revoked-N.jwt`,
`...-tree-revoked-N.json`, the holder file last, so that a run stopped in between renames the rest
under the same N) and issues a new one. A suspended one stays (suspension is not final).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.durable import rename_durably, write_bytes_atomic, write_json_atomic
from registry.errors import InputError
from registry.formats import ownschemas
from registry.formats.credential import Achievement, Skill, load_holder_file
from registry.formats.logbook import EntryFile, Extract
from registry.formats.logbook.clr import build_clr, sign_clr
from registry.formats.logbook.summary import TREE_FILE, Counted, logbook_tree, missing_hours, summarise
from registry.ops.issuance import Issued
from registry.ops.logbook.book import Logbook, read_json, signed_kind
from registry.ops.logbook.checks import VALID, verify_extract
from registry.ops.logbook.provider import Provider

CREDENTIAL_FILE = "qualification.json"
TREE_NAME = "qualification-tree.json"
CLR_FILE = "qualification-clr.jwt"


@dataclass(frozen=True)
class Completion:
    issued: Issued
    summary: dict[str, Any]
    clr: str
    backdated: tuple[str, ...] = ()  # valid entries left out: dated before the programme's backdating window
    replaced: str | None = None  # a revoked qualification set aside for this one: what was done, in a line
    before_enrolment: tuple[str, ...] = ()  # valid entries left out: dated before the learner's enrolment day


def counted_entries(provider: Provider, book: Logbook, records: list[str]) -> tuple[list[EntryFile], list[Counted]]:
    """The logbook's entries that verify and are not backdated nor dated before the enrolment, and
    what each counts for."""
    files, counted, _left_out, _refused = _checked(provider, book, records)
    return files, counted


def _checked(
    provider: Provider, book: Logbook, records: list[str]
) -> tuple[list[EntryFile], list[Counted], tuple[list[str], list[str]], list[str]]:
    """As `counted_entries`, and the valid entries left out ("DATE UNIT H h"): those backdated, and
    those dated before the learner's enrolment day; and those that are not valid ("DATE UNIT H h
    revoked")."""
    anchored = [f for f in book.entries() if f.anchor is not None]
    if not anchored:
        raise InputError("the logbook has no anchored entries: the standard is not met")
    extract = Extract(book.programme_token, book.enrolment_token, anchored, [])
    report = verify_extract(provider.registry, extract, records)
    if report.problems or report.unknown:
        raise InputError(f"the logbook cannot be completed: {(report.problems + report.unknown)[0]}")
    valid = [(f, r) for f, r in zip(anchored, report.entries, strict=True) if r.verdict == VALID]
    refused = [f"{r.date} {r.unit} {r.hours:g} h {r.verdict}" for r in report.entries if r.verdict != VALID]
    early = [f"{r.date} {r.unit} {r.hours:g} h" for _, r in valid if r.before_enrolment]
    backdated = [f"{r.date} {r.unit} {r.hours:g} h" for _, r in valid if r.backdated and not r.before_enrolment]
    valid = [(f, r) for f, r in valid if r.counts]
    return [f for f, _ in valid], [Counted(r.unit, r.hours, r.date) for _, r in valid], (backdated, early), refused


def _why(book: Logbook, left: int, early: list[str], backdated: list[str], refused: list[str]) -> str:
    """Why `left` anchored entries do not count, as far as a line says it: backdated, dated before the
    enrolment, or not valid (each named with its verdict: revoked, not valid, could not determine)."""
    if not left:
        return ""
    late = f", {len(backdated)} of them backdated beyond the programme's window" if backdated else ""
    late += f", {len(early)} of them dated before the enrolment ({_enrolled(book)})" if early else ""
    if refused:
        late += f", {len(refused)} of them {'; '.join(refused[:3])}{'...' if len(refused) > 3 else ''}"
    entries = "1 anchored entry does not count" if left == 1 else f"{left} anchored entries do not count"
    return f" ({entries}{late}: `logbook verify` says why)"


def _achievement(book: Logbook, summary: dict[str, Any]) -> Achievement:
    """The qualification's achievement, awarded to the learner by the name her enrolment gives (as
    `issue --holder-name` writes it), so that verifiers see her name, not only her did:key."""
    programme = book.programme
    name = book.enrolment.get("name")
    # A programme names its skills by URI only: each is labelled by the units that train it (every one,
    # not the last: two units of one skill are both named).
    titles: dict[str, list[str]] = {}
    for unit in programme.units:
        for uri in unit.skills:
            titles.setdefault(uri, []).append(unit.title)
    skills = {uri: Skill(uri, "; ".join(dict.fromkeys(names))) for uri, names in titles.items()}
    return Achievement(
        name=programme.title,
        description=f"{programme.title} ({programme.ref}), EQF level {programme.eqf_level}",
        criteria=(
            f"Every unit of the programme's competency standard signed off in the learner's skills logbook: "
            f"{summary['entries']} entries, {summary['hours']:g} h, {summary['from']} to {summary['until']}"
        ),
        skills=tuple(skills.values()),
        eqf_level=programme.eqf_level,
        holder_name=name if isinstance(name, str) and name.strip() else None,
    )


def complete(provider: Provider, book: Logbook, records: list[str]) -> Completion:
    """Issue the qualification of a logbook that meets its standard; refuse, saying what is missing.
    Under the provider's writer lock, the logbook's files looked at first: a second process at once
    waits, then finds the logbook complete (it issued a second qualification over the first's file)."""
    with provider.issuer.writing():
        return _complete(provider, book, records)


def _complete(provider: Provider, book: Logbook, records: list[str]) -> Completion:
    target = book.directory / CREDENTIAL_FILE
    replaced = None
    if target.exists() and (revocation := _revocation(provider, target)) is not None:
        replaced = f"the qualification {target} was revoked ({revocation}): kept as {_set_aside(book.directory)}"
    if target.exists() and (book.directory / CLR_FILE).exists():
        raise InputError(f"the logbook is complete already: its qualification is {target}")
    if target.exists():  # a run stopped after the qualification: its CLR summary is made again
        return _clr_again(provider, book, load_holder_file(target.read_bytes(), str(target)).credential)
    if book.programme.provider != provider.identity.did:
        raise InputError(f"the programme {book.programme.ref} was published by another provider")
    files, counted, (backdated, early), refused = _checked(provider, book, records)
    missing = missing_hours(book.programme, counted)
    if missing:
        left = len([f for f in book.entries() if f.anchor is not None]) - len(files)
        why = _why(book, left, early, backdated, refused)
        raise InputError(f"the standard is not met: missing {'; '.join(missing)}{why}")
    tree = logbook_tree(files)
    summary = summarise(book.programme, book.id, tree.root, counted)
    proofs = {f.id: tree.get_proof(n) for n, f in enumerate(files)}
    write_json_atomic(book.directory / TREE_NAME, {"format": TREE_FILE, "root": tree.root, "proofs": proofs})
    learner, achievement = str(book.enrolment.get("sub")), _achievement(book, summary)
    provider.issuer.check_can_issue(learner, achievement, valid_until=None, extra_types=())
    issued = provider.issuer.issue_single(learner, achievement, out=target, schema=ownschemas.QUALIFICATION,
                                          subject_extra={"logbook": summary})  # fmt: skip
    clr = _write_clr(provider, book, summary, issued.holder_file.credential)
    return Completion(issued, summary, clr, tuple(backdated), replaced, tuple(early))


def _enrolled(book: Logbook) -> str:
    return book.enrolled or "?"


def _revocation(provider: Provider, target: Path) -> str | None:
    """How the qualification held in `target` was revoked on-chain (its reason), None while it stands."""
    from registry.contracts.statusword import Purpose, bit_of
    from registry.ops.registry import REASONS
    from registry.ops.statusentries import parse_status_entries

    token = load_holder_file(target.read_bytes(), str(target)).credential
    registry = provider.registry
    for _did, account, purpose, number, index in parse_status_entries(issued_vc(token).get("credentialStatus")):
        if purpose != Purpose.REVOCATION:
            continue
        (values,) = registry.client.call(registry.status_words_call([(account, purpose, number, index)]))
        if bit_of(int(values[0]), index):
            change = registry.entry_change(account, purpose, number, index, {})
            return f"reason: {REASONS.get(change[0].reason, f'code {change[0].reason}')}" if change else "revoked"
    return None


def _set_aside(directory: Path) -> Path:
    """Rename a revoked qualification's files aside, never over another file; the holder file's new
    name. It goes last: a run stopped before it renames the others again under the same number."""
    n = 1
    while (directory / f"qualification-revoked-{n}.json").exists():
        n += 1
    names = ((CLR_FILE, f"qualification-clr-revoked-{n}.jwt"), (TREE_NAME, f"qualification-tree-revoked-{n}.json"),
             (CREDENTIAL_FILE, f"qualification-revoked-{n}.json"))  # fmt: skip
    for current, aside in names:
        if (directory / current).exists():
            if (directory / aside).exists():
                raise InputError(f"{directory / aside} is in the way of setting the revoked qualification aside: "
                                 "move it elsewhere and run the command again")  # fmt: skip
            rename_durably(directory / current, directory / aside)
    return directory / names[-1][1]


def _write_clr(provider: Provider, book: Logbook, summary: dict[str, Any], qualification: str) -> str:
    """The CLR 2.0 summary of the qualification, signed and written into the logbook."""
    vc_id, now, identity = str(issued_vc(qualification).get("id")), provider.registry.signing_time(), provider.identity
    name = provider.issuer.legal_name or identity.name  # as accredited, else the key store's name
    learner = str(book.enrolment.get("sub"))
    clr = sign_clr(build_clr(book.programme, name, learner, summary, vc_id, now), identity.signing_key,
                   identity.kid, now)  # fmt: skip
    write_bytes_atomic(book.directory / CLR_FILE, (clr + "\n").encode("ascii"))
    return clr


def _clr_again(provider: Provider, book: Logbook, qualification: str) -> Completion:
    summary = issued_vc(qualification).get("credentialSubject", {}).get("logbook")
    if not isinstance(summary, dict):
        raise InputError(f"{book.directory / CREDENTIAL_FILE} is not a logbook qualification")
    from registry.formats.credential import credential_hash

    issued = Issued(load_holder_file(qualification), credential_hash(qualification), -1, -1)
    return Completion(issued, summary, _write_clr(provider, book, summary, qualification))


def issued_vc(token: str) -> dict[str, Any]:
    from registry.formats import jwt

    vc = jwt.parse(token).payload.get("vc")
    return vc if isinstance(vc, dict) else {}


def qualification_of(book: Logbook) -> dict[str, Any] | None:
    """What `share` adds to an extract: the qualification's JWT and the counted entries' proofs."""
    target, tree = book.directory / CREDENTIAL_FILE, book.directory / TREE_NAME
    if not target.exists() or not tree.exists():
        return None
    holder = load_holder_file(target.read_bytes(), str(target))
    data = read_json(tree, str(tree))
    if not isinstance(data, dict) or data.get("format") != TREE_FILE or not isinstance(data.get("proofs"), dict):
        raise InputError(f"{tree} is not a logbook tree file ({TREE_FILE})")
    return {"credential": holder.credential, "proofs": data["proofs"]}


def share(
    book: Logbook, entry_ids: list[str] | None, records: list[str], everything: bool = False
) -> tuple[Extract, str]:
    """The extract `logbook share` writes, and what it holds, said in a line. Once the logbook has
    its qualification, by default the entries it counted (each with its proof against the logbook
    root), so that a verifier sees what the qualification rests on; `entry_ids` or `everything`
    (every anchored entry) show others too, which `logbook verify` reports as not counted."""
    qualification = qualification_of(book)
    counted = set(qualification["proofs"]) if qualification is not None else set()
    if qualification is not None and entry_ids is None and not everything:
        entry_ids = sorted(counted)
    extract = book.share(entry_ids, records)
    shown = len(extract.entries)
    if qualification is None:
        return extract, f"{_entries(shown)} (anchored; no qualification yet)"
    extract.qualification = {**qualification, "proofs": {k: v for k, v in qualification["proofs"].items()
                                                         if k in {f.id for f in extract.entries}}}  # fmt: skip
    anchored = len([f for f in book.entries() if f.anchor is not None])
    others = len([f for f in extract.entries if f.id not in counted])
    if entry_ids is not None and others == 0 and shown == len(counted):
        left = anchored - shown
        return extract, f"the {_entries(shown)} the qualification counted, with their proofs" + (
            f" ({_entries(left)} it did not count left out: --all shares every anchored entry)" if left else ""
        )
    return extract, f"{_entries(shown)}: {shown - others} counted by the qualification, {others} not counted by it"


def _entries(n: int) -> str:
    return f"{n} {'entry' if n == 1 else 'entries'}"


def read_qualification(path: Path) -> str:
    """The qualification's compact JWT from its holder file (or the bare JWT)."""
    from registry.files import MIB, read_capped

    raw = read_capped(path, 4 * MIB, "the qualification")
    token = load_holder_file(raw, str(path)).credential
    summary = issued_vc(token).get("credentialSubject", {})
    if not isinstance(summary, dict) or not isinstance(summary.get("logbook"), dict):  # a mistake, not a verdict
        what = signed_kind(raw) if raw.lstrip()[:1] != b"{" else None
        raise InputError(f"{path} is {what or 'no logbook qualification'}: give the qualification.json "
                         "`registry logbook complete` wrote")  # fmt: skip
    return token
