"""`registry logbook sync`: pass entry files made offline on through a registry service's boxes
(registry/ops/logbook/sync.py), as the learner, her supervisor or the provider."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.options import DeploymentOpt, RpcOpt, load_identity, settings_of
from registry.cli.output import out
from registry.errors import InputError


def sync(
    ctx: typer.Context,
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="DIR",
            help="The learner's logbook; the supervisor's directory of entries to review; the provider's directory.",
        ),
    ],
    service: Annotated[str, typer.Option("--service", help="The registry service's URL.")],
    learner: Annotated[str | None, typer.Option(help="As the learner: her identity name.")] = None,
    from_wallet: Annotated[bool, typer.Option("--from-wallet", help="As the learner, with her wallet's key.")] = False,
    wallet: Annotated[
        Path | None, typer.Option("--wallet", help="The wallet directory (default <home>/wallet).")
    ] = None,
    supervisor: Annotated[str | None, typer.Option(help="As the learner: the did:key her entries go to.")] = None,
    signer: Annotated[str | None, typer.Option(help="As a supervisor or assessor: her identity name.")] = None,
    issuer: Annotated[str | None, typer.Option(help="As the provider: its identity name (anchors the day).")] = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Pass entry files on through a registry service, for whoever runs it: learner, supervisor or provider.

    The learner (--learner or --from-wallet) sends her entries to her supervisor and gets back those
    countersigned; the supervisor (--signer) gets entries to review and sends the countersigned ones
    to the provider; the provider (--issuer) anchors them in one transaction and sends each back to
    its learner. Exit 64 for a malformed --service URL, 2 when the service cannot be reached."""
    from registry.cli.commands.logbook import _person, _provider
    from registry.cli.exits import arguments
    from registry.config import check_service_url
    from registry.ops.logbook import Logbook
    from registry.ops.logbook import sync as syncing
    from registry.service.client import ServiceClient

    with arguments():  # the command line itself: a usage error (64), before any key or node is used
        check_service_url(service)
        roles = [learner is not None or from_wallet, signer is not None, issuer is not None]
        if sum(roles) != 1:
            raise InputError("say who syncs: --learner NAME or --from-wallet, --signer NAME, or --issuer NAME")
    boxes = ServiceClient(service)
    if issuer is not None:
        directory.mkdir(parents=True, exist_ok=True)
        result = syncing.provider(directory, _provider(ctx, issuer, rpc, deployment), boxes)
    elif signer is not None:
        if directory.exists() and not directory.is_dir():
            raise InputError(f"{directory} is not a directory: name a directory, for the entries to review")
        directory.mkdir(parents=True, exist_ok=True)  # her first sync: where what waits for her is written
        result = syncing.supervisor(directory, load_identity(settings_of(ctx), signer), boxes)
    else:
        book = Logbook(directory)
        identity = _person(ctx, learner, from_wallet, wallet, str(book.enrolment.get("sub")))
        result = syncing.learner(book, identity, boxes, supervisor)
    _said(result)


def _said(result: Any) -> None:
    """What a sync did, in the run's language: the learner's and the supervisor's command as much as the provider's."""
    from registry.i18n import _, joined, ngettext

    parts = [
        ngettext("sent {n} entry", "sent {n} entries", result.sent).format(n=result.sent),
        ngettext("received {n} entry", "received {n} entries", result.received).format(n=result.received),
    ]
    if result.anchored and result.role == "learner":  # hers, back: the provider anchored them, not she
        parts.append(ngettext("{n} of them anchored by the provider", "{n} of them anchored by the provider",
                              result.anchored).format(n=result.anchored))  # fmt: skip
    elif result.anchored:
        parts.append(ngettext("anchored {n} entry", "anchored {n} entries", result.anchored).format(n=result.anchored))
    out.print(joined(parts))
    if result.waiting:
        out.print("  " + ngettext("{n} entry not countersigned yet: --supervisor DID sends it to her",
                                  "{n} entries not countersigned yet: --supervisor DID sends them to her",
                                  result.waiting).format(n=result.waiting))  # fmt: skip
    if result.ahead:  # the provider's: anchored now, they would be dated after their anchor
        out.print("  " + ngettext("{n} entry dated after today (UTC, the chain's day) left in the box: a sync on "
                                  "or after that day anchors it", "{n} entries dated after today (UTC, the chain's "
                                  "day) left in the box: a sync on or after that day anchors them",
                                  result.ahead).format(n=result.ahead))  # fmt: skip
    for fields in result.review:  # the supervisor's: what she is to read before she countersigns
        out.print("  " + _("to review: {date} {unit} {hours} h at {workplace}: {activity} (learner {learner}) in "
                           "{file}").format(**fields))  # fmt: skip
    if result.review:
        out.print("  " + _("read them, then `logbook sign` them and sync again to send them to the provider"))
    for why in result.refused:  # the reason stays as the service or the check wrote it
        out.print("  " + _("set aside: {why}").format(why=why))
