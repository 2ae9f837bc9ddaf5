"""How `registry logbook verify` prints its report (registry/ops/logbook/reports.py's
`ExtractReport`): the verdict line with a tally, the learner, programme and provider by name, the
qualification's line, then each entry."""

from __future__ import annotations

from typing import Any

from registry.cli.output import out
from registry.i18n import N_, _, joined, ngettext, number
from registry.i18n.flagwords import warning_text
from registry.text import named_did, shown

# The verdicts of a logbook extract and of its entries (ops/logbook/checks.py), as words of the run's language.
VERDICTS = {"valid": N_("valid"), "not valid": N_("not valid"), "revoked": N_("revoked"),
            "could not determine": N_("could not determine")}  # fmt: skip


def verdict_word(verdict: str) -> str:
    return _(VERDICTS[verdict]) if verdict in VERDICTS else verdict


def _counted(verdict: str, n: int) -> str:
    """ "4 valid": a count of entries by verdict, agreed with the count as each language agrees it."""
    if verdict == "valid":
        return ngettext("{n} valid", "{n} valid", n).format(n=n)
    if verdict == "not valid":
        return ngettext("{n} not valid", "{n} not valid", n).format(n=n)
    if verdict == "revoked":
        return ngettext("{n} revoked", "{n} revoked", n).format(n=n)
    if verdict == "could not determine":
        return ngettext("{n} could not be determined", "{n} could not be determined", n).format(n=n)
    return f"{n} {verdict}"


def _tally(entries: list[Any]) -> str:
    """ "4 valid, 1 not valid" (in the order met)."""
    found: dict[str, int] = {}
    for e in entries:
        found[e.verdict] = found.get(e.verdict, 0) + 1
    return joined(_counted(verdict, n) for verdict, n in found.items())


def print_report(report: Any) -> None:
    """The report, in the run's language (`registry --lang`): its words; each reason stays as the
    verifier wrote it, as `registry verify`'s details do."""
    mixed = len({e.verdict for e in report.entries}) > 1
    head = ngettext("{verdict}: {n} entry of logbook {logbook}", "{verdict}: {n} entries of logbook {logbook}",
                    report.count)  # fmt: skip
    head = head.format(verdict=verdict_word(report.verdict), n=report.count, logbook=shown(report.logbook))
    out.print(head + (f" ({_tally(report.entries)})" if mixed else ""))
    names = report.names
    if report.learner:  # her name as her enrolment gives it, with her DID (shortened), else her DID whole
        named = named_did(report.learner, names["learner"]) if names.get("learner") else shown(report.learner)
        out.print("  " + _("learner: {name}").format(name=named))
    if names.get("title"):
        out.print(
            "  " + _("programme: {title} ({ref})").format(title=shown(names["title"]), ref=shown(report.programme))
        )
    if names.get("providerDid"):
        did = shown(names["providerDid"])
        named = f"{shown(names['provider'])} ({did})" if names.get("provider") else did
        out.print("  " + _("provider: {name}").format(name=named))
    signers = dict.fromkeys(named_did(e.signer, e.signer_name) for e in report.entries if e.signer)
    if signers:  # who signed the entries off, each once: her name (as her authorisation gives it), her DID
        out.print("  " + _("signed off by: {names}").format(names=joined(signers)))
    for warning in report.warnings:  # texts to read closely: never a verdict
        out.print("  ! " + _("warning: {message}").format(message=shown(warning_text(warning))))
    if report.qualification is not None:
        _print_against(report)
    for problem in report.problems + report.unknown:
        out.print(f"  {shown(problem)}")
    for note in report.notes:
        out.print("  " + _("note: {note}").format(note=shown(note)))
    for e in report.entries:
        out.print(f"  {entry_line(e)}" + entry_why(e))


def entry_why(e: Any) -> str:
    """ " (why)": an entry's reasons and notes, each in the run's language where it is a common one
    (i18n/logbookwords.py), else as the verifier wrote it; "" when it has none."""
    from registry.i18n.logbookwords import entry_reason

    why = joined((entry_reason(text) for text in e.to_json()["reasons"] + e.notes), strong=True)
    return f" ({shown(why)})" if why else ""


