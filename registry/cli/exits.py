"""Exit codes, named, and the one place where an exception becomes one.

A verdict command's exit code is its answer, so the codes mean one thing each, whatever raised:
0 success (for `verify`: valid; for `issuer check`: trusted), 1 failure, not valid or not trusted,
2 could not determine (the chain or the deployment could not be used, or what was given cannot show
it: a cohort member's bare JWT, whose holder file is needed; for `issuer check`, no trust list at
all: nobody said whether the root its chain reaches counts), 64 the command line is
wrong (an unknown option anywhere; a value an option cannot take, where a command checks it before
acting, as `trust`'s --as, --types, --reason and dates, `recognition`'s --reason, decision ids and
a decision's options, `trust-list add|remove`'s root (a malformed DID, no such name) and --registry
file; for `verify` and `issuer check` also a file
that is not there or a date that is not a date, and for `verify` a file of another command's, as a
logbook extract: never a verdict; for every command also a setting that cannot be used, wherever it
was given: an option, a REGISTRY_* environment variable, the home's config.json, as
`REGISTRY_CONFIRMATIONS=0` or `serve --rate -1`: `SettingsError`, named with its option or variable),
74 the output or local state (the journal, the
status allocation, a holder file) could not be written or read, 130 interrupted, 141 whoever read
the output stopped reading (`| head`).

Commands raise the project's own exceptions (registry/errors.py); `run` maps them to a one-line
error and a code through `_CODES`. The two context managers below re-classify what a verdict
command meets while reading its arguments or the chain, so that a mistyped file name is a usage
error and a node that cannot be believed is "could not determine", never a verdict.
"""

from __future__ import annotations

import contextvars
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, NoReturn

import typer

from registry import durable
from registry.cli.hints import ACTING, with_advice
from registry.errors import (
    ChainUnavailable,
    DeploymentMismatch,
    InputError,
    RegistryError,
    SettingsError,
    StateError,
    TransactionReverted,
)
from registry.text import shown

try:
    from typer._click.exceptions import UsageError  # typer >= 0.20 vendors click
except ImportError:  # pragma: no cover - an older typer on plain click
    from click.exceptions import UsageError  # type: ignore[assignment]

EXIT_OK = 0
EXIT_FAILURE = 1  # a failure; for `verify`: not valid; for `issuer check`: not trusted
EXIT_UNDETERMINED = 2  # could not determine: the chain or the deployment could not be used
EXIT_USAGE = 64  # sysexits.h EX_USAGE
EXIT_IO = 74  # sysexits.h EX_IOERR
EXIT_INTERRUPTED = 130  # what a shell reports for a process ended by SIGINT
EXIT_BROKEN_PIPE = 141  # what a shell reports for a process ended by SIGPIPE


class BadArguments(RegistryError):
    """What the command line named is wrong (not a verdict about a credential or an issuer)."""


# The first kind an exception is an instance of gives its exit code (most specific first).
_CODES: tuple[tuple[type[RegistryError], int], ...] = (
    (ChainUnavailable, EXIT_UNDETERMINED),
    (DeploymentMismatch, EXIT_UNDETERMINED),
    (BadArguments, EXIT_USAGE),
    (SettingsError, EXIT_USAGE),  # a setting's value (an option, REGISTRY_*, config.json): how the run was made
    (StateError, EXIT_IO),  # the journal, the status allocation or holder files: local state
    (RegistryError, EXIT_FAILURE),
)


@contextmanager
def arguments(*kinds: type[RegistryError]) -> Iterator[None]:
    """Around the reading of a verdict command's arguments (its files, dates, trust lists, and
    with `kinds`, its settings): an InputError there (or one of `kinds`) is a usage error (exit
    64), so a missing file or a mistyped date is never reported as "not valid" (exit 1)."""
    try:
        yield
    except RegistryError as exc:
        if not isinstance(exc, (InputError, *kinds)):
            raise
        raise BadArguments(str(exc)) from exc


@contextmanager
def view_calls() -> Iterator[None]:
    """Around a verdict command's chain reads: a view call the node says reverted is a node that
    cannot be believed (our views do not revert), so "could not determine", never "not trusted"."""
    try:
        yield
    except TransactionReverted as exc:
        raise ChainUnavailable(f"the node refused a read it should answer: {exc}") from exc


