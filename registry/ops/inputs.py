"""The inputs a command names: credential and passport files, directories of them, stdin, CSV
files listing credentials for a status change, and trust lists.

Every input is known (its kind and size) before any is read, and read within a cap, so a device,
a FIFO or an oversized file anywhere refuses the whole request before a report is printed or a
transaction is sent. Reading is bounded by registry/files.py; refusals are InputError naming the
file (and for a CSV, its line).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from registry.errors import InputError
from registry.files import STDIN, TooLarge, no_such_file, read_capped, size_of, size_words, without_bom

if TYPE_CHECKING:
    from registry.config import Settings
    from registry.ops.issuance import StatusTarget

# What `verify` (and `passport create`, and a revocation CSV's files) read of one input at most:
# the service's request body limit. A credential file is at most 1 MiB (holderfile.MAX_FILE_BYTES,
# its parser's cap); a passport may be larger. Above this, nothing is read: the command line is
# refused (exit 64). Between the two, anything but a passport is refused as too large (64), not judged.
MAX_INPUT_BYTES = 2 * 1024 * 1024
MAX_CSV_BYTES = 64 * 1024 * 1024


def too_large(passport_cap: int | None = MAX_INPUT_BYTES) -> str:
    """Why an input above a credential's size is refused, not judged (`verify`, POST /verify)."""
    from registry.formats.holderfile import MAX_FILE_BYTES

    passport = f", a skills passport {size_words(passport_cap)}" if passport_cap else ""
    return (
        f"too large to be a credential (a credential file is at most {size_words(MAX_FILE_BYTES)}{passport}), "
        "so it was not checked: give the credential's own file (.json or .jwt), as its issuer wrote it"
    )


def credential_sized(name: str, content: str | bytes, passport_cap: int | None = MAX_INPUT_BYTES) -> None:
    """InputError when `content` is larger than a credential file may be and is not a skills passport,
    or its JWT (a bare one, a credential file's, a passport's presentation) is larger than a token may
    be (formats/jwt.py's cap): too large, so not checked, never INVALID. Free below that cap."""
    from registry.formats.holderfile import MAX_FILE_BYTES
    from registry.formats.jwt import MAX_TOKEN_BYTES

    if len(content) <= MAX_TOKEN_BYTES:
        return
    size = len(content.encode(errors="replace")) if isinstance(content, str) else len(content)
    if len(content) > MAX_FILE_BYTES:
        from registry.ops.passport import is_passport

        if not is_passport(content):
            raise InputError(f"{name} is {size_of(size)}: {too_large(passport_cap)}")
    start = content.lstrip()[:3]
    token = content if start in ("eyJ", b"eyJ") else _token_of(content) if start[:1] in ("{", b"{") else None
    if token is None:
        return
    if token is content:  # a compact JWT alone, as a wallet or a QR code carries it
        told = "too large to be a credential's token"
    else:
        told = f"too large, its JWT is {size_of(len(token.strip()))}"
    if len(token.strip()) > MAX_TOKEN_BYTES:
        raise InputError(
            f"{name} is {size_of(size)}: {told} (a JWT is at most {size_words(MAX_TOKEN_BYTES)}), so it was not checked"
        )


def _token_of(content: str | bytes) -> Any:
    """The JWT a credential file or a skills passport holds (None: neither, or not JSON)."""
    from registry.formats.holderfile import HOLDER_FILE_FORMAT
    from registry.formats.safejson import loads
    from registry.ops.passport import PASSPORT_FORMAT

    try:
        data = loads(content, "input")
    except InputError:
        return None  # not JSON: the verifier says what it is not
    if not isinstance(data, dict):
        return None
    field = {HOLDER_FILE_FORMAT: "credential", PASSPORT_FORMAT: "presentation"}.get(str(data.get("format")))
    token = data.get(field) if field else None
    return token if isinstance(token, str) else None


