"""`registry issue`: one credential (`--holder/--name/--out`) or a cohort (`--roster/--out-dir`),
signed and anchored. Everything the command line says is checked before the chain is touched;
the files are written by ops/issuance.py (a cohort through a staging directory, renamed whole)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.options import DeploymentOpt, RpcOpt, holder_did_of, load_identity, parse_until, settings_of, text
from registry.cli.output import out, progress_bar, warn
from registry.config import Settings
from registry.errors import InputError
from registry.i18n import DEFAULT, _, current, ngettext, number
from registry.text import named_did, shown

# What a single credential's command line says, and a roster says in its columns (ops/roster.py).
OccupationOpt = Annotated[
    list[str] | None, typer.Option(help="ESCO occupation as URI=label (repeatable).", callback=text)
]
HolderNameOpt = Annotated[
    str | None, typer.Option(help="The holder's name, written into the credential (never on-chain).", callback=text)
]
HolderDocumentOpt = Annotated[
    str | None,
    typer.Option(
        help="A document reference (e.g. passport number) for the holder, in the credential only.", callback=text
    ),
]
HandoverDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--handover-dir",
        help="Where the keys made for roster rows without a did:key go, one handover file per person and "
        "the sheet of one-time passphrases (default: the --out-dir path with -keys appended).",
    ),
]
CredentialTypeOpt = Annotated[
    list[str] | None,
    typer.Option("--credential-type", help="Extra credential type, e.g. WeldingCertificate.", callback=text),
]
ProfileOpt = Annotated[
    str,
    typer.Option(help="Format: ebsi (W3C VCDM 1.1, as EBSI), vcdm2 (W3C VCDM 2.0) or europass (Europass, ELM 3.2)."),
]
CreditsOpt = Annotated[
    str | None, typer.Option(help="ECTS credit points, e.g. 5 or 7.5 (--profile europass).", callback=text)
]
TranslationOpt = Annotated[
    list[str] | None,
    typer.Option(
        help="The name, description or criteria in another language, as LANG:FIELD=TEXT (fr:name=Soudage MIG/MAG; "
        "repeatable; --profile europass, whose texts are language maps).",
        callback=text,
    ),
]
RosterOpt = Annotated[
    Path | None,
    typer.Option(
        help="A class list, CSV (columns holder, name, and optionally eqf, skills, holder_name, ...) or JSON: a "
        "credential for each, anchored in one transaction."
    ),
]
_SINGLE_ONLY = "--holder/--name/--out/--holder-name/--holder-document/--translation"
AgainOpt = Annotated[
    bool,
    typer.Option(
        "--again",
        help="Issue even to holders this issuer already gave a credential of the same name (not revoked), "
        "as its records in this home show.",
    ),
]


def issue(
    ctx: typer.Context,
    issuer: Annotated[str, typer.Option(help="Issuer identity name.")],
    holder: Annotated[
        str | None, typer.Option(help="Holder DID (did:key) or identity name (single credential).", callback=text)
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Name of the qualification or skill (single credential).", callback=text)
    ] = None,
    output: Annotated[Path | None, typer.Option("--out", help="Where to write the holder's credential file.")] = None,
    roster: RosterOpt = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out-dir", help="Directory for a cohort's credential files.")
    ] = None,
    handover_dir: HandoverDirOpt = None,
    description: Annotated[str, typer.Option(help="What the holder achieved.", callback=text)] = "",
    criteria: Annotated[str, typer.Option(help="How it was assessed.", callback=text)] = "",
    achievement_type: Annotated[
        str, typer.Option("--type", help="The kind of achievement (Open Badges achievementType).", callback=text)
    ] = "Certificate",
    skill: Annotated[
        list[str] | None,
        typer.Option(help="A skill from ESCO, the EU's classification, as URI=label (repeatable).", callback=text),
    ] = None,
    eqf: Annotated[int | None, typer.Option(help="EQF level 1-8.")] = None,
    occupation: OccupationOpt = None,
    holder_name: HolderNameOpt = None,
    holder_document: HolderDocumentOpt = None,
    credential_type: CredentialTypeOpt = None,
    profile: ProfileOpt = "ebsi",
    credits: CreditsOpt = None,
    translation: TranslationOpt = None,
    valid_until: Annotated[str | None, typer.Option(help="Expiry (a date includes that whole day, UTC).")] = None,
    again: AgainOpt = False,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Issue skills credentials, anchored on-chain: one person's (--holder, --name, --out) or a class's.

    A class (a cohort): --roster and --out-dir, in one transaction. Skills and occupations: ESCO (the EU's list)."""
    settings = settings_of(ctx, rpc, deployment)
    extra_types, until = tuple(credential_type or ()), parse_until(valid_until)
    _check_profile(profile, credits, extra_types, bool(translation))
    if roster is not None:
        if holder or name or output or holder_name or holder_document or translation:
            raise InputError(f"--roster issues a cohort: use --out-dir, not {_SINGLE_ONLY} (the roster has columns)")
        if out_dir is None:
            raise InputError("--roster needs --out-dir for the holders' credential files")
        dirs = (out_dir, handover_dir or out_dir.with_name(out_dir.name + "-keys"))
        _issue_cohort(settings, issuer, roster, dirs, extra_types, until, (profile, again))
        return
    holder, name, output = _single_needs(holder, name, output, holder_name)
    _check_output(output)
    holder_did = holder_did_of(settings, holder)
    achievement = _achievement(name, description, criteria, achievement_type, skill or [], eqf)
    achievement = _with_holder(achievement, occupation or [], holder_name, holder_document, credits)
    achievement = _translated(achievement, translation or [])
    _not_given_before(settings, issuer, [(holder_did, achievement)], again)
    _issue_single(settings, issuer, holder_did, achievement, output, extra_types, until, profile)


