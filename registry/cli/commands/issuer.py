"""`registry issuer check`: walk an issuer's accreditation chain to its Root TAO.

A verdict command: exit 0 trusted, 1 not, 2 could not determine, 64 for a command line that is
wrong (registry/cli/exits.py). The service's issuer check answers through the same function
(`evaluate_at`), so the two cannot disagree."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

import typer

from registry.cli.details import plain
from registry.cli.exits import EXIT_FAILURE, EXIT_OK, EXIT_UNDETERMINED, arguments, view_calls
from registry.cli.options import (
    AT_HELP,
    DeploymentOpt,
    RpcOpt,
    TrustListOpt,
    did_of,
    parse_at,
    settings_of,
    verdict_settings,
)
from registry.cli.output import SYMBOL, out, shorten_dids, write_json
from registry.errors import ConfigError, DeploymentMismatch, InputError, KeyStoreError
from registry.formats.credential import iso
from registry.text import markup, short_attribute, short_did

app = typer.Typer(help="Is an issuer (a training centre) accredited, and since when?", no_args_is_help=True)


@app.command("check")
def issuer_check(
    ctx: typer.Context,
    did: Annotated[str, typer.Argument(help="The issuer's DID (or a local identity name).")],
    at: Annotated[
        str | None,
        typer.Option(help=f"Check as of this date/time (default now; {AT_HELP})."),
    ] = None,
    trust_list: TrustListOpt = None,
    credential_type: Annotated[
        list[str] | None, typer.Option("--type", help="Require accreditation for this credential type.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Check that an issuer is accredited, through every accreditor up to a root on your trust list.

    Exit 0 trusted, 1 not trusted, 2 could not determine (no answer from the chain, or no trust list:
    the chain found is shown, and how to give a list), 64 when the command line is wrong. Reads your
    deployment, else the registry your trust list pins its roots to."""
    from registry.chain.client import read_deadline
    from registry.ops.inputs import trust_lists
    from registry.ops.locate import connect_for_issuer
    from registry.ops.trust import Trust, evaluate_at, note_registered, without_trust_list
    from registry.ops.trust.scope import asked_need
    from registry.ops.trust.trustlist import no_list_hint

    settings = verdict_settings(ctx, rpc, deployment)
    with arguments(KeyStoreError):  # an issuer named wrongly is a usage error (64), never "not trusted"
        target = _issuer_did(settings, did)
        roots = trust_lists(trust_list, settings)  # --trust-list, else the verifier's default
        when = parse_at(at)
        need = asked_need(credential_type)
    # Every chain read of the check ends within the read deadline (REGISTRY_READ_DEADLINE).
    with read_deadline(settings.read_deadline_s, "read deadline (REGISTRY_READ_DEADLINE)"), view_calls():
        try:
            registry, roots = connect_for_issuer(settings, roots)
        except ConfigError as exc:  # no usable deployment file: the question cannot be answered here
            raise DeploymentMismatch(str(exc)) from exc
        chain = Trust(registry, settings.public_url).fetch([target])[target]
        head = registry.block_timestamp()
        report = evaluate_at(chain, when, head, roots, need, registry.client.syncing)
        note_registered(report, lambda did: registry.resolve(did).registered)
    # No trust list: a chain that holds is "could not determine" (2), never trusted nor refused.
    hint = roots is None and without_trust_list(report, no_list_hint(str(report.root)))
    if as_json:
        write_json(report.to_json())
    else:
        from registry.ops.trust import legal_names

        _print_trust(target, report, known_names(settings, roots, legal_names(chain)), hint)
    raise typer.Exit(EXIT_UNDETERMINED if report.undetermined else EXIT_OK if report.ok else EXIT_FAILURE)


