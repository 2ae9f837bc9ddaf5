"""`registry trust ...`: the accreditation chain's writes (onboard a Root TAO, accredit, suspend,
reinstate, revoke). Reading the chain back is `registry issuer check` (issuer.py)."""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer

from registry.cli.commands.trust_status import change_accreditation, change_root
from registry.cli.exits import arguments
from registry.cli.options import (
    DeploymentOpt,
    RpcOpt,
    account_of,
    did_of,
    load_identity,
    parse_until,
    settings_of,
    text,
)
from registry.cli.output import out
from registry.errors import InputError
from registry.text import shown

app = typer.Typer(
    help="Accreditation: who may issue credentials, and who accredits them.\n\nA root (Root TAO, e.g. a national "
    "authority) accredits bodies that accredit others (TAO) and training centres that issue (TI: trusted issuer).",
    no_args_is_help=True,
)

TypesOpt = Annotated[
    str,
    typer.Option(help="Comma-separated credential types, e.g. SkillsCredential,WeldingCertificate.", callback=text),
]
SchemaOpt = Annotated[str | None, typer.Option(help="Credential schema id the scope is limited to.", callback=text)]
JurisdictionOpt = Annotated[str | None, typer.Option(help="Jurisdiction URI the scope is limited to.", callback=text)]
UntilOpt = Annotated[
    str | None,
    typer.Option("--valid-until", help="End of validity (a date includes that whole day, UTC; default one year)."),
]
ParentOpt = Annotated[str, typer.Option(help="Identity name of the party that granted the accreditation.")]
NameOpt = Annotated[
    str | None,
    typer.Option(
        help="The accredited organisation's legal name, stated in its accreditation (public, shown by verifiers).",
        callback=text,
    ),
]
ChildOpt = Annotated[str, typer.Option(help="DID (or local identity name) of the accredited party.")]
AttributeOpt = Annotated[
    str | None,
    typer.Option(
        help="Which accreditation (its attribute id, or its first 8 or more hex digits as `registry issuer history` "
        "shows it), when the child holds several from this parent."
    ),
]
GovernanceOpt = Annotated[
    str | None,
    typer.Option(
        help="Identity holding the registry's governance role (default: the key in REGISTRY_GOVERNANCE_KEY; on the "
        "local chain only, anvil's first test account)."
    ),
]
RootArg = Annotated[str, typer.Argument(help="DID (or local identity name) of the Root TAO.", metavar="ROOT")]
RootAttributeOpt = Annotated[
    str | None,
    typer.Option(
        "--attribute",
        help="Which of the root's accreditations (its attribute id, or its first 8+ hex digits), if several.",
    ),
]
OWN_CODES = (
    "Codes 5 to 255 have no words here (a scheme of your own): taken, with a warning, and shown to verifiers as "
    "the bare number; publish what they mean."
)


def accreditation_reason(value: str | int) -> int:
    """`--reason` as its code: a number (checked by trust_status._check_reason), or the words of a
    code as REASONS gives them, in any case (`--reason "audit pending"`); a default comes as its code."""
    if isinstance(value, int):
        return value
    text = " ".join(value.lower().split())
    if text.lstrip("-").isdigit() and len(text) < 6:
        return int(text)
    from registry.ops.trust.model import REASONS

    for code, words in REASONS.items():
        if text == words:
            return code
    raise typer.BadParameter(
        f"{value[:40]!r} is not a reason code (0 to 255) or its words ({', '.join(REASONS.values())})"
    )


# Every code of ops/trust/model.py REASONS, spelled out so `--help` loads no chain library
# (tests/cli/test_home.py holds the two lists equal).
AccReasonOpt = Annotated[
    int,
    typer.Option(
        metavar="CODE|WORDS",
        parser=accreditation_reason,
        help="Reason code, recorded on-chain: 0 unspecified, 1 requirements no longer met, 2 fraud, "
        f'3 audit pending, 4 audit passed (or those words: --reason "audit pending"). {OWN_CODES}',
    ),
]


def _require_registered(registry: Any, did: str, name: str | None = None, settings: Any = None) -> None:
    """Named by its DID, before the contract refuses it by the DID's hash; when not registered, also by
    its legal name (--name) or the name of the identity holding it in this home."""
    if not did.startswith("did:ebsi:"):
        raise InputError(f"{did[:60]} is not a did:ebsi: only registered organisations are accredited")
    if not registry.resolve(did).registered:
        from registry.cli.commands.status import _local

        local = _local(settings).get(did) if settings is not None else None
        run = f"register it first: `registry did register {local}`" if local else (
            "its holder must run `registry did register` first")  # fmt: skip
        raise InputError(f"{_named(name or local, did)} is not registered in the DID registry: {run}")