def _check_output(output: Path) -> None:
    """A single credential's file: new, in a directory that exists."""
    if output.exists():
        raise InputError(f"{output} already exists; not overwriting it")
    if not output.parent.is_dir():
        raise InputError(f"the directory {output.parent} does not exist")


# Why translations need the europass profile: said for --translation and for a roster's columns.
_ONE_LANGUAGE = (
    "goes only into europass credentials (ELM language maps): Open Badges 3.0, which the ebsi and vcdm2 profiles "
    "write, holds each text in one language; add --profile europass"
)


def _check_profile(profile: str, credits: str | None, extra_types: tuple[str, ...], translated: bool) -> None:
    """What only one profile can say, refused for the others before the chain is touched."""
    from registry.ops.issuance import PROFILES

    if profile not in PROFILES:
        raise InputError(f"--profile must be one of {', '.join(PROFILES)}, not {profile[:20]!r}")
    if credits is not None and profile != "europass":
        raise InputError("--credits (ECTS points) goes only into europass credentials: add --profile europass")
    if translated and profile != "europass":
        raise InputError(f"--translation {_ONE_LANGUAGE}")
    if extra_types and profile == "europass":
        raise InputError("ELM fixes a europass credential's types: leave out --credential-type")


def _achievement(
    name: str, description: str, criteria: str, achievement_type: str, skills: list[str], eqf: int | None
) -> Any:
    """The achievement the command line describes, refused (a bad skill URI or EQF level) before
    the chain is touched."""
    from registry.formats.credential import Achievement, Skill

    parsed = [Skill(uri, label) for uri, label in _labelled("--skill", skills)]
    achievement = Achievement(
        name=name,
        description=description or name,
        criteria=criteria or "Assessed by the issuer.",
        achievement_type=achievement_type,
        skills=tuple(parsed),
        eqf_level=eqf,
    )
    achievement.to_json()
    return achievement


def _labelled(option: str, entries: list[str]) -> list[tuple[str, str]]:
    """`URI=label` values of a repeatable option, each with a label, as (uri, label) pairs."""
    pairs = []
    for entry in entries:
        uri, sep, label = entry.partition("=")
        if not sep or not label.strip():
            raise InputError(f"{option} must be URI=label (with a label), not {entry[:60]!r}")
        pairs.append((uri, label))
    return pairs


