"""`registry passport ...`: a holder's credentials bundled and signed with the holder's did:key."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.commands.wallet import WalletOpt
from registry.cli.options import RpcOpt, TrustListOpt, duration, load_identity, settings_of, text
from registry.cli.output import out, progress_bar, warn
from registry.errors import InputError
from registry.i18n import _, joined, ngettext
from registry.i18n.words import check_message, headline
from registry.text import named_did, shown

app = typer.Typer(
    help="Skills passports: a worker's credentials in one file she signs, to show an employer or an authority.",
    no_args_is_help=True,
)

FilesArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="FILE",
        help="The holder's credential files; with --from-wallet, credential ids from `wallet list` (default: all).",
        show_default=False,
    ),
]
FromWalletOpt = Annotated[
    bool, typer.Option("--from-wallet", help="Take the credentials from your wallet and sign with its key.")
]

IncludeOpt = Annotated[
    bool,
    typer.Option(
        "--include-withdrawn",
        help="Keep credentials a verifier would find not valid now: revoked, suspended, expired (left out by default).",
    ),
]


PrintRecognisedOpt = Annotated[
    str | None,
    typer.Option(
        "--recognised-in",
        help="Print what each credential is recognised as by this destination authority (its DID, or its name in "
        "your trust list), from its recognition decisions on the chain; never changes a verdict.",
        show_default=False,
    ),
]


@contextlib.contextmanager
def _named_as(names: list[str]) -> Iterator[None]:
    """An InputError about "credential 2 ..." names the file (or wallet id) it came from."""
    try:
        yield
    except InputError as exc:
        message = str(exc)
        for number, path in enumerate(names, 1):
            message = message.replace(f"credential {number} ", f"{path} ", 1)
        raise InputError(message) from exc


def _check_out(output: Path) -> None:
    """The file a command is to write: new, in a directory that exists."""
    if output.exists():
        raise InputError(f"{output} already exists; not overwriting it")
    if not output.parent.is_dir():
        raise InputError(f"the directory {output.parent} does not exist")


@app.command("create")
def passport_create(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--out", help="Where to write the passport.")],
    files: FilesArg = None,
    holder: Annotated[str | None, typer.Option(help="The holder's identity name in this home (a person).")] = None,
    from_wallet: FromWalletOpt = False,
    wallet: WalletOpt = None,
    audience: Annotated[
        str | None,
        typer.Option(
            help="Who the passport is for, as the verifier told you (e.g. an employer's name, URL or DID).",
            callback=text,
        ),
    ] = None,
    nonce: Annotated[
        str | None,
        typer.Option(help="The challenge (a one-time code) the verifier gave you, if it gave one.", callback=text),
    ] = None,
    valid_for: Annotated[
        str, typer.Option(help="How long the passport can be used: e.g. 30m, 12h, 7d (1 minute to 365 days).")
    ] = "7d",
    include_withdrawn: IncludeOpt = False,
    rpc: RpcOpt = None,
) -> None:
    """Bundle a worker's credentials into one passport, signed with her own key (her did:key).

    The passport expires (default a week after it is made); give --audience and --nonce when the
    verifier told you who it is and gave you a challenge, so the passport cannot be replayed elsewhere.
    Where a chain is configured (--rpc, REGISTRY_RPC_URL, a deployment file), credentials the issuer
    revoked, suspended, expired or otherwise not valid now are left out, said with why (--include-withdrawn
    keeps them); one that is not genuine (altered, forged, never anchored) refuses the passport."""
    from registry.durable import write_json_atomic
    from registry.files import read_capped
    from registry.formats.credential import load_holder_file
    from registry.ops.inputs import MAX_INPUT_BYTES
    from registry.ops.passport import check_credentials, create_passport

    settings = settings_of(ctx, rpc)
    lifetime = _lifetime(valid_for)
    _check_out(output)
    if from_wallet:
        if holder:
            raise InputError("--from-wallet signs with your wallet's key: leave out --holder")
        identity, holder_files, names = _from_wallet(ctx, wallet, files or [])
    else:
        if not holder or not files:
            raise InputError("give --holder NAME and the credential files, or --from-wallet")
        names = files
        holder_files = [load_holder_file(read_capped(Path(path), MAX_INPUT_BYTES), path) for path in files]
        identity = _holder_identity(ctx, settings, holder, wallet)
    with _named_as(names):  # what would refuse the passport, before any status is asked
        check_credentials(identity, holder_files)
    holder_files, names = _leave_out_withdrawn(settings, holder_files, names, include_withdrawn)
    with _named_as(names):
        passport = create_passport(identity, holder_files, audience=audience, nonce=nonce, valid_for=lifetime)
    write_json_atomic(output, passport)
    _say_made(identity.did, holder_files, output)


def _say_made(did: str, holder_files: list[Any], output: Path) -> None:
    made = _("passport of {holder} with {credentials} written to {file}")
    holder, differently = _holder_label(did, holder_files)
    out.print(made.format(holder=holder, credentials=_credentials(len(holder_files)), file=shown(output)))
    if differently:  # as `verify` and the printed passport will say it
        out.print("  " + shown(differently))


def _lifetime(valid_for: str) -> int:
    """--valid-for in seconds, 1 minute to 365 days; out of range, said as it was given (400d)."""
    from registry.ops.passport import check_valid_for

    lifetime = duration(valid_for, "--valid-for")
    try:
        check_valid_for(lifetime)
    except InputError as exc:
        allowed = str(exc).rsplit(", not ", 1)[0]
        raise InputError(f"--valid-for {shown(valid_for)}: {allowed} (e.g. 30m, 12h, 7d)") from exc
    return lifetime


@app.command("print")
def passport_print(
    ctx: typer.Context,
    passport_file: Annotated[Path, typer.Argument(metavar="PASSPORT", help="The passport file (`passport create`).")],
    output: Annotated[Path, typer.Option("--out", help="Where to write the PDF.")],
    rpc: RpcOpt = None,
    service: Annotated[
        str | None,
        typer.Option(help="The registry service a credential too large for a QR code is linked to (its URL)."),
    ] = None,
    trust_list: TrustListOpt = None,
    recognised_in: PrintRecognisedOpt = None,
) -> None:
    """Print a passport as a PDF: a summary of competencies, then each credential with its verdict.

    Each credential has a QR code carrying the whole of it, which `registry verify` and the service's
    page read.

    The verdicts are those of a verification now, as `registry verify` gives them (a credential whose
    status could not be checked says so). Without any trust list, the page names each issuer's Root
    TAO and leaves recognising it to the reader, instead of printing ROOT NOT TRUSTED. With --recognised-in,
    each credential's page says what it is recognised as by that destination authority, and the summary its
    national equivalents, as `registry verify --recognised-in` says them."""
    from registry.durable import write_bytes_atomic
    from registry.files import read_capped, without_bom
    from registry.ops.inputs import MAX_INPUT_BYTES
    from registry.ops.passport import load_passport
    from registry.ops.passport_checks import read_deadline_for, verifier_for
    from registry.ops.passport_print import render

    _check_out(output)
    if service is not None:  # it is printed as a link: a URL a reader's browser can open
        from registry.config import check_service_url

        check_service_url(service)
    content = without_bom(read_capped(passport_file, MAX_INPUT_BYTES))
    passport = load_passport(content, str(passport_file))
    settings = settings_of(ctx, rpc)
    first = (str(passport_file), content)
    ctx.with_resource(read_deadline_for(settings, len(passport.credentials)))  # ends with the command
    verifier = verifier_for(settings, first, len(passport.credentials), trust_list, lenient=True)
    recogniser = _recognised_in(verifier, recognised_in, settings)
    verified = _verified(verifier, str(passport_file), content)
    if recogniser is not None:
        recogniser.annotate(verified)  # a finding on each credential, national equivalents in the summary
    report = verified.to_json()
    trusted = verifier.trust_list is not None
    count = len(passport.credentials)
    hidden = count < 3 or not sys.stderr.isatty()  # a bar where someone watches a long print, nothing in a log
    with progress_bar(_("printing {n} credentials").format(n=count), count, hidden=hidden) as advance:
        pdf = render(dict(report), passport.credentials, service, trusted=trusted, progress=advance)
    write_bytes_atomic(output, pdf)
    summary = headline(str(report["summary"]))
    out.print(f"{shown(output)}: {joined([_credentials(len(passport.credentials)), shown(summary)])}")
    if verifier.unavailable:  # printed all the same (its codes carry the credentials), but not to hand over so
        why = _("the chain could not be read ({why}), so the PDF says of each credential that its status could not "
                "be checked: give --rpc URL (a node of the chain its credentials name) and print it again before "
                "you hand it over")  # fmt: skip
        warn(why.format(why=verifier.unavailable))


def _verified(verifier: Any, source: str, content: bytes) -> Any:
    """The passport's report now, an RPL credential's assessor checked as `verify` checks it."""
    from registry.ops.rpl.checks import add_rpl_checks

    verified = verifier.verify_passport(source, content, None)
    add_rpl_checks(verified, verifier.registry, None)
    return verified


def _recognised_in(verifier: Any, word: str | None, settings: Any) -> Any:
    """`--recognised-in`: the authority's decisions, read once (None: not asked). An authority whose
    decisions would not apply (not in the trust list, nor a recognition body under one of its roots) is
    refused before anything is printed: a passport whose every page says so helps nobody."""
    from registry.cli.commands.recognition import check_recognised_in, recogniser_for
    from registry.cli.exits import arguments

    if word is None:
        return None
    with arguments():  # a usage error (64), as `verify --recognised-in` says it
        authority = check_recognised_in(word, verifier.trust_list, settings)
        recogniser = recogniser_for(verifier, authority, verifier.trust_list, None)
        if recogniser.problem is not None and recogniser.problem[0] == "not applied":
            raise InputError(f"--recognised-in: {recogniser.problem[1]}; nothing printed")
    return recogniser


def _holder_label(did: str, holder_files: list[Any]) -> tuple[str, str | None]:
    """The holder by the name her credentials give (the first that gives one, as `verify` names her)
    and her DID shortened; and, when they name her differently (another name, or one name written
    differently), the line `verify` and the printed passport say it in (the credentials numbered as
    in the passport)."""
    from registry.i18n.words import holder_names_words
    from registry.ops.issued import holder_of
    from registry.ops.verify.summary import holder_names

    names = holder_names([(n, holder_of(f.credential)[1]) for n, f in enumerate(holder_files, 1)])
    differ = len(names) > 1 or any("written" in n for n in names)
    return named_did(did, names[0]["name"] if names else None), holder_names_words(names) if differ else None


def _credentials(n: int) -> str:
    return ngettext("{n} credential", "{n} credentials", n).format(n=n)


def _holder_identity(ctx: typer.Context, settings: Any, name: str, wallet: Path | None) -> Any:
    """The key store's identity `name`; where there is none but a wallet holds keys, say --from-wallet."""
    from registry.cli.commands.wallet import wallet_of
    from registry.errors import KeyStoreError
    from registry.keystore import KeyStore

    if name not in KeyStore(settings.keys_dir).names():
        store = wallet_of(ctx, wallet)
        if store.dids():
            raise KeyStoreError(
                f"no identity named {name} in {settings.keys_dir}, but your wallet ({store.directory}) holds your "
                "key: use --from-wallet instead of --holder NAME"
            )
        # Not "make it with `identity create`": a new identity is a new key, one no credential of hers names.
        raise KeyStoreError(
            f"no identity named {shown(name)} in {settings.keys_dir}: name the home that holds her key (`registry "
            "--home DIR`); if its file was lost, restore it from a copy (a new identity would be a new key, not the "
            "one her credentials name)"
        )
    return load_identity(settings, name)


