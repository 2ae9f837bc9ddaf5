"""One module per command group; registry/cli/app.py puts them together.

Each module holds its group's typer app (`node.app`, ...) and any top-level command of its
subject (`node.deploy`, `issue.issue`, `status.revoke`, `verify.verify`), with what only its
commands need. What is not about the command line (reading inputs, sending a status change,
verifying a mixed list) lives in registry/ops/; what every command shares, in registry/cli/
(options, output, exits). A command imports what it needs when it runs, so that `registry verify`
does not load what `registry deploy` needs.
"""
