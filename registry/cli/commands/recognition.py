"""`registry recognition ...`: a destination authority's recognition decisions (publish, suspend,
reinstate, revoke) and reading them back (list, show, frameworks). Applying them to credentials is
`registry verify --recognised-in AUTHORITY` (verify.py); the work is in registry/ops/recognition."""

from __future__ import annotations

import contextlib
import shlex
from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.exits import arguments
from registry.cli.options import DeploymentOpt, RpcOpt, load_identity, settings_of, text
from registry.cli.output import out, write_json
from registry.config import Settings
from registry.errors import InputError, TransactionReverted
from registry.text import named_did, shown

app = typer.Typer(
    help="Recognition decisions: which foreign credentials count as a national qualification.\n\nAn authority "
    "of the destination country publishes them; `verify --recognised-in` applies them.",
    no_args_is_help=True,
)

AuthorityArg = Annotated[str, typer.Argument(help="Identity name of the authority (it signs the transaction).")]
DecisionArg = Annotated[
    str,
    typer.Argument(
        help="Decision id: whole (0x + 64 hex digits, as `list` prints it), or any unique start of it of 4 digits or "
        "more, such as the one `verify` prints."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print as JSON.")]


def _text_opt(help_text: str) -> Any:
    """A free-text option, checked as every text the CLI takes (`options.text`)."""
    return typer.Option(callback=text, show_default=False, help=help_text)


# Every code (and word) of ops/recognition/model.py REASONS (REASON_WORDS), spelled out so `--help` loads no
# chain library.
ReasonOpt = Annotated[
    str,
    typer.Option(
        help="Reason, recorded on-chain as its code: 0 unspecified, 1 superseded by a newer decision, 2 published "
        "in error, 3 under review, 4 review closed, 5 the national qualification was withdrawn; or its word: "
        "unspecified, superseded, error, review, reviewed, withdrawn."
    ),
]

RecognisedOpt = Annotated[
    str | None,
    typer.Option(
        "--recognised-in",
        help="Apply this destination authority's recognition decisions (its DID, or its name in your trust list): "
        "each credential says what it is recognised as there (with --service, the service applies them, and a "
        "name your list does not give is looked up in the service's). Never changes a verdict.",
        show_default=False,
    ),
]


def _list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _document(authority_did: str, options: dict[str, Any]) -> Any:
    """The decision a file holds, or the one the options describe (never both)."""
    from registry.files import read_capped
    from registry.formats.frameworks import find_framework
    from registry.formats.recognition import check_publishable, parse_decision, parse_decision_text

    file = options.pop("file")
    given = {k: v for k, v in options.items() if v}
    if file is not None:
        if given:
            raise InputError(f"give a decision FILE or the options ({', '.join(sorted(given))}), not both")
        raw = read_capped(file, 64 * 1024, f"decision file {file}")
        try:
            return check_publishable(parse_decision_text(raw.decode("utf-8"), f"decision file {file}"))
        except UnicodeDecodeError as exc:
            raise InputError(f"decision file {file} is not UTF-8 text") from exc
    missing = [k for k in ("types", "eqf_levels", "root", "qualification", "framework", "level") if not given.get(k)]
    if missing:
        names = ", ".join("--" + m.replace("_", "-") for m in missing)
        raise InputError(f"give a decision FILE, or {names}")
    framework = find_framework(given["framework"])
    try:
        levels = [int(v) for v in _list(given["eqf_levels"])]
    except ValueError:
        levels = []
    if not levels or any(not 1 <= level <= 8 for level in levels):
        raise InputError(f"--eqf-levels lists EQF levels, 1 to 8, e.g. 4,5 (not {given['eqf_levels'][:40]!r})")
    data = {
        "format": "registry-recognition-decision/1", "authority": authority_did,
        "scope": {"types": _list(given["types"]), "eqfLevels": levels, "root": given["root"],
                  **{k: _list(given.get(k)) for k in ("issuers", "programmes", "schemas") if given.get(k)}},
        "recognisedAs": {"qualification": given["qualification"], "level": given["level"],
                         "framework": framework.id if framework else given["framework"]},
        "validFrom": given.get("valid_from") or _today(),
        **{key: given[k] for key, k in (("validUntil", "valid_until"), ("conditions", "conditions"),
                                        ("reference", "reference")) if given.get(k)},
    }  # fmt: skip
    return check_publishable(parse_decision(data, "the decision"))


def _today() -> str:
    import time

    from registry.formats.credential import iso

    return iso(int(time.time()))


@app.command("publish")
def recognition_publish(
    ctx: typer.Context,
    authority: AuthorityArg,
    file: Annotated[Path | None, typer.Argument(help="A decision file (JSON), or give the options.")] = None,
    types: Annotated[str | None, typer.Option(help="Credential types in scope, comma-separated.")] = None,
    eqf_levels: Annotated[str | None, typer.Option(help="EQF levels in scope, comma-separated.")] = None,
    root: Annotated[
        str | None,
        typer.Option(
            help="The root (Root TAO) the issuers must be accredited under: its DID, or its name in your "
            "trust list or this home."
        ),
    ] = None,
    issuers: Annotated[str | None, typer.Option(help="Only these issuers (DIDs or names, comma-separated).")] = None,
    programmes: Annotated[
        str | None, typer.Option(help="Only these programme (achievement) ids (comma-separated).")
    ] = None,
    schemas: Annotated[str | None, typer.Option(help="Only these credential schema ids (comma-separated).")] = None,
    qualification: Annotated[
        str | None, _text_opt("The national qualification it is recognised as (its name).")
    ] = None,
    framework: Annotated[str | None, typer.Option(help="Framework key or id (`recognition frameworks`).")] = None,
    level: Annotated[str | None, typer.Option(help="Level in that framework.")] = None,
    valid_from: Annotated[str | None, typer.Option(help="First day it applies (default today).")] = None,
    valid_until: Annotated[str | None, typer.Option(help="When it stops applying (default: no end).")] = None,
    conditions: Annotated[str | None, _text_opt("Conditions attached to it (free text, optional).")] = None,
    reference: Annotated[str | None, _text_opt("The decision's own reference, e.g. its file number.")] = None,
    as_json: JsonOpt = False,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Publish a recognition decision: credentials in its scope count here as a national qualification.

    Give a decision FILE, or describe it: --types, --eqf-levels, --root, --qualification, --framework and --level."""
    from registry.cli.commands.recognition_view import parties
    from registry.ops.recognition.authority import Recognition, check_outcome
    from registry.ops.registry import Registry

    settings = settings_of(ctx, rpc, deployment)
    identity = load_identity(settings, authority)
    if file is None:  # DIDs, or names: your trust list's, this home's
        root, issuers = parties(settings, root, issuers)
    options: dict[str, Any] = dict(
        file=file, types=types, eqf_levels=eqf_levels, root=root, issuers=issuers, programmes=programmes,
        schemas=schemas, qualification=qualification, framework=framework, level=level, valid_from=valid_from,
        valid_until=valid_until, conditions=conditions, reference=reference,
    )  # fmt: skip
    with arguments() if file is None else contextlib.nullcontext():  # options that cannot make a decision: 64
        document = _document(identity.did, options)
        check_outcome(document)  # a framework or level the package does not publish
    recognition = Recognition(Registry.connect(settings))
    decision_id, existing = recognition.publish_new(identity, document)
    if as_json:
        shown = existing.document if existing is not None and existing.document is not None else document
        write_json({"id": "0x" + decision_id.hex(), "document": shown.to_json(), "unchanged": existing is not None})
        return
    _say_published(settings, recognition, decision_id, existing, identity.did, authority)


def _say_published(
    settings: Settings, recognition: Any, decision_id: bytes, existing: Any, did: str, name: str
) -> None:
    from registry.cli.commands.recognition_view import named, names, published_line, your_roots

    known = names(recognition, [did], {did: name}, your_roots(settings))
    # `existing`: idempotent, as `trust suspend` of a suspended accreditation: nothing written
    out.print(published_line(decision_id, named(did, known), existing))


def _change(ctx: typer.Context, authority: str, decision: str, status: str, reason: str, rpc: Any, dep: Any) -> None:
    from registry.cli.commands.recognition_view import changed_line, reason_code, resolve
    from registry.ops.recognition.authority import Recognition
    from registry.ops.recognition.ids import decision_ref
    from registry.ops.recognition.model import DecisionStatus
    from registry.ops.registry import Registry

    with arguments():  # the command line itself: a usage error (64), before any key or node is used
        code = reason_code(reason)
        ref = decision_ref(decision)
    settings = settings_of(ctx, rpc, dep)
    identity = load_identity(settings, authority)
    recognition = Recognition(Registry.connect(settings))
    hint = f"`registry recognition list {authority}` lists them, with their whole ids"
    decision_id = resolve(recognition, ref, [identity.did], named_did(identity.did, authority), hint)
    if _already(recognition, decision_id, status):  # an unknown id is named as such, before any transaction
        return
    try:
        recognition.set_status(identity, decision_id, DecisionStatus[status], code)
    except TransactionReverted as exc:  # another write made it so meanwhile (a second process): "unchanged"
        if exc.error_name != "InvalidDecisionStatusChange" or not _already(recognition, decision_id, status):
            raise
        return
    out.print(changed_line(decision_id, status, code))


def _already(recognition: Any, decision_id: bytes, status: str) -> bool:
    """True (and said: "unchanged", exit 0, as `trust suspend` of a suspended accreditation) when the
    decision is as asked; refused when it is revoked, which is final; else False."""
    from registry.cli.commands.recognition_view import already_line
    from registry.ops.recognition.model import DecisionStatus

    now = recognition.decision(decision_id)
    if now.status is DecisionStatus[status]:
        out.print(already_line(decision_id, status))
        return True
    if now.status is DecisionStatus.REVOKED:
        word = {"ACTIVE": "reinstated", "SUSPENDED": "suspended"}[status]
        raise InputError(f"decision 0x{decision_id.hex()} is revoked, and a revocation is final: it cannot be {word} "
                         "(publish a new decision instead)")  # fmt: skip
    return False


@app.command("suspend")
def recognition_suspend(
    ctx: typer.Context, authority: AuthorityArg, decision: DecisionArg, reason: ReasonOpt = "3",
    rpc: RpcOpt = None, deployment: DeploymentOpt = None,
) -> None:  # fmt: skip
    """Suspend a decision (it stops applying until reinstated)."""
    _change(ctx, authority, decision, "SUSPENDED", reason, rpc, deployment)


@app.command("reinstate")
def recognition_reinstate(
    ctx: typer.Context, authority: AuthorityArg, decision: DecisionArg, reason: ReasonOpt = "4",
    rpc: RpcOpt = None, deployment: DeploymentOpt = None,
) -> None:  # fmt: skip
    """Reinstate a suspended decision."""
    _change(ctx, authority, decision, "ACTIVE", reason, rpc, deployment)


@app.command("revoke")
def recognition_revoke(
    ctx: typer.Context, authority: AuthorityArg, decision: DecisionArg, reason: ReasonOpt = "1",
    rpc: RpcOpt = None, deployment: DeploymentOpt = None,
) -> None:  # fmt: skip
    """Revoke a decision, for good: from now on it no longer applies (until now, it did)."""
    _change(ctx, authority, decision, "REVOKED", reason, rpc, deployment)


@app.command("list")
def recognition_list(
    ctx: typer.Context,
    authority: Annotated[
        str, typer.Argument(help="The authority: a DID, a local identity name, or its name in your trust list.")
    ],
    as_json: JsonOpt = False,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """List an authority's decisions: id, status, what each recognises, scope and validity.

    Reads your deployment, else the registry your trust list pins its roots to."""
    from registry.cli.commands.recognition_view import connect_reading, dids_of, names, party_did, your_roots

    settings = settings_of(ctx, rpc, deployment)
    roots = your_roots(settings)
    with arguments():
        did = party_did(settings, authority, "the authority", roots)
    recognition = connect_reading(settings, roots)
    decisions = recognition.decisions(did)
    given = {did: None if authority.startswith("did:") else authority}
    known = names(recognition, [did, *(dids_of(d) for d in decisions)], given, roots)
    if as_json:
        write_json({"authority": did, "authority_name": known.get(did),
                    "decisions": [d.named_json(known) for d in decisions]})  # fmt: skip
        return
    _print_list(did, decisions, known)


def _print_list(did: str, decisions: list[Any], known: dict[str, str]) -> None:
    from registry.cli.commands.recognition_view import named, print_decision

    out.print(decisions_heading(named(did, known), len(decisions)))
    for decision in decisions:
        print_decision(decision, history=False, known=known)


def decisions_heading(who: str, n: int) -> str:
    """`recognition list`'s first line: whose decisions and how many, in the run's language."""
    from registry.i18n import _, ngettext

    if not n:
        return _("{authority} has published no recognition decision in this registry").format(authority=who)
    words = ngettext(
        "{authority}: {n} recognition decision, oldest first", "{authority}: {n} recognition decisions, oldest first", n
    )
    return words.format(authority=who, n=shown(n))


@app.command("show")
def recognition_show(
    ctx: typer.Context,
    decision: DecisionArg,
    authority: Annotated[
        str | None,
        typer.Option(help="Whose decision (a DID, a local identity name or a name in your trust list), to find it by "
                     "a shortened id; default: this home's organisations and your trust list's roots."),
    ] = None,
    as_json: JsonOpt = False,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:  # fmt: skip
    """Show one decision: what it recognises, its scope, validity, conditions and its whole history.

    Reads your deployment, else the registry your trust list pins its roots to."""
    from registry.cli.commands import recognition_view as view
    from registry.ops.recognition.ids import decision_ref

    settings = settings_of(ctx, rpc, deployment)
    roots = view.your_roots(settings)
    with arguments():
        ref = decision_ref(decision)
        asked = view.party_did(settings, authority, "--authority", roots) if authority is not None else None
    recognition = view.connect_reading(settings, roots)
    if asked is not None:
        where, among = named_did(asked, authority), [asked]
    else:
        where = "the authorities this home knows (its organisations, your trust list's roots)"
        among = view.known_authorities(settings, roots)
    listing = f"`registry recognition list {shlex.quote(str(authority))}` lists its decisions, with their whole ids"
    hint = listing if asked else view.LIST_HINT + "; or name its authority: `show --authority AUTHORITY`"
    found = recognition.decision(view.resolve(recognition, ref, among, where, hint))
    known = view.names(recognition, view.dids_of(found), {}, roots)
    if as_json:
        write_json(found.named_json(known))
        return
    if found.document is not None:
        out.print(view.published_by(view.named(found.document.authority, known)))
    view.print_decision(found, history=True, known=known)


@app.command("frameworks")
def recognition_frameworks(as_json: JsonOpt = False) -> None:
    """List the qualifications frameworks a decision may name, with their levels and the EQF level of each."""
    from registry.formats.frameworks import bundled

    frameworks = list(bundled().values())
    if as_json:
        write_json([{"id": f.id, **f.data} for f in frameworks])
        return
    from registry.cli.commands.recognition_view import framework_line

    for f in frameworks:
        out.print(shown(framework_line(f)))


def check_recognised_in(word: str | None, roots: Any, settings: Settings, service: str | None = None) -> str | None:
    """`--recognised-in` names one authority (a DID, or a name your trust list gives a root), read
    through one node or asked of a --service (a usage error with several --rpc); its DID. Asked of
    a service, a name your list does not give is sent as it is: the service resolves it against
    its own trust list (POST /verify `recognisedIn`), and says so when it cannot."""
    if word is None:
        return None
    if len(settings.rpc_urls) > 1 and service is None:
        raise InputError("--recognised-in reads the authority's decisions through one node: give one --rpc, or "
                         "--service URL")  # fmt: skip
    from registry.ops.recognition.apply import authority_of

    try:
        return authority_of(word, roots)[0]
    except InputError:
        if service is None or word.startswith("did:"):
            raise
        return word


def recogniser_for(verifier: Any, word: str | None, roots: Any, when: int | None) -> Any:
    if word is None:
        return None
    from registry.ops.recognition.apply import Recogniser

    return Recogniser(verifier.registry, word, roots, when)
