"""The `registry` command: a thin shell over the library, Rich output, one-line errors.

- `app` (registry/cli/app.py): the typer app, its root option `--home`, the command groups;
- `commands/`: one module per command group (node and deploy, identity, did, trust, issuer,
  issue, status with revoke/suspend/reinstate, passport, journal, verify, serve);
- `options.py`: the options and settings commands share; typer's context object holds `--home`;
- `output.py`: every print, through registry/text.py (untrusted text is inert on a terminal);
- `exits.py`: the named exit codes and the one place that maps an exception to one;
- `helptext.py`, `examples.py`: how `--help` is shown (rewrapped to the terminal, arguments by
  their metavar) and the main commands' examples.

What is not about the command line lives in registry/ops/ (inputs, status changes, batches of
verification, the journal's view).
"""

from __future__ import annotations

from registry.cli.app import app
from registry.cli.exits import run


def main() -> None:
    """The console script `registry` (and `python -m registry`)."""
    run(app)


__all__ = ["app", "main"]
