"""A whole credential in a QR code: "SKC1:" + Base45(zlib(the holder file, packed)).

As the EU Digital COVID Certificate does ("HC1:" + Base45(zlib(COSE))): Base45 (RFC 9285) uses
only the 45 characters of a QR code's alphanumeric mode, which packs 2 characters into 11 bits,
so a code holds 4,296 of them at error correction level L (version 40), 2.9 KB of compressed
data. The `base45` package is from 2022 and we depend on it all the same: RFC 9285 is final,
the codec is 50 lines that need no change, and tests/formats/test_qrpayload.py checks it against
the RFC's own examples.

What is compressed is the holder file (the credential, its cohort proof, its registry locator) with
the credential's compact JWS opened into its three parts, header and payload as their JSON text:
base64url text barely compresses, the JSON inside it does. Each part is base64url-encoded again on
reading, which gives back the very token (a JWS part is the base64url of its bytes, without
padding, and formats/jwt.py accepts nothing else), so the signature and the anchored hash hold.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

import base45

from registry.errors import InputError
from registry.formats import safejson

PREFIX = "SKC1:"
# A QR code's capacity in alphanumeric characters at error correction level L (ISO/IEC 18004, version 40).
QR_ALPHANUMERIC_CAPACITY_L = 4296
# A credential unpacked from a QR code is never larger than this (a small code cannot unpack into a huge one).
MAX_UNPACKED = 256 * 1024


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pack(holder_file: dict[str, Any]) -> str:
    """The QR payload of a holder file (a dict with its `credential` as a compact JWS)."""
    token = holder_file.get("credential")
    if not isinstance(token, str) or token.count(".") != 2:
        raise InputError("only a credential whose JWS is compact can go into a QR code")
    header, payload, signature = token.split(".")
    opened = {
        **{k: v for k, v in holder_file.items() if k != "credential"},
        "jws": [_unb64url(header).decode("utf-8"), _unb64url(payload).decode("utf-8"), signature],
    }
    packed = json.dumps(opened, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return PREFIX + base45.b45encode(zlib.compress(packed, 9)).decode("ascii")


def is_qr_payload(text: str | bytes) -> bool:
    """Whether `text` starts (after white space) with the QR payload's prefix."""
    if isinstance(text, bytes):
        return text[: len(PREFIX) + 8].strip().startswith(PREFIX.encode())
    return text[: len(PREFIX) + 8].strip().startswith(PREFIX)


def several(content: str | bytes) -> int:
    """How many QR payloads a text starting with one holds (0 or 1: not several): two codes' texts
    pasted together. Only the first of them would be read, and fail as a garbled code."""
    if not is_qr_payload(content):
        return 0
    return content.count(PREFIX.encode()) if isinstance(content, bytes) else content.count(PREFIX)


def misread(content: str | bytes, source: str) -> str | None:
    """Why a text that starts as a QR payload is not a whole one (cut short when copied, a character
    misread...), as a refusal says it; None: it is not a QR payload, or it unpacks. Such a text is no
    credential to judge, forged or not: the reader is to scan or copy the code again."""
    if not is_qr_payload(content):
        return None
    try:
        unpack(content, source)
    except InputError as exc:
        return f"{exc}; no verdict is given on part of a code"
    return None


def _misread(source: str, why: str) -> InputError:
    return InputError(f"{source} is not a whole QR code's text ({why}): scan the code again, or copy all of its text")


def unpack(text: str | bytes, source: str = "the QR code") -> bytes:
    """The holder file (JSON bytes) a QR payload carries; InputError when it is not one."""
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError as exc:
            raise _misread(source, f"an {PREFIX} payload is ASCII text only") from exc
    text = text.strip()
    if not text.startswith(PREFIX):
        raise InputError(f"{source} does not start with {PREFIX}")
    try:
        compressed = base45.b45decode(text[len(PREFIX) :])
    except ValueError as exc:
        raise _misread(source, f"not Base45 after {PREFIX}") from exc
    inflater = zlib.decompressobj()
    try:
        packed = inflater.decompress(compressed, MAX_UNPACKED)
    except zlib.error as exc:
        raise _misread(source, f"the data after {PREFIX} is not zlib-compressed") from exc
    if inflater.unconsumed_tail or not inflater.eof:
        raise _misread(source, f"it is cut short, or unpacks to more than {MAX_UNPACKED} bytes")
    opened = safejson.loads(packed, source)
    jws = opened.get("jws") if isinstance(opened, dict) else None
    if not (isinstance(jws, list) and len(jws) == 3 and all(isinstance(part, str) for part in jws)):
        raise _misread(source, f"the {PREFIX} payload holds no credential")
    header, payload, signature = jws
    token = f"{_b64url(header.encode('utf-8'))}.{_b64url(payload.encode('utf-8'))}.{signature}"
    holder_file = {k: v for k, v in opened.items() if k != "jws"}
    holder_file["credential"] = token
    return json.dumps(holder_file).encode("utf-8")