def sources(paths: list[str]) -> list[str | Path]:
    """The inputs named ("-" for stdin), directories expanded; nothing read yet, but every file's
    kind and size known: a device, a FIFO or an oversized file anywhere refuses them all."""
    from registry.formats.jwt import MAX_TOKEN_BYTES as token_bytes

    found: list[str | Path] = []
    for raw in paths:
        if raw == STDIN:
            found.append(STDIN)
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".json", ".jwt"))
            if not files:
                raise InputError(f"directory {path} holds no .json or .jwt files")
            found.extend(files)
        elif path.is_file():
            found.append(path)
        elif path.exists():
            raise InputError(f"{path} is not a regular file (a device, a pipe or a socket)")
        else:
            raise InputError(no_such_file(path))
    for source in found:
        try:
            size = 0 if source == STDIN else Path(source).stat().st_size
        except OSError as exc:
            raise InputError(f"cannot read {source}: {exc.strerror}") from exc
        if size > MAX_INPUT_BYTES:
            raise InputError(f"{source} is larger than {size_words(MAX_INPUT_BYTES)}: {too_large()}")
        if size > token_bytes:  # rare: read now, so that no report is printed before its refusal
            read(source)
    return found


def read(source: str | Path) -> tuple[str, bytes]:
    """One input of `verify`, at most MAX_INPUT_BYTES of it, with the name a report gives it. A
    skills logbook extract is refused (InputError): it is checked by another command, not judged here;
    so is a PDF (a printed passport): it is not the credential, so no verdict can be given on it."""
    from registry.formats.holderfile import other_file, printed, printed_refusal

    name = "stdin" if source == STDIN else str(source)
    try:
        content = without_bom(read_capped(source, MAX_INPUT_BYTES))
    except TooLarge as exc:
        raise InputError(f"{exc}: {too_large()}") from exc
    if (what := printed(content)) is not None:
        raise InputError(printed_refusal(name, what))
    if (other := other_file(content, name)) is not None:  # a handover file, a backup, a deployment...
        raise InputError(other)
    if is_extract(content):
        file = "FILE" if name == "stdin" else name
        raise InputError(
            f"{name} is a skills logbook extract, not a credential or a passport: check it with "
            f"`registry logbook verify {file}`"
        )
    credential_sized(name, content)
    return name, content


def is_extract(content: str | bytes) -> bool:
    """Is this a skills logbook extract (`logbook share`)? Parsed only when it names that format:
    a credential or a passport costs one search."""
    marker = '"skills-logbook-extract/'
    found = marker.encode() in content if isinstance(content, bytes) else marker in content
    if not found:
        return False
    from registry.formats.logbook.records import EXTRACT
    from registry.formats.safejson import loads

    try:
        data = loads(content, "input")
    except InputError:
        return False  # not JSON: the verifier says what it is not
    return isinstance(data, dict) and data.get("format") == EXTRACT


def status_targets(paths: list[str], default_reason: int, note: str | None = None) -> list[StatusTarget]:
    """The credentials named for a status change: credential files, directories, stdin, or CSV
    files with a `file` (relative to the CSV) or `credential` column and optional `reason` and
    `note` columns (a row's own wins over `default_reason` and `note`). Everything is read and
    checked before anything is sent."""
    from registry.formats.credential import load_holder_file
    from registry.ops.issuance import StatusTarget

    targets: list[StatusTarget] = []
    plain = [raw for raw in paths if not raw.lower().endswith(".csv")]
    for raw in paths:
        if raw.lower().endswith(".csv"):
            targets.extend(_csv_targets(Path(raw), default_reason, note))
    for source, content in [read(source) for source in sources(plain)]:
        targets.append(StatusTarget(source, load_holder_file(content, source).credential, default_reason, note))
    return targets


