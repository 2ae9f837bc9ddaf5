"""The QR payload of a credential ("SKC1:" + Base45(zlib(holder file))): RFC 9285's own examples for
Base45, the token given back byte for byte, a code drawn by segno and read by zxing-cpp, each
profile's credential measured against a QR code's capacity, and bad payloads refused in one line."""

from __future__ import annotations

import io
import json
import os
import zlib

import base45
import pytest
import segno
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from registry.errors import InputError
from registry.formats.credential import CredentialDraft, StatusEntry, build_vc, load_holder_file, sign_vc
from registry.formats.europass import build_edc
from registry.formats.locator import Locator
from registry.formats.qrpayload import MAX_UNPACKED, PREFIX, QR_ALPHANUMERIC_CAPACITY_L, pack, unpack
from registry.formats.vcdm2 import build_vc2, sign_vc2, skills_context_loader
from registry.keystore import new_legal_entity, new_natural_person
from tests.helpers.certified import named_certificate

# RFC 9285 section 4.3 and 4.4: the examples the RFC gives, in both directions.
RFC_EXAMPLES = [(b"AB", "BB8"), (b"Hello!!", "%69 VD92EX0"), (b"base-45", "UJCLQE7W581"), (b"ietf!", "QED8WEX0")]
LIST = "https://registry.example/trusted-issuers-registry/v5/issuers/{did}/proxies/0x1/credentials/status/1"


@pytest.mark.parametrize(("data", "text"), RFC_EXAMPLES)
def test_base45_gives_the_rfcs_examples(data: bytes, text: str) -> None:
    assert base45.b45encode(data).decode() == text
    assert base45.b45decode(text) == data


def _holder_file(profile: str) -> dict[str, object]:
    """A credential of `profile` as `registry issue` makes it: a named holder, an occupation, two
    status entries, the registry locator (its service too)."""
    issuer, holder = new_legal_entity("academy"), new_natural_person("worker")
    url = LIST.format(did=issuer.did)
    status = (StatusEntry("revocation", url, 91_234), StatusEntry("suspension", url, 91_234))
    draft = CredentialDraft(issuer.did, holder.did, named_certificate(), 1_765_000_000, None, status)
    if profile == "ebsi":
        token = sign_vc(build_vc(draft, 1_765_000_100), issuer.signing_key, issuer.kid)
    else:
        vc = build_vc2(draft, 1_765_000_100) if profile == "vcdm2" else build_edc(draft, 1_765_000_100, "Academy B.V.")
        token = sign_vc2(vc, issuer.signing_key, issuer.kid, loader=skills_context_loader)
    hashes = tuple("0x" + os.urandom(32).hex() for _ in range(3))
    addresses = tuple("0x" + os.urandom(20).hex() for _ in range(3))
    recognition = ("0x" + os.urandom(20).hex(), "0x" + os.urandom(32).hex())  # the fourth contract (issue #17)
    locator = Locator(31337, 1, "0x" + os.urandom(32).hex(), addresses, hashes, "https://registry.example", recognition)  # type: ignore[arg-type]
    return {"format": "skills-credential/1", "credential": token, "registry": locator.to_json()}


@pytest.mark.parametrize("profile", ["ebsi", "vcdm2", "europass"])
def test_a_credential_round_trips_and_its_size_is_measured(profile: str) -> None:
    holder_file = _holder_file(profile)
    payload = pack(holder_file)
    assert payload.startswith(PREFIX) and set(payload[len(PREFIX) :]) <= set(base45.BASE45_CHARSET)
    back = json.loads(unpack(payload))
    assert back["credential"] == holder_file["credential"] and back["registry"] == holder_file["registry"]
    assert load_holder_file(payload).credential == holder_file["credential"]  # what `verify` reads
    size = len(json.dumps(holder_file))
    print(f"{profile}: holder file {size} bytes, JWT {len(str(holder_file['credential']))}, QR {len(payload)} chars")
    # Measured: ebsi ~2,450, vcdm2 ~2,390, europass ~4,050 of the 4,296 a code holds (the Europass one
    # carries its SVG page: a longer name or more skills can push it past, and `passport print` links it).
    assert len(payload) <= QR_ALPHANUMERIC_CAPACITY_L


def test_a_code_drawn_by_segno_is_read_back_by_zxing() -> None:
    payload = pack(_holder_file("ebsi"))
    code = segno.make(payload, error="l", mode="alphanumeric", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=3, border=4)  # segno writes PNG itself; Pillow (fpdf2's) opens it
    buffer.seek(0)
    (read,) = zxingcpp.read_barcodes(Image.open(buffer), formats=zxingcpp.BarcodeFormat.QRCode)
    assert read.text == payload


@settings(deadline=None)  # it checks answers, not speed (tests/formats/test_hot_path_parsing.py says why)
@given(st.binary(max_size=600))
def test_base45_round_trips_any_bytes(data: bytes) -> None:
    assert base45.b45decode(base45.b45encode(data)) == data


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ("HC1:6BFOXN", "does not start with SKC1:"),
        (PREFIX + "a lower-case letter", "not Base45"),
        (PREFIX + base45.b45encode(b"not zlib at all").decode(), "not zlib-compressed"),
        (PREFIX + base45.b45encode(zlib.compress(b'{"jws": 1}')).decode(), "holds no credential"),
        (PREFIX + base45.b45encode(zlib.compress(b" " * (MAX_UNPACKED + 1))).decode(), "more than"),
    ],
)
def test_a_bad_payload_is_refused_with_what_is_wrong(payload: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        unpack(payload)


def test_a_credential_whose_jws_is_not_compact_cannot_be_packed() -> None:
    with pytest.raises(InputError, match="compact"):
        pack({"format": "skills-credential/1", "credential": {"payload": "x"}})
