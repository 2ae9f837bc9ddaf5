"""The file a holder receives: the credential (a compact JWT), for a cohort member the Merkle proof
to its cohort's root, and the registry it lives in; read strictly and fast, as the verifier reads
one per credential. Also accepted where a holder file is: the bare JWT, and a QR code's payload.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from typing import Any, TypeVar

from registry.errors import InputError
from registry.formats import qrpayload, safejson

HOLDER_FILE_FORMAT = "skills-credential/1"
MAX_FILE_BYTES = 1024 * 1024
# What people pass on instead of a credential's file, by how it starts (bytes as read; text as a
# browser sends a file it opened, the bytes that are not UTF-8 replaced by U+FFFD).
PRINTED = (
    ("%PDF-", "a PDF (a printed passport?)"),
    ("\x89PNG", "an image (a picture of a QR code?)"),
    ("\ufffdPNG", "an image (a picture of a QR code?)"),
    ("\xff\xd8\xff", "an image (a photo of a QR code?)"),
    ("\ufffd\ufffd\ufffd", "an image (a photo of a QR code?)"),
    ("GIF8", "an image (a picture of a QR code?)"),
)


# Our other files, by their `format`, as a refusal to read one as a credential names them.
OTHER_FILES = {
    "skills-key-handover/1": "a key handover file: take it into a wallet with `registry wallet import-key FILE`",
    "skills-wallet-backup/1": "a wallet backup: restore it with `registry wallet import-backup FILE`",
    "skills-registry-identity/1": "an identity's key file (keep it private)",
    "skills-evidence-manifest/1": "an RPL credential's evidence manifest (`registry rpl disclose` reads it)",
    "skills-registry-deployment/1": "a registry's deployment file (--deployment, or `trust-list add --registry`)",
    "registry-trust-list/1": "a trust list (--trust-list)",
    "registry-recognition-decision/1": "a recognition decision (`registry recognition publish` takes it)",
    "skills-logbook/1": "a learner's logbook (`registry logbook show` reads it; an employer checks the extract "
    "`registry logbook share` writes, with `registry logbook verify`)",
    "skills-logbook-entry/1": "a logbook entry (`registry logbook share` puts it in an extract, which `registry "
    "logbook verify` checks)",
    "skills-logbook-tree/1": "the proofs of a logbook's qualification (`registry logbook share` puts them in an "
    "extract; `registry verify qualification.json` checks the qualification)",
}
# Our signed documents that are not credentials, by their JWT `typ`, as a refusal names them.
OTHER_TOKENS = {
    "programme+jwt": "a logbook programme (`registry programme publish` signs it; the logbook commands read it)",
    "supervisor-authorisation+jwt": "a supervisor's authorisation (`registry logbook sign --authorisation` takes it)",
    "authorisation-revocation+jwt": "a revocation record (`registry logbook verify --record FILE` takes it)",
    "logbook-enrolment+jwt": "a logbook enrolment (in the learner's logbook and its extracts)",
    "logbook-entry+jwt": "a logbook entry's signed part (in an extract, which `registry logbook verify` checks)",
    "logbook-countersignature+jwt": "a logbook countersignature (in an extract, which `registry logbook verify` "
    "checks)",
}


def kind_of(data: Any) -> str | None:
    """What one of our files is (any of them, a credential file and a passport too), by its parsed
    `format`, as a refusal to read it as another kind says it; None for anything else."""
    kind = str(data.get("format")) if isinstance(data, dict) else ""
    holder = {
        HOLDER_FILE_FORMAT: "a credential file (`registry wallet import FILE` keeps it)",
        "skills-passport/1": "a skills passport (`registry wallet import FILE` keeps its credentials)",
    }
    return OTHER_FILES.get(kind) or holder.get(kind)


_PRINTED_FIRST = frozenset(start[0] for start, _ in PRINTED)


def printed(content: str | bytes) -> str | None:
    """What `content` is when it is a PDF or a picture, not a file of ours (None otherwise). The
    first character alone rules out nearly every input (the verifier asks for each file it reads)."""
    first = content[:1]
    if (first.decode("latin-1") if isinstance(first, bytes) else first) not in _PRINTED_FIRST:
        return None
    head = content[:4].decode("latin-1") if isinstance(content, bytes) else content[:4]
    return next((what for start, what in PRINTED if head.startswith(start[:4])), None)


def printed_refusal(source: str, what: str) -> str:
    """What to do with a printed passport (`passport print`) or a picture of a code: it is not the
    credential, so neither valid nor invalid; its QR codes carry the credentials, its JSON file the passport."""
    return (
        f"{source} is {what}, not a credential file: verify the passport's JSON file, or each QR code's text "
        "(the registry service's page scans it; `registry verify -` reads it pasted)"
    )


def twice_refusal(source: str, name: str) -> str:
    """The refusal of a file naming a top-level member twice (`safejson.repeated_member`)."""
    return (
        f"{source} names the member {name[:40]!r} twice: refused, as readers differ on which one counts "
        "(ask for the file as it was written)"
    )


T = TypeVar("T")


@dataclass(frozen=True)
class CohortProof:
    root: bytes
    proof: tuple[bytes, ...]
    size: int


@dataclass(frozen=True)
class HolderFile:
    """What a holder receives: the credential, for a cohort its Merkle proof, and the registry it
    lives in (`registry`: the locator as the file holds it, read by `formats/locator.py` only when a
    verifier needs it; None in files written before it was recorded)."""

    credential: str
    cohort: CohortProof | None = None
    registry: Any = None
    # Given as the bare compact JWT (what EBSI wallets and QR codes carry), or in a holder file or
    # passport that states no anchor: it carries no proof, so a cohort member's anchor (its cohort's
    # root) cannot be found from it.
    bare: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": HOLDER_FILE_FORMAT, "credential": self.credential}
        if self.cohort is not None:
            data["anchor"] = {
                "type": "cohort",
                "merkleTree": "OpenZeppelin StandardMerkleTree, leafEncoding [bytes32]",
                "root": "0x" + self.cohort.root.hex(),
                "proof": ["0x" + p.hex() for p in self.cohort.proof],
                "size": self.cohort.size,
            }
        elif not self.bare:  # a bare JWT claims no anchor: written without one, read back as bare
            data["anchor"] = {"type": "single"}
        if self.registry is not None:
            data["registry"] = self.registry
        return data

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2) + "\n"


def _hex32(value: Any, what: str) -> bytes:
    if isinstance(value, str) and len(value) == 66 and value.startswith("0x"):
        try:
            raw = bytes.fromhex(value[2:])
        except ValueError:
            pass
        else:
            if len(raw) == 32:  # fromhex skips spaces, so "0x" + 64 characters can be fewer bytes
                return raw
    raise InputError(f"{what} is not a 32-byte hex value")


def _hex32_list(values: list[Any]) -> tuple[bytes, ...]:
    """A proof's elements, each "0x" + 64 hex digits, decoded in one pass. (Not cached: a file is
    read once, and below its cohort's top levels a proof's nodes are its own, so a cache of decoded
    nodes missed on nearly every proof of a large cohort and cost twice the decoding.)"""
    count = len(values)
    try:
        joined = "".join(values)
    except TypeError:
        joined = ""
    # Every element 66 characters starting "0x" (no other "x" can pass fromhex), then 32 bytes each.
    if len(joined) == 66 * count and joined[0::66] == "0" * count and joined[1::66] == "x" * count:
        try:
            raw = bytes.fromhex(joined.replace("0x", ""))
        except ValueError:
            raw = b""
        if len(raw) == 32 * count:  # fromhex skips spaces: fewer bytes means a bad element
            return struct.unpack("32s" * count, raw)  # one C call cuts the 32-byte elements
    for value in values:
        _hex32(value, "a proof element")  # names the problem
    raise InputError("a proof element is not a 32-byte hex value")


def _holder_json(text: str, source: str) -> Any:
    """A holder file as written (`{` first, a newline last), parsed without first copying it
    stripped; None when it does not parse, so that the stripped text is parsed again and any
    error names the line it always named. A holder file nests three levels (the file, its anchor,
    the proof): `safejson.loads_shallow` takes it without counting the whole text's brackets."""
    try:
        return safejson.loads_shallow(text, source)
    except InputError:
        return None


