"""`registry logbook ...`: a learner's logbook (issue #16, first cut): enrol, add and sign entries
(offline, as files), anchor a day's entries, revoke one, show progress, share and verify an extract.
The work is in registry/ops/logbook/."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.commands.programme import read_token
from registry.cli.options import (
    DeploymentOpt,
    IssuerOpt,
    ReasonWordOpt,
    RpcOpt,
    TrustListOpt,
    holder_did_of,
    load_identity,
    settings_of,
    text,
    verdict_settings,
)
from registry.cli.output import count, out, warn, write_json
from registry.errors import InputError
from registry.text import named_did, shown

app = typer.Typer(help="Skills logbooks: a learner records her work, her supervisor countersigns, the provider "
                  "anchors.\n\nAnchoring puts an entry's hash on-chain: proof of its date, and that nothing changed.",
                  no_args_is_help=True)  # fmt: skip
DirArg = Annotated[Path, typer.Argument(metavar="DIR", help="The logbook directory.")]
RECORD_HELP = ("A supervisor's for-cause revocation record (`supervisor revoke --record`): her sign-offs from its "
               "date do not count (repeatable).")  # fmt: skip
RecordOpt = Annotated[list[Path] | None, typer.Option(help=RECORD_HELP)]
FromWalletOpt = Annotated[bool, typer.Option("--from-wallet", help="Sign with your wallet's key.")]
WalletOpt = Annotated[Path | None, typer.Option("--wallet", help="The wallet directory (default <home>/wallet).")]


def _person(ctx: typer.Context, name: str | None, from_wallet: bool, wallet: Path | None, did: str) -> Any:
    """The signing person: an identity of the key store (`name`), or the key for `did` in her wallet."""
    from registry.cli.commands.wallet import wallet_of, wallet_passphrase

    if (name is None) == (not from_wallet):
        raise InputError("say whose key signs: an identity name, or --from-wallet")
    if name is not None:
        return load_identity(settings_of(ctx), name)
    return wallet_of(ctx, wallet).identity_for(did, wallet_passphrase())


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
CHECK_HELP = "Check each anchored entry on the chain: revoked or not valid ones are left out of the hours met."


def _provider(ctx: typer.Context, issuer: str, rpc: list[str] | None, deployment: Path | None) -> Any:
    from registry.ops.logbook import Provider
    from registry.ops.registry import Registry

    settings = settings_of(ctx, rpc, deployment)
    return Provider(Registry.connect(settings), load_identity(settings, issuer), settings)


@app.command("enrol")
def enrol(
    ctx: typer.Context,
    learner: Annotated[str, typer.Argument(help="The learner's did:key (from her wallet) or a local identity name.")],
    programme: Annotated[Path, typer.Option(help="The programme file (from `programme publish`).")],
    issuer: IssuerOpt,
    directory: Annotated[Path, typer.Option("--dir", help="The new logbook's directory.")],
    learner_name: Annotated[
        str | None, typer.Option(help="Her name, in the enrolment (never on-chain); verifiers see it.", callback=text)
    ] = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Enrol a learner in a programme: an anchored enrolment that opens her logbook."""
    from registry.ops.logbook.book import enrol_into

    did = holder_did_of(settings_of(ctx, rpc, deployment), learner)
    token = read_token(programme, "the programme")
    provider = _provider(ctx, issuer, rpc, deployment)
    locator = provider.registry.deployment.locator(settings_of(ctx, rpc, deployment).public_service)
    book, done = enrol_into(provider, directory, token, did, learner_name, locator.to_json() if locator else None)
    what = {None: "", True: " (anchored now: a run had stopped before its anchor)", False: " (already: nothing to do)"}
    name = book.enrolment.get("name") or (None if learner.startswith("did:") else learner)  # as she is known
    whom = named_did(did, name if isinstance(name, str) else None)
    out.print(f"enrolled {whom} in {shown(book.programme.title)} ({shown(book.programme.ref)}): logbook {book.id} "
              f"in {directory}{what[done]}")  # fmt: skip


