"""What the `registry` command prints, and how: every byte of output goes through here.

Everything printed that did not come from the command line's own templates (credential content,
verifier messages, file names, DIDs, command-line values) goes through registry/text.py: `out`
interprets no Rich markup unless a print says `markup=True`, and then every value in its
template is `markup(...)`; whatever reaches `out` has its control and invisible format
characters escaped (`_Output`), and JSON is written by `write_json` as `json_text` made it. A
reader that stops reading (`| head`) is answered once, by `exits.closed_pipe`, whichever kind of
output noticed it.

The verdict rendering (`print_report`) is shared by `verify` (local, quorum or through a
service, whose JSON answers are read back into the same shape) and `issuer check`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.table import Table

from registry.cli.details import detail_line
from registry.cli.exits import closed_pipe
from registry.cli.summarylines import competency_lines, equivalents_lines, party
from registry.i18n import N_, _, ngettext
from registry.i18n.flagwords import warning_text
from registry.i18n.partywords import holder_party, named, parties
from registry.i18n.recognitionwords import recognition_line
from registry.i18n.words import (
    POLICIES,
    achievement_type,
    check_label,
    check_message,
    headline,
    localised,
    verdict_word,
)
from registry.text import json_text, markup, shown, shown_lines
from registry.text import short_did as text_short_did


class _Output(Console):
    """The console: no markup unless asked for, and no control or invisible format character from
    any text it is given (our own newlines aside), so nothing printed can move the cursor, erase a
    line or reorder the text after it."""

    def render_str(self, text: str, **kwargs: Any) -> Any:
        return super().render_str(shown_lines(text), **kwargs)

    def on_broken_pipe(self) -> None:
        closed_pipe()


out = _Output(soft_wrap=True, emoji=False, highlight=False, markup=False)


def progress_console() -> Console:
    """Where progress bars go: stderr, so stdout stays the report alone."""
    return Console(stderr=True)


def progress_kept_quiet(console: Console) -> bool:
    """No bar where stderr is no terminal (a log file, a pipe): there it would draw nothing and leave
    an empty line behind."""
    return not console.is_terminal


@contextmanager
def progress_bar(label: str, total: int, *, hidden: bool) -> Iterator[Callable[[int], None]]:
    """A transient progress bar for `total` inputs on the progress console; the function it gives
    advances it. `hidden` (one input): no bar, and rich's progress machinery is not even imported."""
    if hidden:
        yield lambda _done: None
        return
    from rich.progress import Progress

    console = progress_console()
    with Progress(console=console, transient=True, disable=progress_kept_quiet(console)) as progress:
        task = progress.add_task(label, total=total)
        yield lambda done: progress.advance(task, done)