def _text(text: str | bytes, source: str) -> str:
    """An input as text, within the size cap; a QR payload unpacked."""
    if (what := printed(text)) is not None:
        raise InputError(printed_refusal(source, what))
    if isinstance(text, bytes):
        if len(text) > MAX_FILE_BYTES:
            raise InputError(f"{source} is larger than {MAX_FILE_BYTES // 1024} KiB")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{source} is not UTF-8 text, so not a credential") from exc
    if len(text) > MAX_FILE_BYTES:
        raise InputError(f"{source} is larger than {MAX_FILE_BYTES // 1024} KiB")
    if text[:1] == "S" and qrpayload.is_qr_payload(text):
        text = qrpayload.unpack(text, source).decode("utf-8")
    return text


def load_holder_file(text: str | bytes, source: str = "input") -> HolderFile:
    """Accept a holder file (JSON), a bare compact JWT, or a QR code's "SKC1:" payload of a holder
    file (formats/qrpayload.py); anything else is an InputError."""
    text = _text(text, source)
    data = _holder_json(text, source) if text[:1] == "{" else None
    if data is None:
        stripped = text.strip()
        if not stripped:
            raise InputError(f"{source} is empty, not a credential")
        if not stripped.startswith("{"):
            if stripped.count(".") == 2 and " " not in stripped:
                return HolderFile(credential=stripped, bare=True)
            raise InputError(f"{source} is neither a credential file (JSON) nor a JWT")
        data = safejson.loads(stripped, source)
    if (twice := safejson.repeated_member(text, data)) is not None:
        raise InputError(twice_refusal(source, twice))
    if not isinstance(data, dict) or data.get("format") != HOLDER_FILE_FORMAT:
        raise _not_a_credential_file(data, source)
    token = data.get("credential")
    if not isinstance(token, str):
        raise InputError(f"{source} has no credential JWT")
    anchor = data.get("anchor")
    if not anchor:
        # No anchor stated (a bare JWT wrapped, a passport credential without its proof): no claim
        # to hold it to, so a cohort member's missing anchor of its own is never proof of forgery.
        return _made(HolderFile, credential=token, cohort=None, registry=data.get("registry"), bare=True)
    if not isinstance(anchor, dict) or anchor.get("type") not in ("single", "cohort"):
        raise InputError(f"{source} has an unknown anchor type")
    if anchor["type"] == "single":
        return _made(HolderFile, credential=token, cohort=None, registry=data.get("registry"), bare=False)
    proof = anchor.get("proof")
    size = anchor.get("size")
    if not isinstance(proof, list) or len(proof) > 64 or not isinstance(size, int) or size < 1:
        raise InputError(f"{source} has a malformed cohort proof")
    root = _hex32(anchor.get("root"), "the cohort root")
    cohort = _made(CohortProof, root=root, proof=_hex32_list(proof), size=size)
    return _made(HolderFile, credential=token, cohort=cohort, registry=data.get("registry"), bare=False)