def _with_holder(
    achievement: Any, occupations: list[str], name: str | None, document: str | None, credits: str | None
) -> Any:
    """The achievement with its ESCO occupations, the holder's name and document reference, and
    its ECTS credit points (europass)."""
    from dataclasses import replace

    from registry.formats.credential import Occupation
    from registry.formats.europass import check_credits

    parsed = [Occupation(uri, label) for uri, label in _labelled("--occupation", occupations)]
    achievement = replace(
        achievement,
        occupations=tuple(parsed),
        holder_name=name or None,
        holder_document=document or None,
        credits=check_credits(credits) if credits is not None else None,
    )
    achievement.to_json()
    return achievement


def _translated(achievement: Any, values: list[str]) -> Any:
    """The achievement with its texts in more languages, each `LANG:FIELD=TEXT`."""
    from dataclasses import replace

    from registry.formats.credential import translation

    found = []
    for value in values:
        head, sep, words = value.partition("=")
        language, colon, field = head.partition(":")
        if not sep or not colon:
            raise InputError(f"--translation must be LANG:FIELD=TEXT (fr:name=Soudage), not {value[:60]!r}")
        found.append(translation(language.strip(), field.strip(), words, "--translation"))
    return replace(achievement, translations=tuple(found))


def _single_needs(
    holder: str | None, name: str | None, output: Path | None, holder_name: str | None
) -> tuple[str, str, Path]:
    """A single credential's options, all given: a person named without her did:key is told how she gets one."""
    if holder_name and not holder:
        raise InputError(
            f"--holder-name {shown(holder_name[:60])} without --holder: give her did:key too (she reads it with "
            "`registry wallet create` or `identity show NAME --did`), or, for a person without one, issue with "
            "--roster: a row with only her holder_name gets a key made for her and handed over"
        )
    if not (holder and name and output):
        raise InputError("a single credential needs --holder, --name and --out (or use --roster)")
    return holder, name, output


def _issue_single(
    settings: Settings, issuer: str, holder_did: str, achievement: Any, output: Path, extra_types: tuple[str, ...],
    until: int | None, profile: str,
) -> None:  # fmt: skip
    from registry.ops.issuance import Issuer
    from registry.ops.registry import Registry

    registry = Registry.connect(settings)
    issuer_identity = load_identity(settings, issuer)
    issuer_ops = Issuer(registry, issuer_identity, settings, profile)
    issuer_ops.check_can_issue(holder_did, achievement, valid_until=until, extra_types=extra_types)
    issued = issuer_ops.issue_single(holder_did, achievement, valid_until=until, extra_types=extra_types, out=output)
    receipt = issued.receipt or {}
    from registry.ops.issued import record_issued

    record_issued(settings.home, issuer_identity, [(issued.holder_file, str(output))], receipt.get("blockNumber"))
    holder = named_did(holder_did, achievement.holder_name)
    said = _("issued {name} by {issuer} to {holder}").format(
        name=shown(repr(achievement.name)), issuer=shown(_issuer_label(issuer_ops)), holder=holder
    )
    anchored = _("hash {hash} anchored in block {block} ({gas} gas)").format(
        hash=f"0x{issued.credential_hash.hex()}", block=receipt.get("blockNumber"), gas=receipt.get("gasUsed")
    )
    where = _("credential file (yours alone to read until you hand it to her): {file}").format(file=shown(output))
    out.print(f"{said}\n  {anchored}\n  {where}")


