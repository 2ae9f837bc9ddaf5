"""`registry trust-list ...`: the verifier's own trust list (the Root TAOs it accepts), made and
read without the chain: create, add, remove, show.

Without `--file` each works on the verifier's default trust list, the one `verify` and `issuer
check` use when given no `--trust-list`: the file REGISTRY_TRUST_LIST names, else
`<home>/trust-list.json`. The format is docs/TRUST-LISTS.md's (registry/ops/trust/trustlist.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.exits import arguments
from registry.cli.options import did_of, settings_of, text
from registry.cli.output import out, warn, write_json
from registry.errors import InputError
from registry.files import no_such_file
from registry.i18n import _, joined, ngettext
from registry.text import short_did, shown

app = typer.Typer(
    help="Your trust list: the roots of trust (Root TAOs, e.g. national authorities) you accept.\n\nYou accept "
    "the issuers they accredit: `verify` and `issuer check` read it.",
    no_args_is_help=True,
)

FileOpt = Annotated[
    Path | None,
    typer.Option(
        "--file", "-f",
        help="The trust list file (default: REGISTRY_TRUST_LIST, else <home>/trust-list.json).",
        show_default=False,
    ),
]  # fmt: skip
NameOpt = Annotated[str | None, typer.Option(help="A name for it, as people know it.", callback=text)]


def _file(ctx: typer.Context, file: Path | None) -> Path:
    return file if file is not None else settings_of(ctx).trust_list_file


def _load(path: Path) -> Any:
    from registry.ops.trust import TrustList

    return TrustList.load(path, allow_empty=True)


@app.command("create")
def create(ctx: typer.Context, name: NameOpt = None, file: FileOpt = None) -> None:
    """Start an empty trust list, named for what it is (refused if the file exists)."""
    from registry.ops.trust import TrustList

    path = _file(ctx, file)
    if path.exists():
        raise InputError(f"{path} already exists: add roots to it with `registry trust-list add`")
    TrustList.empty(path, name).save(path)
    created = _(
        "created trust list {path}: add the roots you accept with `registry trust-list add DID --name NAME "
        "--registry DEPLOYMENT.json` (the deployment file of the root's registry, as the root publishes it)"
    )
    out.print(created.format(path=shown(path)))


@app.command("add")
def add(
    ctx: typer.Context,
    did: Annotated[str, typer.Argument(help="The Root TAO's DID (or a local identity name).")],
    name: NameOpt = None,
    file: FileOpt = None,
    registry: Annotated[
        list[Path] | None,
        typer.Option(
            "--registry",
            help="The deployment file of a registry in which you accept this root (repeatable); needed to "
            "verify credentials whose files name that registry, without that deployment file as your own. "
            "For a root already listed: accept it in that registry too.",
        ),
    ] = None,
) -> None:
    """Accept a Root TAO: add its DID (and name) to the trust list, creating the file if needed."""
    from registry.ops.trust import TrustList

    path = _file(ctx, file)
    with arguments():  # a malformed DID or a --registry file that is no deployment: a usage error (64)
        root = _root_of(ctx, did)
        pins = [_pin_of(deployment_file) for deployment_file in registry or []]
    current = _load(path) if path.exists() else TrustList.empty(path, None)
    current.with_root(root, name, tuple(pins)).save(path)
    if root in current.roots:  # already listed: pinned to more registries
        label = current.name_of(root) or short_did(root)
        where = joined((_registry_words(pin) for pin in pins), strong=True)
        also = _("{path}: {name} ({did}) now accepted also in {registries}")
        out.print(also.format(path=shown(path), name=shown(label), did=short_did(root), registries=where))
        return
    added = _("{path}: added {name} ({did})") if name else _("{path}: added a root ({did})")
    out.print(added.format(path=shown(path), name=shown(name or ""), did=short_did(root)))
    if not pins:
        _warn_unpinned(ctx)


def _pin_of(deployment_file: Path) -> Any:
    """The registry a --registry deployment file names (its chain and deployment block)."""
    from registry.chain.deployment import Deployment
    from registry.errors import ConfigError

    if not deployment_file.exists():  # Deployment.load's words name --deployment, not this option
        raise InputError(
            f"--registry: {no_such_file(shown(deployment_file))}: give the deployment file of the registry "
            "this root is in, as the root publishes it"
        )
    try:
        pin = Deployment.load(deployment_file).locator()
    except ConfigError as exc:
        raise InputError(f"--registry: {exc}") from exc
    if pin is None:
        raise InputError(f"{shown(deployment_file)} records no deployment block hash: it cannot name its chain")
    return pin


def _registry_words(pin: Any) -> str:
    return _("chain {n}'s registry deployed in block {block} ({hash}…)").format(
        n=pin.chain_id, block=pin.block, hash=pin.block_hash[:10]
    )


def _warn_unpinned(ctx: typer.Context) -> None:
    """A root without a registry counts only in the verifier's own deployment (trustlist.for_registry):
    say so where that leaves the verifier with none, rather than at the first 'root not trusted'."""
    from registry.ops.locate import has_own_deployment

    if not has_own_deployment(settings_of(ctx)):
        warn(
            _(
                "this root is accepted only in a deployment of your own, and you have none: to accept it in the "
                "registry a credential's file names, add it again with --registry DEPLOYMENT.json (that "
                "registry's deployment file, as its operator publishes it)"
            )
        )


def _root_of(ctx: typer.Context, value: str) -> str:
    """The root to accept: a DID (a did:ebsi one must be a well-formed legal-entity identifier, so
    a mistyped character is caught here, not later as "root not trusted"), or a local identity."""
    from registry.errors import KeyStoreError

    if value.startswith("did:"):
        try:
            return _checked_did(value)
        except InputError as exc:
            raise InputError(f"{exc}: give the root's DID as its authority published it") from exc
    try:
        return did_of(settings_of(ctx), value)
    except (KeyStoreError, InputError) as exc:  # no such identity, or not even an identity's name
        file = " (that is a file: a deployment file goes with --registry)" if Path(value).is_file() else ""
        raise InputError(
            f"{value[:80]!r} is not a DID (did:METHOD:ID) and no local identity has that name{file}: "
            "give the root's DID as its authority published it"
        ) from exc


def _checked_did(did: str) -> str:
    """A root's DID, well formed for its method: a did:ebsi a legal-entity identifier, a did:key a
    public key (one that decodes), any other the DID syntax."""
    from registry.formats.did import check_did, check_ebsi_did
    from registry.formats.didkey import decode_did_key

    if did.startswith("did:ebsi:"):
        return check_ebsi_did(did)
    if did.startswith("did:key:"):
        try:
            decode_did_key(did)
        except InputError as exc:
            raise InputError(f"{did[:80]!r} is not a did:key that decodes to a public key ({exc})") from exc
        return did
    return check_did(did)


@app.command("remove")
def remove(
    ctx: typer.Context,
    did: Annotated[
        str,
        typer.Argument(
            help="The Root TAO's DID, the name the list gives it (as `trust-list show` prints it), or a local "
            "identity name.",
            metavar="ROOT",
        ),
    ],
    file: FileOpt = None,
) -> None:
    """Stop accepting a Root TAO: remove it from the trust list, by its DID or by the name the list gives it."""
    from registry.keystore import KeyStore

    path = _file(ctx, file)
    current = _load(path)
    # As `trust-list show` names it: by the name the list gives it too (one root of that name).
    wanted = " ".join(did.split()).casefold()
    named = [r.did for r in current.listed() if r.name and " ".join(r.name.split()).casefold() == wanted]
    with arguments():  # a root named wrong is a usage error (64)
        if len(named) == 1:
            root = named[0]
        elif did.startswith("did:") or did in KeyStore(settings_of(ctx).keys_dir).names():
            root = did_of(settings_of(ctx), did, lenient=True)  # a malformed one a list holds goes too
        else:
            raise InputError(
                f"{did[:80]!r} is neither a DID nor the name of one root in {shown(path)} (`registry trust-list show`)"
            )
    current.without_root(root).save(path)
    label = current.name_of(root)
    removed = _("{path}: removed {name} ({did})") if label else _("{path}: removed a root ({did})")
    out.print(removed.format(path=shown(path), name=shown(label or ""), did=short_did(root)))


@app.command("show")
def show(
    ctx: typer.Context,
    file: FileOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON (DIDs whole).")] = False,
) -> None:
    """List each root by name and DID (shortened; whole with --json), and the registries it is accepted in."""
    path = _file(ctx, file)
    if file is None and not path.exists() and not settings_of(ctx).trust_list_required:
        raise InputError(
            f"no default trust list ({path}): `verify` then trusts no root; make one with `registry trust-list add`"
        )
    listed = _load(path)
    if as_json:
        write_json({"file": str(path), **listed.to_json()})
        return
    title = f" ({shown(listed.title)})" if listed.title else ""
    count = len(listed.roots)
    heading = ngettext("trust list {file}{title}: {n} root", "trust list {file}{title}: {n} roots", count)
    out.print(heading.format(file=shown(path), title=title, n=count))
    entries = listed.listed()
    width = max((len(entry.name or "") for entry in entries), default=0)
    for entry in entries:
        label = entry.name or _("(no name)")
        out.print(f"  {shown(label.ljust(max(width, 9)))}  {short_did(entry.did)}")
        for pin in entry.registries:
            out.print("      " + _("accepted in {registry}").format(registry=_registry_words(pin)))
        if not entry.registries:
            out.print("      " + _("accepted only in your own deployment (no --registry given)"))