def _csv_targets(path: Path, default_reason: int, default_note: str | None) -> list[StatusTarget]:
    from registry.formats.credential import load_holder_file
    from registry.ops.issuance import StatusTarget
    from registry.ops.roster import delimiter_of, spreadsheet_text

    try:
        text = spreadsheet_text(read_capped(path, MAX_CSV_BYTES, f"CSV {path}"), f"CSV {path}")
    except UnicodeDecodeError as exc:
        raise InputError(f"CSV {path} is not UTF-8 text") from exc
    delimiter = delimiter_of(text, lambda columns: bool({"file", "credential"} & columns))  # a spreadsheet's ";"
    try:
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter, strict=True)
        if reader.fieldnames:  # "File, Reason" as a spreadsheet writes it: "file,reason"
            reader.fieldnames = [str(name).strip().lower() for name in reader.fieldnames]
        # A spreadsheet's empty rows (",,"): not rows; each row with the line it ends on, for refusals.
        lines = [
            (reader.line_num, row) for row in reader if None in row or any(str(v or "").strip() for v in row.values())
        ]
    except csv.Error as exc:
        raise InputError(f"CSV {path} is malformed: {exc}") from exc
    if not lines:
        raise InputError(f"CSV {path} names no credentials (a header row, then one row per credential)")
    header = [str(column) for column in lines[0][1] if column is not None]
    if not {"file", "credential"} & set(header):  # said once, of the header, not of every row
        found = ",".join(header)
        hint = "; columns are separated by commas (or semicolons, or tabs)" if re.search(r"[|:]", found) else ""
        raise InputError(
            f"CSV {path.name}: its header row has no file or credential column (it reads {found[:120]!r}{hint}); "
            "a revocation list's columns: file (relative to the CSV) or credential, and optionally reason and note"
        )
    targets = []
    for n, row in lines:  # the line each row ends on
        where = f"{path.name} line {n}"
        if None in row:
            raise InputError(f"{where}: more fields than the header has columns")
        reason_text = (row.get("reason") or "").strip()
        reason = reason_code(reason_text, where) if reason_text else default_reason
        note = check_note((row.get("note") or "").strip() or None, where) or default_note
        if row.get("credential"):
            targets.append(StatusTarget(where, load_holder_file(row["credential"], where).credential, reason, note))
        elif row.get("file"):
            content = read_capped((path.parent / row["file"]).resolve(), MAX_INPUT_BYTES, f"{row['file']} ({where})")
            source = f"{row['file']} ({where})"
            targets.append(StatusTarget(source, load_holder_file(content, source).credential, reason, note))
        else:
            raise InputError(f"{where}: needs a file or credential column")
    return targets


def reason_code(text: str, where: str = "--reason") -> int:
    """A status change's reason as given: its code (a number; an unknown one is refused by
    `check_reasons`, naming the known ones), its word (`fraud`, `error`: REASON_WORDS) or its words
    as REASONS gives them (`holder request`), in any case."""
    from registry.ops.registry import REASON_WORDS, REASONS

    word = " ".join(text.lower().split())
    if word.isascii() and word.isdigit() and len(word) < 4:
        return int(word)
    if (code := REASON_WORDS.get(word, {v: k for k, v in REASONS.items()}.get(word))) is not None:
        return code
    codes = ", ".join(f"{code} {words}" for code, words in sorted(REASONS.items()))
    raise InputError(f"{where}: reason must be a reason code ({codes}) or its word ({', '.join(REASON_WORDS)}), "
                     f"not {text[:40]!r}")  # fmt: skip


NOTE_MAX = 500


def check_note(note: str | None, where: str = "--note") -> str | None:
    """A free-text note beside a reason code: 1 to NOTE_MAX characters of text (None: no note)."""
    if note is None:
        return None
    text = " ".join(note.split())
    if not 0 < len(text) <= NOTE_MAX:
        raise InputError(f"{where}: a note must be 1 to {NOTE_MAX} characters of text, not {len(text)}")
    return text


def trust_lists(paths: list[Path] | None, settings: Settings | None = None) -> Any:
    """The roots of every trust list named, as one `TrustList` (None when none applies).

    Without --trust-list, the verifier's default (`settings`): the file REGISTRY_TRUST_LIST names
    (which must exist), else `<home>/trust-list.json` when there is one. The command line wins."""
    from registry.ops.trust import Root, TrustList

    if not paths and settings is not None:
        default = settings.trust_list_file
        if settings.trust_list_required or default.exists():
            paths = [default]
    if not paths:
        return None
    lists = [TrustList.load(path) for path in paths]
    if len(lists) == 1:
        return lists[0]
    names = ", ".join(str(path) for path in paths)
    entries: dict[str, Root] = {}
    for listed in lists:
        for entry in listed.listed():
            entries.setdefault(entry.did, entry)
    return TrustList(frozenset(entries), f"the trust lists {names}", entries=tuple(entries.values()))
