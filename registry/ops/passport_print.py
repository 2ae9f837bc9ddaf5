"""A printable skills passport (`registry passport print`): a PDF with the summary of competencies
first, then one section per credential with its verdict, what it certifies and a QR code a phone
can verify.

Each code carries the whole credential where it fits (formats/qrpayload.py: "SKC1:" + Base45 of
the deflated holder file, in a QR code's alphanumeric mode at error correction level L, raised by
segno where the same symbol allows); a credential too large for one code gets a link instead: the
registry service's record of its anchoring by hash (`/timestamp/v4/timestamps/{hash}`), which says
when and by whom it was anchored, not whether it is valid (that needs the credential itself).

Libraries: `segno` draws the codes (pure Python, maintained, no Pillow needed for PNG); `fpdf2`
writes the PDF (pure Python, maintained, no system libraries: WeasyPrint needs Pango and Cairo,
ReportLab's QR and layout are more than a page of text and images needs). Text is set in DejaVu
Sans when the system has it (Debian's fonts-dejavu-core: Latin, Greek, Cyrillic, Arabic letters),
shaped by HarfBuzz (`uharfbuzz`, which fpdf2 uses for Arabic joining and bidirectional text),
else in the PDF's core Helvetica, where what Latin-1 cannot write shows as "?". The page's words are
in the language of the run (`registry --lang`, registry/i18n), right to left in Arabic.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from registry import i18n
from registry.errors import InputError
from registry.formats import qrpayload
from registry.formats.credential import HolderFile, credential_hash
from registry.i18n import _
from registry.i18n.recognitionwords import equivalents_authority, equivalents_words, recognition_line
from registry.i18n.words import headline, holder_names_words, localised, programme_verdict, summary_note
from registry.text import shown

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
# One QR module printed this wide (mm): a phone camera reads it at arm's length; a version 40 code
# (177 modules and its quiet zone) is then 148 mm wide, inside an A4 page's 180 mm of text width.
MODULE_MM = 0.8


@dataclass(frozen=True)
class Code:
    """What one credential's QR code carries."""

    text: str
    whole: bool
    """True: the whole credential (SKC1:); False: a link to the service's record of its anchoring"""


def code_for(holder_file: HolderFile, service: str | None) -> Code:
    """The QR code's text for one credential: the whole credential where it fits, else a link."""
    payload = qrpayload.pack(holder_file.to_json())
    if len(payload) <= qrpayload.QR_ALPHANUMERIC_CAPACITY_L:
        return Code(payload, True)
    if not service:
        raise InputError(
            f"a credential packs to {len(payload)} QR characters, more than a QR code holds "
            f"({qrpayload.QR_ALPHANUMERIC_CAPACITY_L}): give --service URL to print a link to it instead"
        )
    value = credential_hash(holder_file.credential).hex()
    return Code(f"{service.rstrip('/')}/timestamp/v4/timestamps/0x{value}", False)