def write(text: str) -> None:
    """Plain output (JSON): flushed at once, so a reader that stopped reading is noticed here and
    answered as Rich output is (exit 141), not by typer's catch-all (exit 1, "not valid")."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        closed_pipe()


def write_json(value: Any) -> None:
    """One JSON document, indented, inert on a terminal (registry/text.py), and a newline."""
    write(json_text(value, indent=2, ascii_only=True) + "\n")


class JsonReports:
    """Reports written as JSON as they come: one report alone as an object, several as an array
    written element by element, so memory stays flat however many there are."""

    def __init__(self, single: bool) -> None:
        self.single = single
        self.emitted = 0

    def add(self, report: Any) -> None:
        text = json_text(report, indent=2, ascii_only=True)
        write(text if self.single else ("[\n" if self.emitted == 0 else ",\n") + text)
        self.emitted += 1

    def close(self) -> None:
        write("\n" if self.single else "\n]\n")


def warn(message: str) -> None:
    """A warning on stderr, on one line: the command goes on."""
    sys.stderr.write(_("warning: {message}").format(message=shown(message)) + "\n")


def count(n: int, noun: str) -> str:
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {noun[:-1]}ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else f"{n} {noun}s"


SYMBOL = {
    "pass": "[green]✔[/]",
    "fail": "[red]✘[/]",
    "unknown": "[yellow]?[/]",
    "skipped": "[dim]-[/]",
}
_COLOUR = {"valid": "green", "could not determine": "yellow", "root not trusted": "magenta", "not yet issued": "blue"}


# A DID in text output as registry/text.py's `short_did` writes it (whole up to 40 characters, so a
# did:ebsi stays whole; a did:key as its start and end); --json keeps every DID whole.
_DID = re.compile(r"did:(?:key|ebsi|web|jwk):[A-Za-z0-9._%:-]{17,}")


def short_did(did: object) -> str:
    """A DID shortened for reading (anything else unchanged)."""
    text = str(did)
    return _short(match) if (match := _DID.fullmatch(text)) else text


def _short(match: re.Match[str]) -> str:
    return text_short_did(match.group())


def shorten_dids(text: str) -> str:
    return _DID.sub(_short, text)


def print_report(report: Any, indent: str = "") -> None:
    """The verdict line (not indented), then what the credential certifies, then indented check
    lines: nothing from the credential or the file name can start a line of its own or style itself
    (see registry/text.py). DIDs over 40 characters are shortened to their start and end; --json has them whole."""
    colour = _COLOUR.get(str(report.verdict), "red")
    summary = shorten_dids(headline(str(report.summary)))
    out.print(f"{indent}[bold]{markup(report.source)}[/]: [bold {colour}]{markup(summary)}[/]", markup=True)
    if hasattr(report, "credentials"):  # a passport: its summary, holder checks, then each credential
        if report.competencies:
            for line in [*competency_lines(report.competencies), *equivalents_lines(report)]:
                out.print(f"{indent}  {shown(line)}")
        holder = holder_party(getattr(report, "holder", None), report.competencies)  # by the credentials' name
        for check in report.checks:
            _print_check(check, indent, holder)
        for inner in report.credentials:
            print_report(inner, indent + "  ")
        return
    certifies = getattr(report, "certifies", None)
    if certifies:
        if caveat := unconfirmed(report):
            out.print(f"{indent}  [bold red]{markup(caveat)}[/]", markup=True)
        print_certified(certifies, indent + "  ", untrusted=str(report.verdict) == "root not trusted")
    print_warnings(getattr(report, "warnings", None) or [], indent + "  ")
    policy = getattr(report, "accreditation_policy", None)
    if isinstance(policy, str):
        words = _("accreditation policy: {policy}").format(policy=_(POLICIES[policy]) if policy in POLICIES else policy)
        out.print(f"{indent}  [dim]{markup(words)}[/]", markup=True)
    recognition = getattr(report, "recognition", None)
    if isinstance(recognition, dict):
        out.print(f"{indent}  [bold]{markup(shorten_dids(recognition_line(recognition)))}[/]", markup=True)
    names = parties(report.checks, certifies)  # the issuer, its accreditation chain, by name beside their DIDs
    for check in report.checks:
        _print_check(check, indent, names)
        evidence = detail_line(check.evidence)
        if evidence:
            out.print(f"{indent}      [dim]{markup(shorten_dids(evidence))}[/]", markup=True)
    shown_evidence = getattr(report, "evidence", None)
    if shown_evidence:
        print_evidence(shown_evidence, indent + "  ")


def print_warnings(warnings: list[Any], indent: str) -> None:
    """A report's texts to read closely (formats/flags.py), a line each, in the run's language: never a verdict."""
    for warning in warnings:
        words = _("warning: {message}").format(message=warning_text(warning))
        out.print(f"{indent}[bold yellow]![/] {markup(words)}", markup=True)


def unconfirmed(report: Any) -> str | None:
    """Said over what a credential says when its checks failed or could not all be made, as the page
    says it (static/app.js `unconfirmed`): what the file says, not what the registry confirms (a
    tampered file's name is shown as it was changed); an expired one is genuine, only not in force."""
    verdict, failed = str(report.verdict), [c for c in report.checks if str(c.outcome) == "fail"]
    if verdict == "invalid" and failed and all(c.name == "validity period" for c in failed):
        return _("Genuine, as its issuer signed and anchored it, but outside its validity period (below): it "
                 "does not count now.")  # fmt: skip
    if verdict == "invalid":
        return _("What the file says, not confirmed: it failed the checks below, so none of it can be relied on.")
    if verdict == "could not determine":
        return _("What the file says, not confirmed yet: the checks below could not all be made.")
    return None


_EVIDENCE_STATES = {"matched": N_("matched"), "altered": N_("altered"), "not shown": N_("not shown")}
_EVIDENCE_COUNTS = N_("{matched} of {total} evidence items shown and matched, {altered} altered (not valid), "
                      "{not_shown} not shown")  # fmt: skip


def print_evidence(evidence: dict[str, Any], indent: str) -> None:
    """What `verify --evidence` found, an item a line (RPL credentials), in the run's language but
    for each item's message (the verifier's detail, as a check's)."""
    summary, items = str(evidence.get("summary")), evidence.get("items") or []
    fields = {"matched": evidence.get("matched"), "altered": evidence.get("altered"),
              "not_shown": evidence.get("not_shown"), "total": len(items)}  # fmt: skip
    counted = _EVIDENCE_COUNTS.format(**fields)
    if items and summary.startswith(counted):
        summary = _(_EVIDENCE_COUNTS).format(**fields) + summary[len(counted) :]
    out.print(indent + shown(_("evidence: {summary}").format(summary=summary)))
    for item in items:
        state = str(item.get("state"))
        word = _(_EVIDENCE_STATES[state]) if state in _EVIDENCE_STATES else state
        said = item.get("message")  # what adds nothing to the state ("not shown: ...: not shown") is left out
        value = f"{item.get('name') or item.get('id')} ({item.get('genre')})" + (f": {said}" if said != state else "")
        out.print(indent + "  " + shown(_("{label}: {value}").format(label=word, value=value)))


def print_certified(certified: dict[str, Any], indent: str, *, untrusted: bool = False) -> None:
    """What a credential certifies, a line a fact, each value inert (registry/text.py); its texts in
    the run's language where the credential gives them in it. `untrusted`: under a root the verifier
    has not said it trusts, the issuer's name is that root's chain's word only (it may be any name)."""
    certified = localised(certified)
    kind = f" ({achievement_type(certified['achievement_type'])})" if certified.get("achievement_type") else ""
    eqf = _(" — EQF level {level}").format(level=certified["eqf_level"]) if certified.get("eqf_level") else ""
    lines = [(certified.get("name") or _("(no name)")) + kind + eqf]
    for key, word in (("description", _("description")), ("criteria", _("criteria"))):
        if certified.get(key) and certified.get(key) != certified.get("name"):
            lines.append("  " + _("{label}: {value}").format(label=word, value=certified[key]))
    for key, word in (("skills", _("skill")), ("occupations", _("occupation"))):
        for entry in certified.get(key) or []:
            label = entry.get("label") or _("(no label)")
            lines.append("  " + _("{label}: {value}").format(label=word, value=f"{label} <{entry.get('uri')}>"))
    lines.extend(_elm_lines(certified))
    until = (
        _("until {date}").format(date=certified["valid_until"]) if certified.get("valid_until") else _("no expiry date")
    )
    dates = _("issued {issued}, valid from {valid_from}").format(
        issued=certified.get("issued") or "?", valid_from=certified.get("valid_from") or "?"
    )
    lines.append("  " + _("{dates}, {until}").format(dates=dates, until=until))
    issuer = certified.get("issuer") or {}
    by = _("issuer: {party}, as its accreditation names it, under a root you have not said you trust")
    lines.append("  " + (by if untrusted and issuer.get("name") else _("issuer: {party}")).format(party=party(issuer)))
    holder = certified.get("holder") or {}
    document = _(", document {document}").format(document=holder["document"]) if holder.get("document") else ""
    lines.append("  " + _("holder: {party}").format(party=party(holder, document)))
    for line in lines:
        out.print(f"{indent}{shown(line)}")


def _elm_lines(certified: dict[str, Any]) -> list[str]:
    """What a Europass credential says beyond an Open Badge: learning outcomes (those that are not
    already a skill's label), credit points, and the awarding body when it is not the issuer."""
    labels = {entry.get("label") for entry in certified.get("skills") or []}
    lines = [
        "  " + _("learning outcome: {title}").format(title=title)
        for title in certified.get("learning_outcomes") or []
        if title not in labels
    ]
    for credit in certified.get("credits") or []:
        framework = f" ({credit['framework']})" if credit.get("framework") else ""
        lines.append("  " + _("credits: {points}").format(points=credit.get("points")) + framework)
    body = certified.get("awarding_body")
    if body and body.get("did") != (certified.get("issuer") or {}).get("did"):
        lines.append("  " + _("awarded by: {party}").format(party=party(body)))
    return lines


def _print_check(check: Any, indent: str, names: dict[str, tuple[str, str]] | None = None) -> None:
    symbol = SYMBOL.get(str(check.outcome), "?")
    name, message = check_label(check.name), named(check_message(str(check.message)), names or {})
    line = _("{check}: {message}").format(check=markup(name), message=markup(shorten_dids(message)))
    out.print(f"{indent}  {symbol} {line}", markup=True)


def tally(counts: dict[str, int], report: Any) -> int:
    """Add one file's report to `counts` (verdict -> credentials) and return how many credentials
    it held: a passport counts each credential inside (each with its own verdict, or all with the
    passport's when the passport failed a check of its own), any other file counts once."""
    inner = getattr(report, "credentials", None)
    if not isinstance(inner, list) or not inner:
        counts[str(report.verdict)] = counts.get(str(report.verdict), 0) + 1
        return 1
    refused = any(str(check.outcome) == "fail" for check in report.checks)
    for credential in inner:
        verdict = str(report.verdict if refused else credential.verdict)
        counts[verdict] = counts.get(verdict, 0) + 1
    return len(inner)


def print_counts(counts: dict[str, int], files: int) -> None:
    """The summary table of a run over several files: how many credentials got each verdict
    ("N credentials in M files" when a passport made them differ)."""
    total = sum(counts.values())
    title = ngettext("{n} credential checked", "{n} credentials checked", total).format(n=total)
    if total != files:
        title = _("{n} credentials in {files} files checked").format(n=total, files=files)
    table = Table(_("verdict"), _("credentials"), title=title)
    for verdict, number in sorted(counts.items()):
        table.add_row(shown(verdict_word(verdict)), str(number))
    out.print(table)
