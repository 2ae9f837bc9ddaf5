"""A programme is published once per version: "a change is a new version, never an edit".

The chain holds only each programme's hash, so the provider keeps what it published in its home
(`<home>/programmes/<provider name>/<sha256(id)>.v<version>.jwt`, written before the anchor) and
refuses a second, different document under an id@version it published. Publishing the identical
document again is a no-op that gives back the signed document it published (anchored now if a
run stopped before its anchor). The service (`POST /api/logbook/programmes`) refuses the same way
against what it keeps (`conflict`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from registry.errors import InputError
from registry.formats.logbook import Programme


def same_document(a: Programme, b: Programme) -> bool:
    return a.to_json() == b.to_json()


def new_version_needed(programme: Programme) -> str:
    """The one-line refusal of a changed document under a published id@version."""
    return (
        f"programme {programme.ref} is published already, with other content: a change is a new version, "
        f"never an edit; publish it as version {programme.version + 1} (or higher)"
    )


def conflict(programme: Programme, kept: Iterable[Programme]) -> tuple[str | None, Programme | None]:
    """(why `programme` is refused, the identical one already kept) against published documents
    of the same id@version: a different provider's, or the same provider's with other content."""
    for other in kept:
        if same_document(other, programme):
            return None, other
        if other.provider != programme.provider:
            return (
                f"programme id {programme.id} is published by another provider ({other.provider}): choose another id",
                None,
            )
        return new_version_needed(programme), None
    return None, None


class PublishedRecord:
    """What one provider published, in its home."""

    def __init__(self, home: Path, provider_name: str) -> None:
        self.directory = home / "programmes" / provider_name

    def path(self, programme: Programme) -> Path:
        digest = hashlib.sha256(programme.id.encode("utf-8")).hexdigest()
        return self.directory / f"{digest}.v{programme.version}.jwt"

    def get(self, programme: Programme) -> str | None:
        path = self.path(programme)
        return path.read_text("ascii").strip() if path.is_file() else None

    def keep(self, programme: Programme, token: str) -> None:
        from registry.durable import write_bytes_atomic

        self.directory.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(self.path(programme), (token + "\n").encode("ascii"))


def publish_once(
    record: PublishedRecord,
    programme: Programme,
    parse: Callable[[str], Programme],
    anchored: Callable[[str], Any],
    sign_and_anchor: Callable[[Callable[[str], None]], str],
    known: str | None = None,
) -> tuple[str, bool]:
    """(the signed document, whether it is new). Run under the provider's writer lock, after the
    journal sent what a stopped run left: a document kept but still not anchored never went out,
    and is replaced. `sign_and_anchor(keep)` signs, calls `keep(token)`, then anchors. `known`: a
    signed document the caller holds (the file `--out` names), taken as the record when the home
    has none (published from another home)."""
    kept = record.get(programme)
    if kept is None and known is not None and parse(known).ref == programme.ref and anchored(known) is not None:
        record.keep(programme, known)
        kept = known
    if kept is not None and anchored(kept) is not None:
        if same_document(parse(kept), programme):
            return kept, False
        raise InputError(new_version_needed(programme))
    return sign_and_anchor(lambda token: record.keep(programme, token)), True