def render(
    report: dict[str, Any],
    files: list[HolderFile],
    service: str | None,
    *,
    trusted: bool = True,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The PDF of a verified passport (`report`: its report as JSON, with `competencies`), in the
    language of the run (registry/i18n: its words, and right to left for Arabic).

    `trusted`: whether a trust list was applied; without one the page says that recognising each
    issuer's Root TAO is the reader's decision (the verdicts then do not fail on the root). `progress`
    is told of each credential's page once it is drawn (its QR code takes a moment)."""
    from fpdf import FPDF

    codes = [code_for(f, service) for f in files]
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_lang(i18n.current())
    page = _Page(pdf, _font(pdf))
    pdf.add_page()
    page.heading(_("Skills passport"), 18)
    holder = ((report.get("competencies") or {}).get("holder") or {}).get("name")
    did = report.get("holder") or "?"
    if holder:
        page.line(_("Holder: {name} ({did})").format(name=holder, did=did))
    else:
        page.line(_("Holder: {did}").format(did=did))
    if said := holder_names_words((report.get("competencies") or {}).get("holder_names") or []):
        page.line(said)  # every name her credentials give her, not the first alone
    page.line(_("Printed: {time}").format(time=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")))
    page.line(_("Verdict when printed: {verdict}").format(verdict=headline(str(report.get("summary")))))
    if not trusted:
        page.line(
            _(
                "No trust list was applied when printing: each credential names the Root TAO its issuer is "
                "accredited under, and whether that root is recognised is for the reader's own trust list "
                "(scan a code with `registry verify` or the registry's web page)."
            )
        )
    credentials = report.get("credentials") or []
    names = {n: localised(c.get("certifies") or {}).get("name") for n, c in enumerate(credentials, 1)}
    _summary(page, report.get("competencies") or {}, names, equivalents_authority(credentials))
    for number, (inner, code) in enumerate(zip(report.get("credentials") or [], codes, strict=True), 1):
        pdf.add_page()
        _credential(page, number, inner, code)
        if progress is not None:
            progress(1)
    return bytes(pdf.output())


def _font(pdf: Any) -> str:
    """DejaVu Sans where the system has it, its text shaped by HarfBuzz (uharfbuzz): Arabic letters
    joined and every line in Unicode's bidirectional order, right to left in an Arabic passport."""
    if not FONT.is_file():
        return "Helvetica"
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_text_shaping(True, direction="rtl" if _rtl() else None)
    return "DejaVu"


def _rtl() -> bool:
    return i18n.direction(i18n.current()) == "rtl"


# A time as the verifier writes it (2026-12-07T06:48:39Z), printed for a reader: 2026-12-07 06:48 UTC.
_ISO_TIME = re.compile(r"\b(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?Z\b")
# What reads left to right inside a right-to-left line: a quoted name with its credentials' numbers, URIs,
# DIDs, dates, a credential's number. Only our own isolates
# (U+2066 ... U+2069) are added, after `shown` has made any in the text visible escapes.
_LEFT_TO_RIGHT = re.compile(
    r'"[^"\n]{1,200}" \(#\d+(?:, #\d+)*\)|'  # a holder's name as her credentials write it, and their numbers
    r"<[a-z]+://[^\s>]+>|[a-z]+://\S+|did:[a-z0-9]+:[\w.:%-]+|\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2} UTC)?|"
    r"#\d+\b"  # a credential's number
)


class _Page:
    """Text on the PDF, every value inert (registry/text.py) and, in a core font, Latin-1; aligned to
    the start of the line in the run's language (right in Arabic), never justified."""

    def __init__(self, pdf: Any, family: str) -> None:
        self.pdf, self.family = pdf, family
        self.align = "R" if _rtl() and family != "Helvetica" else "L"

    def _text(self, text: str, names: Iterable[object] = ()) -> str:
        text = _ISO_TIME.sub(r"\1 \2 UTC", shown(text))
        if self.family == "Helvetica":
            return text.encode("latin-1", "replace").decode("latin-1")
        if self.align == "R":  # isolated left to right, so the bidi algorithm leaves them whole
            text = _LEFT_TO_RIGHT.sub(lambda m: f"\u2066{m.group()}\u2069", text)
            # Each name in its own direction (first strong isolate): a Latin name then ":" stays in the Arabic line.
            for name in sorted({shown(n) for n in names if n and isinstance(n, str)}, key=len, reverse=True):
                text = re.sub(rf"(?<![\w\u2068]){re.escape(name)}(?!\w)", f"\u2068{name}\u2069", text)
        return text

    def heading(self, text: str, size: int = 14) -> None:
        self.pdf.set_font(self.family, size=size)
        self.pdf.multi_cell(0, size * 0.5, self._text(text), new_x="LMARGIN", new_y="NEXT", align=self.align)
        self.pdf.ln(2)

    def line(self, text: str, size: int = 10, names: Iterable[object] = ()) -> None:
        """A line; `names` (a party's, a qualification's...), each isolated in its own direction in Arabic."""
        self.pdf.set_font(self.family, size=size)
        self.pdf.multi_cell(0, 5, self._text(text, names), new_x="LMARGIN", new_y="NEXT", align=self.align)


def _area(kind: str, label: str, eqf: object) -> str:
    """A skill or occupation and the highest EQF level it is certified at."""
    word = _("skill") if kind == "skill" else _("occupation")
    if eqf:
        return _("{kind}: {label}, EQF level {eqf}").format(kind=word, label=label, eqf=eqf)
    return _("{kind}: {label}").format(kind=word, label=label)


def _summary(
    page: _Page, summary: dict[str, Any], names: dict[int, str | None], authority: Any = (None, False)
) -> None:
    """The summary of competencies; `names`: each credential's name in the run's language, by number;
    `authority`: whose recognition decisions its national equivalents are, and whether they could not be
    checked (`--recognised-in`)."""
    page.pdf.ln(4)
    page.heading(_("Summary of competencies"))
    page.line(summary_note(str(summary.get("note") or "")))
    if summary.get("highest_eqf_level"):
        page.line(_("Highest EQF level: {eqf}").format(eqf=summary["highest_eqf_level"]))
    for key in ("skills", "occupations"):
        for area in summary.get(key) or []:
            label = area.get("label") or area.get("uri")
            page.line(f"{_area(area['kind'], label, area.get('eqf_level'))}  <{area.get('uri')}>")
    issuers = [p.get("name") or p.get("did") or "?" for p in summary.get("issuers") or []]
    if issuers:
        page.line(_("Issuers: {names}").format(names=i18n.joined(issuers, strong=True)), names=issuers)
    if (found := summary.get("national_equivalents")) is not None:
        named = [authority[0], *(e.get(key) for e in found for key in ("qualification", "framework_name"))]
        page.line(equivalents_words(found, *authority), names=named)
    page.pdf.ln(3)
    page.heading(_("Credentials"), 12)
    for item in summary.get("programmes") or []:
        issuer = (item.get("issuer") or {}).get("name") or (item.get("issuer") or {}).get("did") or "?"
        verdict = programme_verdict(item)
        name, date = names.get(item["number"]) or item.get("name") or _("(no name)"), item.get("issued") or "?"
        fields = {"number": item["number"], "name": name, "issuer": issuer, "verdict": verdict, "date": date}
        if item.get("eqf_level"):
            line = _("#{number} {name}, EQF level {eqf}: {verdict} (issued by {issuer} on {date})")
            page.line(line.format(eqf=item["eqf_level"], **fields))
        else:
            page.line(_("#{number} {name}: {verdict} (issued by {issuer} on {date})").format(**fields))


def _credential(page: _Page, number: int, report: dict[str, Any], code: Code) -> None:
    import segno

    certified = localised(report.get("certifies") or {})
    page.heading(f"#{number} {certified.get('name') or (report.get('credential') or {}).get('achievement') or ''}")
    page.line(_("Verdict when printed: {verdict}").format(verdict=headline(str(report.get("summary")))))
    issuer = certified.get("issuer") or {}
    party = f"{issuer.get('name') or ''} {issuer.get('did') or ''}".strip()
    page.line(_("Issuer: {party}").format(party=party), names=[issuer.get("name")])
    if root := _root(report):  # the page's first lines leave recognising it to the reader
        page.line(_("Accredited under Root TAO: {party}").format(party=root))
    elif _attested(report):  # no accreditation, no root: the reader must not take it for a qualification
        page.line(_("Attested by a registered organisation, not an accredited awarding body"))
    if certified.get("eqf_level"):
        page.line(_("EQF level {eqf}").format(eqf=certified["eqf_level"]))
    if isinstance(recognition := report.get("recognition"), dict):  # `--recognised-in`: never a verdict
        decisions = recognition.get("decisions") or []
        named = [
            recognition.get("authority_name"),
            *(d.get(k) for d in decisions for k in ("qualification", "framework_name")),
        ]
        page.line(recognition_line(recognition), names=named)
    for key in ("skills", "occupations"):
        word = _("skill") if key == "skills" else _("occupation")
        for entry in certified.get(key) or []:
            value = f"{entry.get('label') or ''} <{entry.get('uri')}>"
            page.line(_("{label}: {value}").format(label=word, value=value))
    issued = certified.get("issued") or "?"
    if certified.get("valid_until"):
        page.line(_("Issued {issued}; valid until {until}").format(issued=issued, until=certified["valid_until"]))
    else:
        page.line(_("Issued {issued}; no expiry date").format(issued=issued))
    qr = segno.make(code.text, error="l", mode="alphanumeric" if code.whole else None, micro=False)
    image = io.BytesIO()
    qr.save(image, kind="png", scale=4, border=4)
    width = min(qr.symbol_size(scale=1, border=4)[0] * MODULE_MM, page.pdf.epw)
    page.pdf.ln(4)
    page.pdf.image(image, x=page.pdf.l_margin if page.align == "L" else page.pdf.w - page.pdf.r_margin - width, w=width)
    what = (
        _("QR code: the whole credential: scan it to verify ({n} characters, version {version}, level {level})")
        if code.whole
        else _("QR code: too large for a code: a link to its record ({n} characters, version {version}, level {level})")
    )
    page.line(what.format(n=len(code.text), version=qr.version, level=qr.error), size=8)


def _root(report: dict[str, Any]) -> str | None:
    """The Root TAO the credential's issuer is accredited under (its name and DID), from the
    accreditation check; None when the chain was not read up to one."""
    for check in report.get("checks") or []:
        evidence = check.get("evidence") or {}
        if check.get("name") == "accreditation" and isinstance(evidence.get("root"), str):
            return f"{evidence.get('root_name') or ''} {evidence['root']}".strip()
    return None


def _attested(report: dict[str, Any]) -> bool:
    """A work-experience attestation whose assurance check passed (registered, not accredited)."""
    return any(c.get("name") == "assurance" and c.get("outcome") == "pass" for c in report.get("checks") or [])