def _from_wallet(ctx: typer.Context, directory: Path | None, ids: list[str]) -> tuple[Any, list[Any], list[str]]:
    """The wallet's key and the credentials named by id (all, when none is named), all about that key."""
    from registry.cli.commands.wallet import held_wallet, wallet_passphrase

    store = held_wallet(ctx, directory)
    entries = [store.find(i) for i in ids] if ids else store.entries()
    if not entries:
        raise InputError(f"the wallet {store.directory} holds no credential: `registry wallet import` them first")
    identity = store.identity_for(store.signer_of(entries), wallet_passphrase())
    return identity, [e.holder_file for e in entries], [e.id for e in entries]


def _leave_out_withdrawn(
    settings: Any, files: list[Any], names: list[str], include: bool
) -> tuple[list[Any], list[str]]:
    """The credentials to bundle: those the issuer revoked or suspended, or that expired, left out
    (unless `include`), each said on stderr; a status that could not be checked is said too, and the credential kept."""
    from registry.ops.passport_checks import withdrawn
    from registry.ops.wallet.status import chain_configured

    if not chain_configured(settings):
        warn(
            _("status not checked (no node: --rpc, REGISTRY_RPC_URL, or a deployment file): every credential included")
        )
        return files, names
    kept: list[tuple[Any, str]] = []
    for holder_file, name, status in zip(files, names, withdrawn(settings, files, names), strict=True):
        if status.withdrawn is not None and not include:
            warn(
                _("left out {name}: {why} (--include-withdrawn keeps it)").format(
                    name=name, why=check_message(status.withdrawn)
                )
            )
            continue
        if status.withdrawn is not None:
            warn(_("included {name} as asked, though {why}").format(name=name, why=check_message(status.withdrawn)))
        elif status.unchecked is not None:
            warn(_("included {name}, its status not checked: {why}").format(name=name, why=status.unchecked))
        kept.append((holder_file, name))
    if not kept:
        raise InputError(
            "no credential is valid now (revoked, suspended, expired...): no passport written "
            "(--include-withdrawn keeps them)"
        )
    return [f for f, _ in kept], [n for _, n in kept]