@app.command("add")
def add(
    ctx: typer.Context,
    directory: DirArg,
    date: Annotated[str, typer.Option(help="The day of the work: YYYY-MM-DD, 2 March 2026, today...", callback=text)],
    unit: Annotated[str, typer.Option(help="The programme unit's id.", callback=text)],
    activity: Annotated[str, typer.Option(help="What was done.", callback=text)],
    hours: Annotated[str, typer.Option(help="Hours of work (2.5 or 2,5).", callback=text)],
    workplace: Annotated[str, typer.Option(help="Where the work was done.", callback=text)],
    evidence: Annotated[Path | None, typer.Option(help="Evidence (a photo, say); the entry holds its hash.")] = None,
    learner: Annotated[str | None, typer.Option(help="The learner's identity name (her key signs).")] = None,
    from_wallet: FromWalletOpt = False,
    wallet: WalletOpt = None,
) -> None:
    """Record a day's work as a new entry, signed by the learner (no network needed).

    Her key: --learner NAME (an identity of this home) or --from-wallet. Her supervisor then countersigns it."""
    from registry.files import MIB, read_capped
    from registry.ops.logbook import Logbook

    book = Logbook(directory)
    kept = read_capped(evidence, 64 * MIB, f"the evidence {evidence}") if evidence is not None else None
    identity = _person(ctx, learner, from_wallet, wallet, str(book.enrolment.get("sub")))
    from registry.cli.commands.logbook_input import day_of, hours_of

    date = day_of(date)
    fields = {"date": date, "unit": unit, "activity": activity, "hours": hours_of(hours), "workplace": workplace}
    now = int(time.time())
    entry = book.add(identity, fields, kept, now)
    from registry.i18n import _

    # The learner's command: in her language (`registry --lang`).
    out.print(_("entry {id} written to {file}").format(id=entry.id, file=shown(book.path_of(entry))))
    if book.before_enrolment(date):  # learning before the programme: said now, while RPL can still be asked for
        early = _("{date} is before your enrolment in this programme ({enrolled}): the entry never counts towards "
                  "its completion (learning before it is recognised through RPL: ask your provider)")  # fmt: skip
        warn(early.format(date=date, enrolled=book.enrolled))
    elif book.backdated(date, now):  # said now, while she can still ask her provider about it
        late = _("{date} is more than the programme's {days} days back: verifiers will report the entry as "
                 "backdated, and it never counts towards completion")  # fmt: skip
        warn(late.format(date=date, days=book.programme.backdating_days))


@app.command("sign")
def sign(
    ctx: typer.Context,
    entries: Annotated[list[Path], typer.Argument(metavar="ENTRY", help="Entry files to countersign.")],
    authorisation: Annotated[Path, typer.Option(help="Her authorisation file (`supervisor authorise`).")],
    signer: Annotated[str | None, typer.Option("--signer", help="The signer's identity name.")] = None,
    from_wallet: FromWalletOpt = False,
    wallet: WalletOpt = None,
    programme: Annotated[
        Path | None, typer.Option(help="The programme file, to check each unit's role outside a logbook directory.")
    ] = None,
) -> None:
    """Countersign learners' entries as an authorised supervisor or assessor (no network needed).

    Only the units her role signs off: as the logbook's programme says, else --programme, else her authorisation's."""
    from registry.durable import write_json_atomic
    from registry.ops.logbook.book import countersign_files, load_entry
    from registry.ops.logbook.provider import programme_of

    token = read_token(authorisation, "the authorisation")
    given = programme_of(read_token(programme, "the programme")) if programme is not None else None
    files = [(path, _enrolled(path, load_entry(path))) for path in entries]  # all read before any is changed
    from registry.formats.logbook import signed_by

    claims = signed_by(token, "supervisor-authorisation+jwt").payload
    named = claims.get("vc", {}).get("credentialSubject", {}) if isinstance(claims.get("vc"), dict) else {}
    if given is not None and given.ref != named.get("programme"):
        raise InputError(f"the programme given is {given.ref}; the authorisation is for {named.get('programme')}")
    identity = _person(ctx, signer, from_wallet, wallet, str(claims.get("sub")))
    if claims.get("sub") != identity.did:
        raise InputError(f"the authorisation given is not {identity.name}'s")
    signed, done, others = countersign_files(
        files, identity, token, int(time.time()), lambda p: _programme_of(p) or given
    )
    for path, f in signed:
        write_json_atomic(path, f.to_json())
    from registry.cli.commands.logbook_report import print_signed

    print_signed(len(signed), len(done), others)