def _check_name(name: str | None) -> None:
    """--name: a legal name, stated on-chain for good: one line, not blank, at most 200 characters."""
    from registry.formats.accreditation import check_legal_name

    if name is not None:
        check_legal_name(name)


def _scopes(types: str, schema: str | None, jurisdiction: str | None) -> list[Any]:
    from registry.formats.accreditation import Scope

    names = tuple(t.strip() for t in types.split(",") if t.strip())
    if not names:
        raise InputError("--types needs at least one credential type")
    return [Scope(types=names, schema_id=schema, jurisdiction=jurisdiction)]


def _until(valid_until: str | None) -> int:
    return parse_until(valid_until) or int(time.time()) + 365 * 24 * 3600


@app.command("onboard-root")
def trust_onboard_root(
    ctx: typer.Context,
    root: Annotated[str, typer.Argument(help="Identity name of the Root TAO (it signs its authorisation).")],
    types: TypesOpt,
    governance: GovernanceOpt = None,
    schema: SchemaOpt = None,
    jurisdiction: JurisdictionOpt = None,
    valid_until: UntilOpt = None,
    name: NameOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Make an organisation a root of trust (Root TAO), e.g. a national vocational authority.

    Done by the registry's governance (--governance). The root's DID must be registered first (`did register`)."""
    from registry.ops.registry import Registry
    from registry.ops.trust import IssuerType, Trust

    with arguments():  # the command line itself: a usage error (64), before any key or node is used
        scopes, until, given = _scopes(types, schema, jurisdiction), _until(valid_until), parse_until(valid_until)
        _check_name(name)
    settings = settings_of(ctx, rpc, deployment)
    registry = Registry.connect(settings)
    refusal = "pass --governance NAME or set REGISTRY_GOVERNANCE_KEY (no default off the local chain)"
    account = account_of(settings, registry.client, governance, "REGISTRY_GOVERNANCE_KEY", refusal)
    identity = load_identity(settings, root)
    _require_registered(registry, identity.did, name, settings)
    trust = Trust(registry, settings.public_url)
    alike = trust.granted_alike(identity.did, identity.did, IssuerType.ROOT_TAO, scopes, given, name)
    if alike is not None:  # asked again: a second onboarding would outlive the first's suspension
        out.print(f"unchanged: {_named(name or root, identity.did)} is a Root TAO already, onboarded alike and in "
                  f"force (attribute {alike.hex()}): nothing was written")  # fmt: skip
        return
    attribute = trust.onboard_root(account, identity, scopes, until, name)
    out.print(f"{_named(name, identity.did)} is a Root TAO (attribute {attribute.hex()})")


@app.command("accredit")
def trust_accredit(
    ctx: typer.Context,
    parent: Annotated[str, typer.Option(help="Identity name of the accrediting Root TAO or TAO.")],
    child: Annotated[str, typer.Option(help="DID (or local identity name) of the party accredited.")],
    as_: Annotated[str, typer.Option("--as", help="tao (may accredit others) or ti (may issue).")],
    types: TypesOpt,
    schema: SchemaOpt = None,
    jurisdiction: JurisdictionOpt = None,
    valid_until: UntilOpt = None,
    name: NameOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Accredit a training centre that issues (--as ti) or a body that accredits others (--as tao).

    The parent (a Root TAO or TAO) grants it, for the credential types given, for a year unless
    --valid-until. The child's DID must be registered first (`did register`)."""
    from registry.formats.did import check_party_did
    from registry.ops.registry import Registry
    from registry.ops.trust import IssuerType, Trust

    kinds = {"tao": IssuerType.TAO, "ti": IssuerType.TI}
    with arguments():  # the command line itself: a usage error (64), before any key or node is used
        if as_.lower() not in kinds:
            raise InputError(f"--as must be tao (may accredit others) or ti (may issue), not {as_[:40]!r}")
        scopes, until = _scopes(types, schema, jurisdiction), parse_until(valid_until)
        if child.startswith("did:"):
            check_party_did(child)  # a DID's syntax (a did:ebsi mistyped: said so); a local name is looked up below
        _check_name(name)
    settings = settings_of(ctx, rpc, deployment)
    registry = Registry.connect(settings)
    trust = Trust(registry, settings.public_url)
    identity = load_identity(settings, parent)
    parent_attribute = trust.active_attribute(identity.did, parent)
    child_did = did_of(settings, child)
    _require_registered(registry, child_did, name, settings)
    # Each by its legal name, as its own accreditation states it (the child's: --name, else an earlier
    # accreditation's), else this home's name for it.
    local = child if child != child_did else None
    whom = _named(name or _legal_name(trust, child_did) or local, child_did)
    by = _named(_legal_name(trust, identity.did) or parent, identity.did)
    alike = trust.granted_alike(identity.did, child_did, kinds[as_.lower()], scopes, until, name)
    if alike is not None:  # asked again: as `recognition publish` of a decision in force, nothing written
        out.print(f"unchanged: {whom} already holds this accreditation from {by}, "
                  f"in force (attribute {alike.hex()}): nothing was written")  # fmt: skip
        return
    attribute = trust.accredit(  # until None: a year, or the parent's own end if that comes first
        identity, parent_attribute, child_did, kinds[as_.lower()], scopes, until, name
    )
    out.print(f"{whom} accredited as {as_.upper()} by {by} (attribute {attribute.hex()})")


def _legal_name(trust: Any, did: str) -> str | None:
    """The legal name `did`'s own accreditation states (`--name` when it was onboarded or accredited), or None."""
    from registry.ops.trust import legal_names

    return legal_names(trust.fetch([did])[did]).get(did)


def _named(name: str | None, did: str) -> str:
    """A party by the name given (its legal name, else this home's name for it) and its DID."""
    return f"{shown(name)} ({did})" if name else shown(did)


@app.command("suspend")
def trust_suspend(
    ctx: typer.Context,
    parent: ParentOpt,
    child: ChildOpt,
    attribute: AttributeOpt = None,
    reason: AccReasonOpt = 3,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Suspend an accreditation you granted (reversible: `trust reinstate`)."""
    change_accreditation(ctx, parent, child, attribute, "SUSPENDED", reason, rpc, deployment)


@app.command("reinstate")
def trust_reinstate(
    ctx: typer.Context,
    parent: ParentOpt,
    child: ChildOpt,
    attribute: AttributeOpt = None,
    reason: AccReasonOpt = 4,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Reinstate a suspended accreditation."""
    change_accreditation(ctx, parent, child, attribute, "ACTIVE", reason, rpc, deployment)


@app.command("revoke")
def trust_revoke(
    ctx: typer.Context,
    parent: ParentOpt,
    child: ChildOpt,
    attribute: AttributeOpt = None,
    reason: Annotated[
        int | None,
        typer.Option(
            metavar="CODE|WORDS",
            parser=accreditation_reason,
            help="Reason code, recorded on-chain: 0 unspecified, 1 requirements no longer met, 2 fraud, "
            f"3 audit pending, 4 audit passed, or those words (default 1; 2 with --for-cause-from). {OWN_CODES}",
        ),
    ] = None,
    for_cause_from: Annotated[
        str | None,
        typer.Option(
            "--for-cause-from",
            help="Revoke for cause (fraud): void from this date, not from now, so that what it issued from "
            "that date on is refused too. A bare date is the START of that day, UTC (2026-05-01: from "
            "00:00:00Z); 2026-05-01 14:00 is UTC; offsets allowed. Not later than now, nor before the "
            "accreditation began.",
        ),
    ] = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Revoke an accreditation you granted, for good.

    What the child issued before stays valid, unless it is revoked for cause from an earlier date
    (--for-cause-from): then what it issued from that date on is refused."""
    chosen = reason if reason is not None else 2 if for_cause_from is not None else 1
    change_accreditation(ctx, parent, child, attribute, "REVOKED", chosen, rpc, deployment, for_cause_from)


@app.command("suspend-root")
def trust_suspend_root(
    ctx: typer.Context,
    root: RootArg,
    attribute: RootAttributeOpt = None,
    reason: AccReasonOpt = 3,
    governance: GovernanceOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Governance suspends a Root TAO (reversible): while it lasts, nothing issued under it is accepted.

    What was issued before stays valid under the default policy (`registry verify --accreditation-policy`)."""
    change_root(ctx, root, attribute, "SUSPENDED", reason, governance, rpc, deployment)


@app.command("reinstate-root")
def trust_reinstate_root(
    ctx: typer.Context,
    root: RootArg,
    attribute: RootAttributeOpt = None,
    reason: AccReasonOpt = 4,
    governance: GovernanceOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Governance reinstates a suspended Root TAO."""
    change_root(ctx, root, attribute, "ACTIVE", reason, governance, rpc, deployment)


@app.command("revoke-root")
def trust_revoke_root(
    ctx: typer.Context,
    root: RootArg,
    attribute: RootAttributeOpt = None,
    reason: AccReasonOpt = 1,
    governance: GovernanceOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Governance revokes a Root TAO, for good.

    What was issued under it before stays valid under the default policy (`registry verify --accreditation-policy`)."""
    change_root(ctx, root, attribute, "REVOKED", reason, governance, rpc, deployment)
