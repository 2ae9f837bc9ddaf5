"""What a Europass wallet shows of a credential: ELM's `displayParameter`, whose one page is an
image the issuer renders. Ours is a small SVG card (title, holder, awarding body, date, EQF level
and credits), its text escaped, base64-encoded as ELM's MediaObject wants."""

from __future__ import annotations

import base64
from typing import Any
from xml.sax.saxutils import escape

from registry.formats.europass.vocab import (
    BASE64,
    ENCODING_SCHEME,
    ENGLISH,
    FILE_TYPE_SCHEME,
    LANGUAGE_SCHEME,
    SVG,
    concept,
    lang,
)

_WIDTH, _HEIGHT = 842, 595  # an A4 page, landscape, in points
_MAX_LINE = 90  # characters a line of the card shows


def _line(text: str) -> str:
    return text if len(text) <= _MAX_LINE else text[: _MAX_LINE - 1] + "…"


def card_svg(lines: list[str]) -> str:
    """An SVG page: the first line as a heading, the others below it."""
    # Compact on purpose: the card travels base64-encoded inside the credential, which should still
    # fit one printed QR code (tests/cli/test_europass.py).
    texts = [f'<text x="60" y="120" font-size="28">{escape(_line(lines[0]))}</text>'] if lines else []
    texts += [f'<text x="60" y="{150 + 40 * n}">{escape(_line(line))}</text>' for n, line in enumerate(lines) if n]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" font-family="sans-serif" '
        f'font-size="18"><rect width="{_WIDTH}" height="{_HEIGHT}" fill="#fff" stroke="#1f4e9c" stroke-width="8"/>'
        f"{''.join(texts)}</svg>"
    )


def display_parameter(title: str, lines: list[str]) -> dict[str, Any]:
    """ELM's DisplayParameter: the title, English as the (only) language, and one page."""
    english = concept(ENGLISH, "English", LANGUAGE_SCHEME)
    image = {
        "type": "MediaObject",
        "contentType": concept(SVG, "SVG", FILE_TYPE_SCHEME),
        "contentEncoding": concept(BASE64, "base64", ENCODING_SCHEME),
        "content": base64.b64encode(card_svg([title, *lines]).encode("utf-8")).decode("ascii"),
    }
    return {
        "type": "DisplayParameter",
        "title": lang(title),
        "language": [english],
        "primaryLanguage": english,
        "individualDisplay": [
            {
                "type": "IndividualDisplay",
                "language": english,
                "displayDetail": [{"type": "DisplayDetail", "image": image, "page": 1}],
            }
        ],
    }
