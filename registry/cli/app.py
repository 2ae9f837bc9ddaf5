"""The `registry` typer app: the root options, and every command group in the order `--help`
lists them (top-level commands first, then groups, each in the order registered here).

Where a new command goes: into the module of its group under registry/cli/commands/ (a new group
gets a module of its own with its `app`, added below); a new top-level command is registered
below beside its subject's others. Its options come from registry/cli/options.py when several
commands share them, its output goes through registry/cli/output.py, and its failures are the
project's exceptions, which registry/cli/exits.py maps to exit codes.
"""

from __future__ import annotations

import typer

from registry.cli.commands import (
    config,
    did,
    identity,
    issue,
    issuer,
    journal,
    logbook,
    logbook_sync,
    node,
    passport,
    programme,
    recognition,
    rpl,
    serve,
    status,
    supervisor,
    trust,
    trustlist,
    verify,
    wallet,
)
from registry.cli.options import Home, HomeOpt, LangOpt, language

app = typer.Typer(
    name="registry",
    help="Blockchain-anchored skills credential registry (EBSI-style).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(ctx: typer.Context, home: HomeOpt = None, lang: LangOpt = None) -> None:
    language(lang)
    ctx.obj = Home(home)


app.add_typer(status.app, name="status")
app.add_typer(journal.app, name="journal")
app.add_typer(trust.app, name="trust")
app.add_typer(trustlist.app, name="trust-list")
app.add_typer(recognition.app, name="recognition")
app.add_typer(passport.app, name="passport")
app.add_typer(wallet.app, name="wallet")
app.add_typer(programme.app, name="programme")
app.add_typer(supervisor.app, name="supervisor")
logbook.app.command("sync")(logbook_sync.sync)  # its own module: the work of passing files on
app.add_typer(logbook.app, name="logbook")
app.add_typer(rpl.app, name="rpl")
app.add_typer(issuer.app, name="issuer")
app.add_typer(node.app, name="node")
app.add_typer(identity.app, name="identity")
app.add_typer(did.app, name="did")
app.add_typer(config.app, name="config")

app.command()(node.deploy)
app.command()(issue.issue)
app.command()(issue.issued)
app.command()(rpl.attest)
app.command()(status.revoke)
app.command()(status.suspend)
app.command()(status.reinstate)
app.command()(verify.verify)
app.command("serve", help=serve.HELP)(serve.serve)