def _issuer_did(settings: Any, value: str) -> str:
    """The issuer asked about: a DID, or an identity of this home's (an issuer checking itself). A
    verifier has no identity of the issuer's: a name that is neither says what to give, not to make one."""
    try:
        return did_of(settings, value)
    except KeyStoreError as exc:
        if not str(exc).startswith("no identity named"):
            raise
        raise InputError(
            f"{value[:80]!r} is neither a DID nor an identity of this home: give the issuer's DID (did:ebsi:…, as "
            "`registry verify` prints it beside the issuer's name)"
        ) from exc


def _print_trust(target: str, report: Any, names: dict[str, str], no_list: bool = False) -> None:
    """The verdict line naming the issuer (its legal name, as its accreditation states it, or the
    local identity's or the trust list's name), then each link of its chain, then the notes (`no_list`:
    there is no trust list, so the chain found is shown under NO TRUST LIST); DIDs shortened; in the
    language of the run (registry/i18n/trustwords.py)."""
    from registry.i18n import _
    from registry.i18n.trustwords import (
        NO_LIST_VERDICT,
        NO_TRUST_LIST,
        UNDETERMINED,
        VERDICTS,
        kind_word,
        link_message,
        summary,
        undetermined,
    )
    from registry.i18n.trustwords import note as note_words

    for link in report.path:  # the legal name each link's accreditation states
        if isinstance(name := link.evidence.get("name"), str):
            names.setdefault(link.did, name)
    who = f"[bold]{_who(target, names)}[/]"
    if report.undetermined:
        why = undetermined(report.summary.removeprefix("could not determine: "))
        word = markup(_(NO_LIST_VERDICT if no_list else UNDETERMINED))
        verdict, line = f"[bold yellow]{word}[/]", markup(shorten_dids(why))
    else:
        word = markup(_(VERDICTS[bool(report.ok)]))
        verdict = f"[bold {'green' if report.ok else 'red'}]{word}[/]"
        line = markup(shorten_dids(summary(report.summary)))
    out.print(_("{who}: {verdict} — {summary}").format(who=who, verdict=verdict, summary=line), markup=True)
    if report.undetermined and not no_list:
        return
    for link in report.path:
        symbol = SYMBOL["pass" if link.ok else "fail"]
        message = markup(shorten_dids(link_message(link.message)))
        kind, who = markup(kind_word(link.issuer_type)), _who(link.did, names)
        said = _("{kind} {who}: {message}").format(kind=kind, who=who, message=message)
        out.print(f"  {symbol} {said}", markup=True)
        if by := _accredited_by(link, names):
            out.print(f"      [dim]{by}[/]", markup=True)
    for note in [*report.notes, *([NO_TRUST_LIST] if no_list else [])]:
        noted = _("note: {note}").format(note=markup(shorten_dids(note_words(note))))
        out.print(f"  [dim]{noted}[/]", markup=True)


def _accredited_by(link: Any, names: dict[str, str]) -> str:
    """Who accredited a link, for what and how long (a Root TAO signs its own onboarding: the
    registry's governance onboarded it), as markup."""
    from registry.i18n import _

    by, scopes = link.evidence.get("accreditedBy"), link.evidence.get("scopes")
    if not by and not scopes:
        return ""
    fields = {"scopes": markup(plain(scopes)), "start": markup(str(link.evidence.get("validFrom"))),
              "end": markup(str(link.evidence.get("validUntil")))}  # fmt: skip
    if link.issuer_type == "RootTAO" and by == link.did:
        return _("onboarded by the registry's governance; scope {scopes}; valid {start} to {end}").format(**fields)
    parent = _who(by, names) if isinstance(by, str) else markup(str(by))
    return _("accredited by {parent}; scope {scopes}; valid {start} to {end}").format(parent=parent, **fields)


