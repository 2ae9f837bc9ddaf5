"""The option parser's refusals (typer's click: a missing option, a bad value, an unknown command)
in the language of the run, read back by the shapes click writes them in, as i18n/words.py reads
back the verifier's sentences. Typer vendors click without its gettext calls, so no catalog of
click's own can be installed: `registry/cli/exits.py`, the one place a usage error becomes output,
passes its message through `usage_message`. A message of another shape is shown as written.
"""

from __future__ import annotations

import re
from functools import cache

from registry.i18n import DEFAULT, N_, _, current
from registry.i18n.errorwords import error_message
from registry.i18n.words import pattern

# What each field stands for: a parameter as click quotes it ('--out', or '--out' / '-o'), a value as
# click writes it (its repr, or a number), anything else one word.
_NAME = r"'[^']+'(?: / '[^']+')*"
_FIELDS = {"name": _NAME, "option": r"\S+", "options": r".+", "args": r".+", "value": r".+", "range": r"\S+",
           "values": r".+", "n": r"\d+", "rest": r".+"}  # fmt: skip
# The parser's messages (typer/_click parser.py, core.py, exceptions.py; typer/core.py), most specific first.
_MESSAGES = (
    N_("No such option: {option} (Possible options: {options})"),
    N_("No such option: {option}"),
    N_("No such command {value}."),
    N_("Missing command."),
    N_("Missing option {name}."),
    N_("Missing argument {name}."),
    N_("Missing parameter {name}."),
    N_("Option {name} requires an argument."),
    N_("Option {name} requires {n} arguments."),
    N_("Option {name} does not take a value."),
    N_("Got unexpected extra argument(s) ({args})"),
    N_("Invalid value for {name}: {rest}"),
    N_("Invalid value: {rest}"),
)
# What a type says of a value it cannot take (the rest of an "Invalid value" message); a command's own
# refusal there (a callback's) is read back as a worker's errors are (errorwords.error_message).
_VALUES = (
    N_("{value} is not a valid integer."),
    N_("{value} is not a valid float."),
    N_("{value} is not in the range {range}."),
    N_("{value} is not a valid boolean. Recognized values: {values}"),
)
# A range type names itself after the number it takes (click's IntRange, FloatRange).
_KINDS = {
    "is not a valid int range.": "is not a valid integer.",
    "is not a valid float range.": "is not a valid float.",
}
# Where to read more, after the message; and an option of `registry` itself given after the command.
SEE_HELP = N_("{message} (see `{command} --help`)")
ROOT_OPTION = N_("{option} is an option of `{root}` itself: give it before the command (`{example}`)")


@cache
def _tables() -> tuple[tuple[tuple[re.Pattern[str], str], ...], ...]:
    def compiled(table: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
        return tuple((re.compile(pattern(message, _FIELDS), re.DOTALL), message) for message in table)

    return compiled(_MESSAGES), compiled(_VALUES)


def _read_back(table: tuple[tuple[re.Pattern[str], str], ...], text: str) -> str | None:
    for regex, message in table:
        match = regex.fullmatch(text)
        if match is not None:
            fields = match.groupdict()
            if "rest" in fields:  # what a type or a command said of the value
                rest = fields["rest"]
                for kind, number in _KINDS.items():
                    rest = rest.removesuffix(kind) + number if rest.endswith(kind) else rest
                fields["rest"] = _read_back(_tables()[1], rest) or error_message(fields["rest"])
            return _(message).format(**fields)
    return None


def usage_message(text: str) -> str:
    """A usage error's message in the language of the run (one of another shape: as written)."""
    if current() == DEFAULT:
        return text
    return _read_back(_tables()[0], text) or text