def _enrolled(path: Path, entry: Any) -> Any:
    """The entry with the enrolment of the logbook it sits in, when it carries none (read, never written:
    a countersigned file carries none), so that `logbook sign` checks who enrolled its learner."""
    from dataclasses import replace

    from registry.ops.logbook import Logbook

    book = path.resolve().parent.parent
    if entry.enrolment is not None or not (book / "logbook.json").is_file():
        return entry
    return replace(entry, enrolment=Logbook(book).enrolment_token)


def _programme_of(entry: Path) -> Any:
    """The programme of the logbook an entry file sits in (<book>/entries/<name>.json), None elsewhere."""
    from registry.ops.logbook import Logbook

    book = entry.resolve().parent.parent
    return Logbook(book).programme if (book / "logbook.json").is_file() else None


@app.command("anchor")
def anchor(
    ctx: typer.Context,
    directories: Annotated[list[Path], typer.Argument(metavar="DIR", help="The logbook directories to anchor.")],
    issuer: IssuerOpt,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Anchor every countersigned entry not anchored yet, of all these logbooks, in one transaction.

    What a stopped run left is finished first; a second run at once waits, then finds the entries anchored."""
    from registry.ops.logbook import Logbook
    from registry.ops.logbook.days import anchor_logbooks

    books = [Logbook(d) for d in directories]  # each directory checked before the chain is asked
    done = anchor_logbooks(_provider(ctx, issuer, rpc, deployment).issuer, books)
    if done.waiting:
        out.print(f"{count(done.waiting, 'entry')} wait for the root of an earlier run, pending in the journal: "
                  "`registry journal status` says why")  # fmt: skip
    if done.root is not None:
        out.print(f"anchored {count(done.anchored, 'entry')} of {count(len(books), 'logbook')} under root "
                  f"0x{done.root.hex()}")  # fmt: skip
    if done.ahead:  # anchored before their day, they would be dated after their anchor: never valid
        out.print(f"{count(done.ahead, 'entry')} dated after today (UTC, the chain's day) left for an anchor on or "
                  "after that day: run `logbook anchor` again then")  # fmt: skip
    elif done.root is None and not done.waiting:  # nothing to do is not a failure: the evening's run may find it done
        if not done.entries:
            out.print("nothing to anchor: these logbooks have no entries yet")
        else:
            unsigned = f" ({count(done.unsigned, 'entry')} not countersigned yet)" if done.unsigned else ""
            out.print(f"nothing to anchor: every countersigned entry is already anchored{unsigned}")


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    entry: Annotated[Path, typer.Argument(help="The entry file.")],
    issuer: IssuerOpt,
    reason: ReasonWordOpt = "0",
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Revoke one anchored entry (a fraudulent sign-off, say): verifiers then see it revoked."""
    from registry.ops.inputs import reason_code
    from registry.ops.logbook.book import load_entry
    from registry.ops.registry import REASONS

    if (code := reason_code(reason)) not in REASONS:
        raise InputError(f"--reason must be one of {', '.join(map(str, REASONS))}")
    f = load_entry(entry)
    already = _provider(ctx, issuer, rpc, deployment).revoke_entry(f, code)
    if already is not None:  # recorded once, never overwritten: as `registry revoke` says it
        out.print(f"unchanged: {entry} is {already}")
        return
    out.print(f"revoked entry {entry} ({REASONS[code]})")


@app.command("show")
def show(
    ctx: typer.Context,
    directory: DirArg,
    as_json: JsonOpt = False,
    check: Annotated[bool, typer.Option("--check", help=CHECK_HELP)] = False,
    record: RecordOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Progress against the programme: hours countersigned and anchored per unit, what is missing.

    From the files alone, unless --check: then each anchored entry is checked on the chain, and one
    revoked, not valid or that could not be checked is left out of the hours met (exit 1 when the
    logbook is not valid, 2 when it could not be checked)."""
    from registry.cli.commands.logbook_show import show_progress

    show_progress(ctx, directory, as_json, (check, [read_token(p, "the revocation record") for p in record or []]),
                  (rpc, deployment))  # fmt: skip


@app.command("complete")
def complete(
    ctx: typer.Context,
    directory: DirArg,
    issuer: IssuerOpt,
    record: RecordOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Issue the qualification (and a CLR 2.0 transcript of what it counts) once the logbook meets the standard."""
    from registry.ops.logbook import Logbook
    from registry.ops.logbook.completion import CLR_FILE, CREDENTIAL_FILE, complete

    book = Logbook(directory)
    records = [read_token(p, "the revocation record") for p in record or []]
    from registry.ops.issued import holder_of, record_issued

    provider = _provider(ctx, issuer, rpc, deployment)
    done = complete(provider, book, records)
    target = book.directory / CREDENTIAL_FILE  # into the provider's records, as `issue` does (`registry issued`)
    record_issued(settings_of(ctx, rpc, deployment).home, provider.identity, [(done.issued.holder_file, str(target))],
                  (done.issued.receipt or {}).get("blockNumber"))  # fmt: skip
    from registry.cli.commands.logbook_report import print_completed

    print_completed(done, book, holder_of(done.issued.holder_file.credential), (target, book.directory / CLR_FILE))


@app.command("share")
def share(
    directory: DirArg,
    output: Annotated[Path, typer.Option("--out", help="Where to write the extract.")],
    entry: Annotated[
        list[str] | None,
        typer.Option(
            help="An entry to share: its file, or its id (repeatable; default: those the qualification "
            "counted, else all)."
        ),
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Every anchored entry, counted or not.")] = False,
    record: Annotated[list[Path] | None, typer.Option(help="A revocation record to include (repeatable).")] = None,
) -> None:
    """Write an extract of anchored entries, with their proofs, for a verifier (`logbook verify`).

    Once the logbook is complete: the entries its qualification counted, and the qualification; else every
    anchored entry. --entry or --all choose otherwise."""
    from registry.durable import write_json_atomic
    from registry.ops.logbook import Logbook
    from registry.ops.logbook.completion import share as share_of

    if output.exists():
        raise InputError(f"{output} already exists; not overwriting it")
    if entry and everything:
        raise InputError("give --entry ID or --all, not both")
    records = [read_token(p, "the revocation record") for p in record or []]
    extract, what = share_of(Logbook(directory), entry, records, everything)
    write_json_atomic(output, extract.to_json())
    out.print(f"shared {shown(what)} in {output}")


@app.command("verify")
def verify(
    ctx: typer.Context,
    extract: Annotated[Path, typer.Argument(help="The extract (from `logbook share`).")],
    record: RecordOpt = None,
    qualification: Annotated[
        Path | None, typer.Option(help="The qualification to check the entries against (default: the extract's).")
    ] = None,
    as_json: JsonOpt = False,
    trust_list: TrustListOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Check each entry of an extract (`logbook share`): signed, countersigned, anchored, not revoked.

    Exit 0 all valid, 1 any not valid or revoked, 2 could not determine, 64 a file named is not there,
    unreadable, or not what it is given as (the CLR summary for the extract or the qualification...)."""
    from registry.cli.commands.logbook_show import registry_of
    from registry.cli.exits import EXIT_FAILURE, EXIT_OK, EXIT_UNDETERMINED, arguments
    from registry.errors import ChainUnavailable, ConfigError
    from registry.ops.inputs import trust_lists
    from registry.ops.logbook import load_extract, verify_extract

    settings = verdict_settings(ctx, rpc, deployment)
    with arguments():  # a file that is not there is a usage error (64), never a verdict
        shared = load_extract(extract)
        records = [read_token(p, "the revocation record") for p in record or []]
        roots = trust_lists(trust_list, settings)  # --trust-list, else the verifier's default
        given = None
        if qualification is not None:
            from registry.ops.logbook.completion import read_qualification

            proofs = shared.qualification["proofs"] if shared.qualification is not None else {}
            given = {"credential": read_qualification(qualification), "proofs": proofs}
    try:
        registry, located = registry_of(settings, shared, extract)
    except ConfigError as exc:  # no (usable) deployment: the registry could not be used, so could not determine
        raise ChainUnavailable(str(exc)) from exc
    if located is not None and roots is not None:
        roots = roots.for_registry(located)  # a root counts there only where the list pins it, as `registry verify`
    # No trust list at all: the provider's root is one nobody said they trust, as `registry verify` says.
    report = verify_extract(registry, shared, records, roots, given, require_trusted_root=True)
    if as_json:
        write_json(report.to_json())
    else:
        from registry.cli.commands.logbook_report import print_report

        print_report(report)
    codes = {"valid": EXIT_OK, "could not determine": EXIT_UNDETERMINED}
    raise typer.Exit(codes.get(report.verdict, EXIT_FAILURE))