def shortened(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, an ellipsis saying so."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def entry_line(e: Any) -> str:
    """An entry as `logbook verify` lists it: its day, unit and the unit's title, the activity
    (shortened when long: the file has it whole), its hours and its verdict."""
    unit = f"{e.unit} {shortened(e.title, 40)}" if e.title else e.unit
    return _("{date} · {unit} · {activity} · {hours} h: {verdict}").format(
        date=shown(e.date), unit=shown(unit), activity=shown(shortened(e.activity, 60)), hours=number(e.hours),
        verdict=verdict_word(e.verdict),
    )  # fmt: skip


def _print_against(report: Any) -> None:
    """The qualification's line, and when only entries it did not count make the verdict, that."""
    q = report.qualification
    outside = [e for e in report.entries if any(n.startswith("not counted by the qualification") for n in e.notes)]
    line = _("against the qualification: {shown} of its {entries} entries shown, root {root}").format(
        shown=q["shown"], entries=q["entries"], root=q["root"]
    )
    if outside:
        line += _("; {n} shown that it did not count ({tally})").format(n=len(outside), tally=_tally(outside))
    out.print("  " + line)
    counted = [e for e in report.entries if e not in outside]
    if (
        report.verdict != "valid"
        and not report.problems + report.unknown
        and all(e.verdict == "valid" for e in counted)
    ):
        out.print("  " + _(
            "the qualification stands, and every entry shown that it counted is valid: the verdict comes from "
            "entries shown that it did not count (`registry logbook share` without --all or --entry leaves them out)"
        ))  # fmt: skip


# The hours `logbook show --check` leaves out of a unit's (ops/logbook/checked.py), each with its words.
LEFT_OUT = (("revoked", N_("{hours} h revoked, not counted")), ("notValid", N_("{hours} h not valid, not counted")),
            ("undetermined", N_("{hours} h could not be checked, not counted")))  # fmt: skip


def print_progress(progress: Any, issued: bool = False, checked: bool = False) -> None:
    """`logbook show`: hours per unit against the programme (ops/logbook/book.py's `Progress`), and
    what is missing: the learner's own view, in her language (`registry --lang`). With nothing
    missing, whether the qualification is `issued` (its file in the logbook) or is the provider's
    to issue: a bare "complete" read as if it were done; `checked`: the hours met were checked on
    the chain (`--check`), each unit's hours left out said."""
    out.print(f"{shown(progress.programme.title)} ({shown(progress.programme.ref)})")
    for u in progress.units:  # the learner's own view: in her language (`registry --lang`)
        line = (
            _("{unit} {title}: {anchored} of {needed} h anchored ({countersigned} h countersigned; {backdated} h "
              "backdated, never counted)")
            if u["backdated"]
            else _("{unit} {title}: {anchored} of {needed} h anchored ({countersigned} h countersigned)")
        )  # fmt: skip
        out.print("  " + line.format(unit=shown(u["unit"]), title=shown(u["title"]), anchored=number(u['anchored']),
                                     needed=number(u['needed']), countersigned=number(u['countersigned']),
                                     backdated=number(u['backdated'])))  # fmt: skip
        if u["beforeEnrolment"]:
            early = _("{hours} h dated before the enrolment ({enrolled}), never counted")
            out.print("    " + early.format(hours=number(u["beforeEnrolment"]), enrolled=progress.enrolled))
        for key, words in LEFT_OUT if checked else ():
            out.print("    " + _(words).format(hours=number(u[key]))) if u.get(key) else None
        if u["waiting"]:  # written, not countersigned yet: her supervisor's to sign
            waiting = ngettext("{n} entry ({hours} h) waiting for a countersignature",
                               "{n} entries ({hours} h) waiting for a countersignature", u["waiting"])  # fmt: skip
            out.print("    " + waiting.format(n=u["waiting"], hours=number(u["waitingHours"])))
    missing = joined(
        (_("{unit}: {hours} h").format(unit=shown(unit), hours=number(left)) for unit, left in progress.short()),
        strong=True,
    )
    if progress.missing:
        out.print(_("missing: {units}").format(units=missing))
    elif issued:
        out.print(_("complete: the qualification is issued (qualification.json)"))
    elif checked:
        out.print(_("every unit's hours are met, checked on the chain: the provider issues the qualification "
                    "(`logbook complete`)"))  # fmt: skip
    else:
        out.print(_("every unit's hours are met, by the files: the provider checks them on the chain and issues "
                    "the qualification (`logbook complete`)"))  # fmt: skip


def print_signed(signed: int, done: int, others: list[str]) -> None:
    """What `logbook sign` did, in the signer's language: how many she countersigned, how many were
    countersigned already and how many another signs off, then each of those with why (the commonest
    reasons in her language, i18n/errorwords.py; any other as written)."""
    from registry.i18n.errorwords import error_message

    left = [
        ngettext(
            "{n} entry countersigned already, left as it was",
            "{n} entries countersigned already, left as they were",
            done,
        ).format(n=done)
    ]
    if others:
        left.append(ngettext("{n} entry another signs off, left for them", "{n} entries another signs off, left for "
                             "them", len(others)).format(n=len(others)))  # fmt: skip
    if not signed:
        out.print(_("nothing to countersign: {left}").format(left=left[0]))
        return
    said = ngettext("countersigned {n} entry", "countersigned {n} entries", signed).format(n=signed)
    out.print(joined([said, *left[0 if done else 1 :]], strong=True))
    for why in others:  # each entry left, with why: the unit's role, the workplace, the day
        out.print("  " + _("left: {why}").format(why=shown(error_message(why))))


def print_completed(done: Any, book: Any, holder: tuple[Any, Any, Any], files: tuple[Any, Any]) -> None:
    """What `logbook complete` issued, in the run's language: the qualification, to whom, its files;
    its summary; and the valid entries it did not count (backdated, dated before the enrolment)."""
    from registry.i18n.errorwords import error_message

    if done.replaced:  # the revoked one set aside, as the provider's records say it (read back as errors are)
        out.print(_("{replaced}; a new one issued").format(replaced=shown(error_message(done.replaced))))
    did, name, achievement = holder
    issued = _("qualification {name} issued to {holder}: {path} (CLR 2.0: {clr}):")
    holder_named, path, clr = named_did(did, name), shown(files[0]), shown(files[1])
    out.print(issued.format(name=shown(repr(achievement)), holder=holder_named, path=path, clr=clr))
    s = done.summary
    summary = ngettext("{n} entry, {hours} h, {start} to {end}, root {root}",
                       "{n} entries, {hours} h, {start} to {end}, root {root}", s["entries"])  # fmt: skip
    out.print("  " + summary.format(n=s["entries"], hours=number(s["hours"]), start=s["from"], end=s["until"],
                                    root=s["root"]))  # fmt: skip
    if done.backdated:
        late = _("not counted, backdated more than {days} days before their anchor: {entries}")
        out.print("  " + late.format(days=book.programme.backdating_days, entries=joined(done.backdated, strong=True)))
    if done.before_enrolment:
        early = _("not counted, dated before the enrolment ({date}): {entries}")
        out.print("  " + early.format(date=book.enrolled, entries=joined(done.before_enrolment, strong=True)))