def _issue_cohort(
    settings: Settings, issuer: str, roster: Path, dirs: tuple[Path, Path], extra_types: tuple[str, ...],
    until: int | None, how: tuple[str, bool],
) -> None:  # fmt: skip

    from registry.ops.issuance import Issuer
    from registry.ops.people import check_handover_dir, make_people, write_handovers
    from registry.ops.registry import Registry
    from registry.ops.roster import check_out_dir, file_names, load_roster, roster_delimiter

    out_dir, keys_dir = dirs
    profile, again = how
    entries = load_roster(roster, lambda h: holder_did_of(settings, h))
    check_out_dir(out_dir)
    _not_given_before(settings, issuer, entries, again)
    entries, people = make_people(entries)
    if people:
        check_handover_dir(keys_dir)
    registry = Registry.connect(settings)
    identity = load_identity(settings, issuer)
    issuer_ops = Issuer(registry, identity, settings, profile)
    if not entries:
        raise InputError(f"roster {roster} names nobody")
    if profile != "europass" and any(achievement.credits for _, achievement in entries):
        raise InputError("the roster's credits column goes only into europass credentials: add --profile europass")
    if profile != "europass" and any(achievement.translations for _, achievement in entries):
        raise InputError(f"the roster's translated columns (name@fr ...): each {_ONE_LANGUAGE}")
    # What is checked (expiry, key, accreditation for the types) is the same for every row.
    issuer_ops.check_can_issue(*entries[0], valid_until=until, extra_types=extra_types)
    if people:  # kept before anything is issued to them: no credential for a key that was not kept
        with progress_bar(f"making keys for {len(people)} people", len(people), hidden=len(people) < 2) as made:
            write_handovers(settings.home, people, keys_dir, progress=made, delimiter=roster_delimiter(roster))
    names = file_names(entries)
    try:
        with progress_bar(f"signing {len(entries)} credentials", len(entries), hidden=False) as signed:
            cohort = issuer_ops.issue_cohort(
                entries, valid_until=until, extra_types=extra_types, progress=signed, out_dir=out_dir, file_names=names
            )
    except BaseException:
        if people:  # kept: `journal status` says whether the cohort was anchored after all
            warn(f"the keys made for this roster stay in {keys_dir}; see `registry journal status` before a rerun")
        raise
    _cohort_done(settings, identity, cohort, [str(out_dir / name) for name in names], out_dir)
    if people:
        who = "1 person" if len(people) == 1 else f"{len(people)} people"
        out.print(
            f"  made keys for {who} without one: a handover file each, and their "
            f"one-time passphrases in {shown(keys_dir)}; print the sheet, give each person her file and her "
            "passphrase, then delete the sheet"
        )


def _not_given_before(settings: Settings, issuer: str, entries: list[tuple[str, Any]], again: bool) -> None:
    """Refuse, before anything is signed, to give a holder again a credential this issuer gave her
    (by name) and did not revoke: a command run twice would give everyone a second credential, and
    a person without a did:key a second key. `--again` says it is meant."""
    if again:
        return
    from registry.formats.credential import iso
    from registry.ops.issued import given_before

    wanted = [(did, achievement.holder_name, achievement.name) for did, achievement in entries]
    try:
        found = given_before(settings.home, issuer, wanted)
    except InputError as exc:  # a damaged record must not stop the centre issuing: said, and passed
        warn(f"not checked whether these holders were given it before: {exc}")
        return
    if not found:
        return
    first = found[0]
    who = named_did(first.holder, first.holder_name)
    where = f", {first.file}" if first.file else ""
    others = f"; so do {len(found) - 1} more on this roster" if len(found) > 1 else ""
    raise InputError(
        f"{who} already holds {first.achievement!r} from {issuer} (issued {iso(first.issued)[:10]}{where}){others}: "
        f"`registry issued --issuer {issuer}` lists what it issued; to issue again anyway, add --again "
        "(a credential with a mistake: revoke it first)"
    )


def _issuer_label(issuer_ops: Any) -> str:
    """The issuer as its accreditation names it (read by `check_can_issue`), with the local identity's
    name; the identity's name alone where the accreditation gives none."""
    name, legal = issuer_ops.identity.name, issuer_ops.legal_name
    return f"{legal} ({name})" if legal and legal != name else name


def _cohort_done(settings: Settings, identity: Any, cohort: Any, paths: list[str], out_dir: Path) -> None:
    from registry.ops.issued import record_issued

    block = cohort.receipt["blockNumber"]
    record_issued(settings.home, identity, list(zip(cohort.holder_files, paths, strict=True)), block)
    gas = int(cohort.receipt["gasUsed"])
    size = len(cohort.holder_files)
    credentials = ngettext("{n} credential", "{n} credentials", size).format(n=size)
    said = _("issued {credentials}; cohort root {root} anchored in block {block} ({gas} gas, {each} per credential)")
    where = _("credential files (each with its Merkle proof; yours alone to read until you hand them over): {dir}")
    each = number(round(gas / size, 1)) if current() != DEFAULT else f"{gas / size:.1f}"  # 15570,3 in French
    said = said.format(credentials=credentials, root=f"0x{cohort.root.hex()}", block=block, gas=gas, each=each)
    out.print(f"{said}\n  {where.format(dir=shown(out_dir))}")