@app.command("history")
def issuer_history(
    ctx: typer.Context,
    did: Annotated[str, typer.Argument(help="The issuer's DID (or a local identity name).")],
    trust_list: TrustListOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the history as JSON (DIDs whole).")] = False,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Every accreditation the issuer holds and every change to it: when, by whom, and why.

    Reads your deployment, else the registry your trust list pins its roots to."""
    from registry.ops.inputs import trust_lists
    from registry.ops.locate import connect_for_issuer
    from registry.ops.registry import did_hash
    from registry.ops.trust import Trust, accreditation_history, legal_names

    settings = settings_of(ctx, rpc, deployment)
    with arguments(KeyStoreError):  # a DID mistyped or an issuer named wrongly: a usage error (64)
        target = _issuer_did(settings, did)
    registry, roots = connect_for_issuer(settings, trust_lists(trust_list, settings))
    chain = Trust(registry, settings.public_url).fetch([target])[target]
    names = known_names(settings, roots, legal_names(chain))
    records = accreditation_history(chain, did_hash(target), names)
    if as_json:
        write_json({"did": target, "name": names.get(target), "accreditations": [r.to_json() for r in records]})
    else:
        _print_history(target, names, records)
    if not records:
        raise typer.Exit(EXIT_FAILURE)


def known_names(settings: Any, roots: Any, legal: dict[str, str]) -> dict[str, str]:
    """What the verifier calls DIDs: its own identities' names, then the legal names their
    accreditations state, then (winning) its trust list's."""
    from registry.keystore import KeyStore

    names: dict[str, str] = {}
    store = KeyStore(settings.keys_dir)
    if settings.keys_dir.is_dir():
        for name in store.names():
            with contextlib.suppress(Exception):  # an unreadable key file names nothing
                names[str(store.public_info(name)["did"])] = name
    names.update(legal)
    for root in roots.listed() if roots is not None else ():
        if root.name:
            names[root.did] = root.name
    return names


def _who(did: str, names: dict[str, str]) -> str:
    from registry.i18n import _
    from registry.ops.trust import GOVERNANCE

    if did == GOVERNANCE:
        return markup(_(GOVERNANCE))
    if did not in names:
        return markup(short_did(did))
    return f"{markup(names[did])} ({short_did(did)})"


def _why(change: Any) -> str:
    """A change's reason: its words and its code; a code without words said once (not "reason 9 (reason 9)")."""
    from registry.i18n import _
    from registry.i18n.trustwords import reason_word

    if change.reason_text == f"reason {change.reason}":
        return _(": reason {n}").format(n=change.reason)
    return _(": {reason} (reason {n})").format(reason=markup(reason_word(change.reason_text)), n=change.reason)


def _print_history(target: str, names: dict[str, str], records: list[Any]) -> None:
    """Each accreditation and each of its changes, in the language of the run (registry/i18n/trustwords.py)."""
    from registry.i18n import _, ngettext
    from registry.i18n.trustwords import CHANGES, STATUSES, kind_in_sentence

    who = _who(target, names)
    if not records:
        out.print(_("{who}: no accreditation in the trusted issuers registry").format(who=who), markup=True)
    else:
        many = ngettext("{n} accreditation", "{n} accreditations", len(records)).format(n=len(records))
        out.print(_("{who}: {count}").format(who=f"[bold]{who}[/]", count=many), markup=True)
    for record in records:
        status = record.status.name.lower()
        now = markup(_(STATUSES.get(status, status)))
        line = _("{type} accreditation {id}, granted by {who}, valid {start} to {end}: {status}").format(
            type=f"[bold]{markup(kind_in_sentence(record.issuer_type))}[/]", id=short_attribute(record.attribute_id),
            who=_who(record.granted_by, names), start=iso(record.valid_from), end=iso(record.valid_until),
            status=f"[bold]{now}[/]",
        )  # fmt: skip
        out.print(f"  {line}", markup=True)
        for change in record.changes:
            why = "" if change.revision == 1 else _why(change)
            if change.effective_from is not None:  # a revocation for cause reaches back to its date
                why += _("; void from {time}").format(time=f"[bold]{iso(change.effective_from)}[/]")
            done = _(CHANGES.get(change.change, change.change + " by {who}")).format(who=_who(change.actor, names))
            block = _("block {block}").format(block=change.block)
            out.print(f"    {change.revision}  {iso(change.timestamp)}  {block}  {done}{why}", markup=True)
