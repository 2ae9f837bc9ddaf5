"""The inputs `verify` reads: what an editor adds to a file is not taken for the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from registry.errors import InputError
from registry.formats.credential import load_holder_file
from registry.formats.multibase import b64url_encode
from registry.ops.inputs import read
from registry.ops.passport import is_passport

HOLDER_FILE = '{"format": "skills-credential/1", "credential": "eyJhbGciOiJFUzI1NiJ9.e30.c2ln"}\n'
PASSPORT = '{"format": "skills-passport/1", "presentation": "a.b.c"}\n'


def test_a_byte_order_mark_before_a_credential_or_a_passport_is_left_out(tmp_path: Path) -> None:
    # Notepad and Excel save UTF-8 with a BOM; the bytes after it are the file as it was given.
    credential, passport = tmp_path / "credential.json", tmp_path / "passport.json"
    credential.write_bytes(b"\xef\xbb\xbf" + HOLDER_FILE.encode())
    passport.write_bytes(b"\xef\xbb\xbf" + PASSPORT.encode())
    name, content = read(credential)
    assert name == str(credential) and content == HOLDER_FILE.encode()
    assert load_holder_file(content, name).credential == "eyJhbGciOiJFUzI1NiJ9.e30.c2ln"
    assert is_passport(read(passport)[1])
    # Without the step that drops it, the same bytes are refused (the test would catch its removal).
    with pytest.raises(InputError, match="neither a credential file"):
        load_holder_file(credential.read_bytes(), name)
    # Only a leading mark goes: one inside the text is the file's own.
    inside = tmp_path / "inside.json"
    inside.write_bytes(b" \xef\xbb\xbf" + HOLDER_FILE.encode())
    assert read(inside)[1].startswith(b" \xef\xbb\xbf")


def test_a_printed_passport_pdf_is_refused_as_not_a_credential_with_what_to_do(tmp_path: Path) -> None:
    # An employer given the PDF `passport print` writes: it is not the credential, so neither valid nor
    # invalid (`verify` exits 64 on it, tests/cli/test_verify_arguments.py); its codes and its JSON are.
    pdf = tmp_path / "passport.pdf"
    pdf.write_bytes(b"%PDF-1.3\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    with pytest.raises(
        InputError, match=r"passport\.pdf is a PDF \(a printed passport\?\), not a credential file: verify"
    ):
        read(pdf)
    with pytest.raises(InputError, match="is a PDF"):
        load_holder_file(pdf.read_bytes(), "given")  # wallet import, passport create, revoke
    with pytest.raises(InputError, match="is a PDF"):
        load_holder_file(pdf.read_bytes().decode("utf-8", "replace"), "given")  # as a browser sends it
    # A picture of a QR code (a phone's photo, a screenshot): the same, said to be an image.
    for name, start in (("code.png", b"\x89PNG\r\n\x1a\n"), ("code.jpg", b"\xff\xd8\xff\xe0")):
        (tmp_path / name).write_bytes(start + b"\x00" * 16)
        with pytest.raises(InputError, match=rf"{name} is an image \(a (picture|photo) of a QR code\?\), not a"):
            read(tmp_path / name)
    with pytest.raises(InputError, match="is an image"):
        load_holder_file((tmp_path / "code.png").read_bytes().decode("utf-8", "replace"), "given")  # from a page
    from registry.ops.passport import load_passport

    with pytest.raises(InputError, match="is a PDF"):
        load_passport(pdf.read_bytes(), "given")  # `passport print` given its own output (was: not UTF-8 text)


def test_a_passport_naming_a_member_twice_at_its_top_level_is_refused() -> None:
    """As a credential file: the last `presentation` counts here, the first in other readers."""
    from registry.ops.passport import load_passport

    content = b'{"format":"skills-passport/1","presentation":"eyJh.eyJi.c2ln","presentation":"eyJj.eyJk.c2ln"}'
    with pytest.raises(InputError, match=r"^p\.json names the member 'presentation' twice"):
        load_passport(content, "p.json")


def test_an_unknown_reason_in_a_revocation_list_names_its_row() -> None:
    from registry.ops.statuschange import check_reasons
    from registry.ops.statusplan import StatusTarget

    listed = [StatusTarget("a.json (rev.csv line 2)", "t", 1), StatusTarget("b.json (rev.csv line 3)", "t", 99)]
    with pytest.raises(InputError, match=r"^b.json \(rev.csv line 3\): unknown reason code 99; known: 0 unspecified"):
        check_reasons(listed)
    with pytest.raises(InputError, match=r"^unknown reason code 12;"):  # --reason: one for every file named
        check_reasons([StatusTarget("a.json", "t", 12)])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # A header without the column that names the credentials is said once, of the header.
        (
            "filename,reason\nx.json,4\n",
            "CSV rev.csv: its header row has no file or credential column (it reads "
            "'filename,reason'); a revocation list's columns: file",
        ),
        ("file|reason\nx.json|4\n", "(it reads 'file|reason'; columns are separated by commas (or semicolons, or"),
        # A reason in words that are none of the codes': the codes and their words are listed.
        (
            "file,reason\nx.json,because\n",
            "rev.csv line 2: reason must be a reason code (0 unspecified, 1 issued in error,",
        ),
        ("file;reason\r\n;\r\nx.json;4\r\n;\r\nx.json;IV\r\n", "or its word (unspecified, error, fraud,"),
    ],
)
def test_a_revocation_list_with_a_wrong_header_or_reason_says_what_to_write(
    tmp_path: Path, content: str, message: str
) -> None:
    from registry.ops.inputs import status_targets

    (tmp_path / "x.json").write_text(HOLDER_FILE)
    (tmp_path / "ok.csv").write_text("File, Reason\nx.json,4\n")  # a spreadsheet's capitals and spaces: read
    assert [t.reason for t in status_targets([str(tmp_path / "ok.csv")], 0)] == [4]
    (tmp_path / "words.csv").write_text("file,reason\nx.json,Fraud\nx.json,holder  request\nx.json,8\n")  # as typed
    assert [t.reason for t in status_targets([str(tmp_path / "words.csv")], 0)] == [2, 4, 8]
    # Excel or LibreOffice in French: a BOM, semicolons, CRLF and the empty rows under the list: read as saved.
    (tmp_path / "fr.csv").write_bytes("\ufefffile;reason;note\r\nx.json;6;jury à réunir\r\n;;\r\n;;\r\n".encode())
    ((saved),) = status_targets([str(tmp_path / "fr.csv")], 0)
    assert (saved.reason, saved.note) == (6, "jury à réunir")
    (tmp_path / "rev.csv").write_text(content)
    with pytest.raises(InputError) as refused:
        status_targets([str(tmp_path / "rev.csv")], 0)
    assert message in str(refused.value)


def test_our_other_files_given_for_a_credential_say_what_they_are_and_which_command_takes_them(tmp_path: Path) -> None:
    # A worker's handover file or backup, an employer's deployment file: named, with the command that
    # takes it (`verify` exits 64 on it: a command-line mistake; it was INVALID as a forgery would be).
    handover = tmp_path / "amina.handover.json"
    handover.write_text('{"format": "skills-key-handover/1", "id": "x", "identity": {}}')
    with pytest.raises(InputError, match=r"handover\.json is not a credential or a passport but a key handover file: "
                       r"take it into a wallet with `registry wallet import-key FILE`"):  # fmt: skip
        read(handover)
    with pytest.raises(InputError, match="is not a credential file but a wallet backup: restore it with"):
        load_holder_file(b'{"format": "skills-wallet-backup/1"}', "backup.json")  # wallet import
    # A logbook's files and signed documents: named, not INVALID as a forgery would be (they were).
    (tmp_path / "logbook.json").write_text('{"format": "skills-logbook/1", "enrolment": "x", "programme": "y"}')
    with pytest.raises(InputError, match=r"logbook\.json is not a credential or a passport but a learner's logbook"):
        read(tmp_path / "logbook.json")
    header = b64url_encode(json.dumps({"alg": "ES256", "typ": "supervisor-authorisation+jwt"}).encode())
    (tmp_path / "farah.jwt").write_text(f"{header}.e30.c2ln\n")
    with pytest.raises(InputError, match=r"farah\.jwt is not a credential or a passport but a supervisor's auth"):
        read(tmp_path / "farah.jwt")
    # Two printed codes' texts pasted into one input: said as such (the first code alone read as garbled before).
    for pasted in ("SKC1:6BFOXN*TS0BI$ZDFRH SKC1:6BFOXN*TS0BI", "\nSKC1:6BFOXN*TS0BI$ZD\nSKC1:6BFOXN*TS0BI\n"):
        (tmp_path / "codes.txt").write_text(pasted)
        with pytest.raises(InputError, match=r"codes\.txt holds 2 QR code texts \(each starts SKC1:\), not one: give"):
            read(tmp_path / "codes.txt")
    credential = tmp_path / "c.json"
    credential.write_text(HOLDER_FILE.replace("}", ', "note": "skills-wallet-backup/1"}'))  # named, not its format
    assert read(credential)[1].startswith(b'{"format": "skills-credential/1"')