def _not_a_credential_file(data: Any, source: str) -> InputError:
    """What a JSON document that is not a holder file is, said as what to do with it."""
    if isinstance(data, dict) and "credentialSubject" in data and "proof" not in data:
        # A credential as JSON with no proof (EBSI's example EDCs are such): nothing shows who issued it.
        return InputError(f"{source} is an unsigned credential (JSON, no proof): nothing shows who issued it; "
                          "ask for the signed credential (its JWT) or its credential file")  # fmt: skip
    other = OTHER_FILES.get(str(data.get("format"))) if isinstance(data, dict) else None
    if isinstance(other, str):
        return InputError(f"{source} is not a credential file but {other}")
    return InputError(f"{source} is JSON but not a credential file (format {HOLDER_FILE_FORMAT})")


def other_file(content: bytes, source: str) -> str | None:
    """What one of our other files given for a credential is, as a refusal says it (None: it is no
    such file). A substring test first: a credential or a passport costs a few searches, no parse.
    Several QR code texts pasted into one input are refused here too, as what they are, and so is one
    code's text that does not unpack (cut short or misread: no credential to judge)."""
    if (codes := qrpayload.several(content)) > 1:
        return (f"{source} holds {codes} QR code texts (each starts {qrpayload.PREFIX}), not one: give each "
                "code's text on its own, one per file (or one `registry verify -` per code)")  # fmt: skip
    if (misread := qrpayload.misread(content, source)) is not None:  # one code's text, cut short or misread
        return misread
    if (token := _other_token(content)) is not None:
        return f"{source} is not a credential or a passport but {token}"
    if not any(f'"{kind}"'.encode() in content for kind in OTHER_FILES):
        return None
    try:
        data = safejson.loads(content, source)
    except InputError:
        return None
    other = OTHER_FILES.get(str(data.get("format"))) if isinstance(data, dict) else None
    return f"{source} is not a credential or a passport but {other}" if isinstance(other, str) else None


def _other_token(content: bytes) -> str | None:
    """What a compact JWS of ours that is not a credential is (`OTHER_TOKENS`), by its header's `typ`
    alone (a hundred bytes decoded; None for anything else)."""
    import base64

    head, dot, _ = content.lstrip()[:4096].partition(b".")
    if not dot or not head.startswith(b"eyJ"):
        return None
    try:
        header = json.loads(base64.urlsafe_b64decode(head + b"=" * (-len(head) % 4)))
    except ValueError:  # binascii.Error and JSONDecodeError (and a header that is not UTF-8) are ValueErrors
        return None
    return OTHER_TOKENS.get(str(header.get("typ"))) if isinstance(header, dict) else None


def _made(cls: type[T], **fields: Any) -> T:
    """A frozen dataclass made without its __init__ (one `object.__setattr__` per field): the
    verifier reads a holder file per credential. Every field is given."""
    made = object.__new__(cls)
    made.__dict__.update(fields)
    return made
