"""A passport's summary of competencies (ops/verify/summary.py) as the command line's lines, in the
language of the run: `registry verify PASSPORT` prints them before the evidence behind them."""

from __future__ import annotations

import re
from typing import Any

from registry.i18n import _, joined
from registry.i18n.recognitionwords import equivalents_authority, equivalents_words
from registry.i18n.words import holder_names_words, programme_verdict, summary_note
from registry.text import short_did

_DID = re.compile(r"did:(?:key|ebsi|web|jwk):[A-Za-z0-9._%:-]{17,}")


def equivalents_lines(passport: Any) -> list[str]:
    """`verify --recognised-in`: the national qualifications a passport's credentials are recognised
    as, by whom, with each decision's level and conditions; none said as such, pointing to why."""
    found = passport.competencies.get("national_equivalents")
    if found is None:
        return []
    return [equivalents_words(found, *equivalents_authority(passport.credentials))]


def competency_lines(summary: Any) -> list[str]:
    """A passport's summary of competencies, a line a fact."""
    level = summary.get("highest_eqf_level")
    top = _(", highest EQF level {level}").format(level=level) if level else ""
    lines = [_("competencies: {note}").format(note=summary_note(str(summary.get("note")))) + top]
    if names := holder_names_words(summary.get("holder_names") or []):
        lines.append("  " + names)
    for key in ("skills", "occupations"):
        for area in summary.get(key) or []:
            eqf = _(" — EQF {level}").format(level=area["eqf_level"]) if area.get("eqf_level") else ""
            numbers = joined(f"#{n}" for n in area.get("credentials") or [])
            kind = _("skill") if area["kind"] == "skill" else _("occupation")
            label = area.get("label") or _("(no label)")
            value = f"{label}{eqf} ({numbers}) <{area.get('uri')}>"
            lines.append("  " + _("{label}: {value}").format(label=kind, value=value))
    issuers = [party(p) for p in summary.get("issuers") or []]
    if issuers:
        lines.append("  " + _("issuers: {issuers}").format(issuers=joined(issuers, strong=True)))
    nameless = _("(no name)")
    for item in summary.get("programmes") or []:
        eqf = _(", EQF {level}").format(level=item["eqf_level"]) if item.get("eqf_level") else ""
        until = _(", until {date}").format(date=item["valid_until"]) if item.get("valid_until") else ""
        issued = _("issued {date}").format(date=item.get("issued") or "?")
        line = _("#{number} {name}{eqf}: {verdict} — {issuer}, {issued}{until}").format(
            number=item["number"], name=item.get("name") or nameless, eqf=eqf, verdict=programme_verdict(item),
            issuer=party(item.get("issuer") or {}), issued=issued, until=until,
        )  # fmt: skip
        lines.append("  " + line)
    return lines


def party(who: dict[str, Any], extra: str = "") -> str:
    """An issuer or a holder by its name and its DID shortened (`extra` after the name)."""
    did = str(who.get("did") or "")
    did = (short_did(did) if _DID.fullmatch(did) else did) if did else _("no DID")
    return f"{who['name']}{extra} ({did})" if who.get("name") else f"{did}{extra}"
