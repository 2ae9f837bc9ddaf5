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
else in the PDF's core Helvetica, where what Latin-1 cannot write shows as "?".
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from registry.errors import InputError
from registry.formats import qrpayload
from registry.formats.credential import HolderFile, credential_hash
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


def render(report: dict[str, Any], files: list[HolderFile], service: str | None, *, trusted: bool = True) -> bytes:
    """The PDF of a verified passport (`report`: its report as JSON, with `competencies`).

    `trusted`: whether a trust list was applied; without one the page says that recognising each
    issuer's Root TAO is the reader's decision (the verdicts then do not fail on the root)."""
    from fpdf import FPDF

    codes = [code_for(f, service) for f in files]
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    family = _font(pdf)
    page = _Page(pdf, family)
    pdf.add_page()
    page.heading("Skills passport", 18)
    holder = ((report.get("competencies") or {}).get("holder") or {}).get("name")
    did = report.get("holder") or "?"
    page.line(f"Holder: {holder} ({did})" if holder else f"Holder: {did}")
    page.line(f"Printed: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}")
    page.line(f"Verdict when printed: {report.get('summary')!s}")
    if not trusted:
        page.line(
            "No trust list was applied when printing: each credential names the Root TAO its issuer is "
            "accredited under, and whether that root is recognised is for the reader's own trust list "
            "(scan a code with `registry verify` or the registry's web page)."
        )
    _summary(page, report.get("competencies") or {})
    for number, (inner, code) in enumerate(zip(report.get("credentials") or [], codes, strict=True), 1):
        pdf.add_page()
        _credential(page, number, inner, code)
    return bytes(pdf.output())


def _font(pdf: Any) -> str:
    if FONT.is_file():
        pdf.add_font("DejaVu", "", str(FONT))
        return "DejaVu"
    return "Helvetica"


class _Page:
    """Text on the PDF, every value inert (registry/text.py) and, in a core font, Latin-1."""

    def __init__(self, pdf: Any, family: str) -> None:
        self.pdf, self.family = pdf, family

    def _text(self, text: str) -> str:
        text = shown(text)
        return text if self.family != "Helvetica" else text.encode("latin-1", "replace").decode("latin-1")

    def heading(self, text: str, size: int = 14) -> None:
        self.pdf.set_font(self.family, size=size)
        self.pdf.multi_cell(0, size * 0.5, self._text(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(2)

    def line(self, text: str, size: int = 10) -> None:
        self.pdf.set_font(self.family, size=size)
        self.pdf.multi_cell(0, 5, self._text(text), new_x="LMARGIN", new_y="NEXT")


def _summary(page: _Page, summary: dict[str, Any]) -> None:
    page.pdf.ln(4)
    page.heading("Summary of competencies")
    page.line(str(summary.get("note") or ""))
    if summary.get("highest_eqf_level"):
        page.line(f"Highest EQF level: {summary['highest_eqf_level']}")
    for key in ("skills", "occupations"):
        for area in summary.get(key) or []:
            eqf = f", EQF level {area['eqf_level']}" if area.get("eqf_level") else ""
            page.line(f"{area['kind']}: {area.get('label') or area.get('uri')}{eqf}  <{area.get('uri')}>")
    issuers = [p.get("name") or p.get("did") or "?" for p in summary.get("issuers") or []]
    if issuers:
        page.line(f"Issuers: {'; '.join(issuers)}")
    page.pdf.ln(3)
    page.heading("Credentials", 12)
    for item in summary.get("programmes") or []:
        issuer = (item.get("issuer") or {}).get("name") or (item.get("issuer") or {}).get("did") or "?"
        eqf = f", EQF level {item['eqf_level']}" if item.get("eqf_level") else ""
        page.line(
            f"#{item['number']} {item.get('name') or '(no name)'}{eqf}: {str(item.get('verdict')).upper()}"
            f" (issued by {issuer} on {item.get('issued') or '?'})"
        )


def _credential(page: _Page, number: int, report: dict[str, Any], code: Code) -> None:
    import segno

    certified = report.get("certifies") or {}
    page.heading(f"#{number} {certified.get('name') or (report.get('credential') or {}).get('achievement') or ''}")
    page.line(f"Verdict when printed: {report.get('summary')}")
    issuer = certified.get("issuer") or {}
    page.line(f"Issuer: {issuer.get('name') or ''} {issuer.get('did') or ''}".strip())
    if certified.get("eqf_level"):
        page.line(f"EQF level {certified['eqf_level']}")
    for key in ("skills", "occupations"):
        for entry in certified.get(key) or []:
            page.line(f"{key[:-1]}: {entry.get('label') or ''} <{entry.get('uri')}>")
    until = f"valid until {certified['valid_until']}" if certified.get("valid_until") else "no expiry date"
    page.line(f"Issued {certified.get('issued') or '?'}; {until}")
    qr = segno.make(code.text, error="l", mode="alphanumeric" if code.whole else None, micro=False)
    image = io.BytesIO()
    qr.save(image, kind="png", scale=4, border=4)
    width = min(qr.symbol_size(scale=1, border=4)[0] * MODULE_MM, page.pdf.epw)
    page.pdf.ln(4)
    page.pdf.image(image, x=page.pdf.l_margin, w=width)
    what = "the whole credential: scan it to verify" if code.whole else "too large for a code: a link to its record"
    page.line(f"QR code: {what} ({len(code.text)} characters, version {qr.version}, level {qr.error})", size=8)


def write_atomic(path: Path, data: bytes) -> None:
    """Write the PDF so that a failure leaves no file, never half of one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
