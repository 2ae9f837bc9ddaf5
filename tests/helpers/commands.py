"""`registry ARGV...` run in this process, as `python -m registry` runs it.

A command run as a real process costs a Python start and the imports, 1-1.7 s on the test machine;
in this process it costs the command alone. Same entry point (registry.cli.main, so exits.run's
error lines and exit codes), same environment (`env` is the whole environment, as subprocess.run's
`env=`, set for the call and put back after), stdin from `stdin`, stdout and stderr captured, and
the program name `python -m registry` in what it says (click reads it from `__main__` and argv).

What is about the process itself stays a real process: the console script, an exit code as the
shell sees it, a closed pipe, a signal (tests/cli/test_cli.py `run_process`)."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from collections.abc import Mapping
from pathlib import Path

import pytest

import registry

MAIN = str(Path(registry.__file__).with_name("__main__.py"))


def registry_in_process(
    argv: list[str], env: Mapping[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m registry ARGV...` in this process: its exit code, stdout and stderr."""
    from typer.testing import CliRunner

    from registry.cli import main

    as_module = types.ModuleType("__main__")
    as_module.__package__ = "registry"  # how click tells `python -m registry` (its program name)
    whole_env: dict[str, str | None] = {**dict.fromkeys(os.environ), **env}
    with pytest.MonkeyPatch.context() as patch, CliRunner().isolation(input=stdin, env=whole_env) as (out, err, _):
        patch.setattr(sys, "argv", [MAIN, *argv])
        patch.setitem(sys.modules, "__main__", as_module)
        try:
            main()
        except SystemExit as ended:  # main always ends so, as the process does
            code = ended.code
        sys.stdout.flush()
        sys.stderr.flush()
        said = out.getvalue().decode(), err.getvalue().decode("utf-8", "backslashreplace")
    returncode = code if isinstance(code, int) else (0 if code is None else 1)
    return subprocess.CompletedProcess(["registry", *argv], returncode, *said)