def closed_pipe() -> NoReturn:
    """Whoever read our output stopped reading (`| head`): leave quietly with the code a process
    ended by SIGPIPE gets, not 1, which `verify` reserves for "not valid". Anything still to be
    written goes nowhere, so the interpreter's last flush cannot fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise SystemExit(EXIT_BROKEN_PIPE)


def fail(message: str, code: int) -> NoReturn:
    # Plain write, not Rich: an error stays one line whatever the terminal width.
    from registry.i18n import _
    from registry.i18n.errorwords import error_message

    # One line; a no-break space (French, before a colon) is the language's, not a line's end to join.
    said = error_message(re.sub(r"[^\S\u00a0\u202f]+", " ", message).strip())  # a worker's commonest in her language
    sys.stderr.write(_("error: {message}").format(message=shown(said)) + "\n")
    sys.exit(code)


# The options of `registry` itself: given after a command, they are said to go before it.
ROOT_OPTIONS = ("--lang", "--home")


def _usage_words(exc: UsageError) -> str:
    """The option parser's refusal in the run's language (i18n/usage.py), with where to read more; an
    option of `registry` itself given after the command (`registry wallet list --lang fr`) is said to
    go before it."""
    from registry.i18n import _
    from registry.i18n.usage import ROOT_OPTION, SEE_HELP, usage_message

    message = usage_message(exc.format_message())
    name = getattr(exc, "option_name", None)
    if exc.ctx is None:
        return message
    path, root = exc.ctx.command_path, exc.ctx.find_root().command_path
    if name in ROOT_OPTIONS and path != root:
        example = f"{root} {name} … {path.removeprefix(root).strip()} …"
        return _(ROOT_OPTION).format(option=name, root=root, example=example)
    return _(SEE_HELP).format(message=message, command=path)


def _language(option: object = None) -> None:
    """The language of the run's words as `--lang` (`option`, when parsed) and the environment say;
    one we lack leaves it as it is (the root callback names the mistake)."""
    from registry import i18n

    with suppress(RegistryError):
        i18n.use(i18n.choose(option if isinstance(option, str) else None))


def _usage_language(exc: UsageError) -> None:
    """A usage error met before the root callback chose the language (`registry --lang fr nonsense`)
    is said in the `--lang` parsed so far; one without a context (the parser's) in the language the
    run has chosen by then (the environment's, at least: `run` chooses it first; a `--lang` given after the
    command, which the root group reads first: cli/app.py's `_Group.parse_args`)."""
    if exc.ctx is not None:
        root = exc.ctx.find_root()
        _language(root.params.get("lang") or root.meta.get("lang_after_command"))


def run(app: Callable[..., Any]) -> NoReturn:
    """Run the typer app as the console script does: every error one line with its exit code.

    In a context of its own, with the language it found: what a command sets for the rest of its
    run (`verify`'s read deadline, the identities a hint may name, its `--lang`) ends with it, so a
    caller running several commands in one process (a test, a library) does not carry the first's
    into the next (a read deadline of 8 s from the first `verify` failed every read made later)."""
    from registry import i18n

    language = i18n.current()
    try:
        contextvars.copy_context().run(_run, app)
    finally:
        i18n.use(language)


def _run(app: Callable[..., Any]) -> NoReturn:
    ACTING.set(())  # the identities a hint may name are this run's only
    _language()  # the environment's, until the root callback reads --lang
    try:
        code = app(standalone_mode=False)
    except UsageError as exc:
        if not exc.format_message():  # a command group named alone: its help was the answer
            sys.exit(EXIT_OK)
        _usage_language(exc)
        fail(_usage_words(exc), EXIT_USAGE)
    except RegistryError as exc:
        fail(with_advice(exc), next(code for kind, code in _CODES if isinstance(exc, kind)))
    except (KeyboardInterrupt, typer.Abort):
        fail("interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError:
        closed_pipe()
    except OSError as exc:
        # A file named on the command line fails with its name; the output (stdout) without one.
        where = f"{exc.filename}" if exc.filename else "the output"
        advice = durable.advice(exc) if exc.filename else ""  # the output is the caller's
        fail(f"cannot write {where}: {exc.strerror or exc}{advice}", EXIT_IO)
    if code == EXIT_INTERRUPTED:  # typer turns Ctrl-C into a silent exit 130
        fail("interrupted", EXIT_INTERRUPTED)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
