"""The roots a verifying authority accepts: its trust list, read from a file it controls.

Its own module, light to import: the CLI reads the list before it touches the chain, so a bad
file is refused in one line without loading anything else.

The format (docs/TRUST-LISTS.md), JSON, as `registry trust-list create` writes it:

    {"format": "registry-trust-list/1", "name": "Recognised vocational authorities",
     "roots": [{"did": "did:ebsi:...", "name": "National Vocational Authority"}]}

Also read, for lists written by hand: `{"roots": [...]}` or a bare JSON list, of DIDs or of
`{"did": ..., "name": ...}` objects; and plain text, one DID a line, `#` starting a comment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from registry.errors import InputError
from registry.files import MIB, read_capped
from registry.formats import safejson
from registry.formats.did import check_did
from registry.formats.locator import Locator

MAX_TRUST_LIST_BYTES = MIB
FORMAT = "registry-trust-list/1"
MAX_NAME_CHARS = 200


@dataclass(frozen=True)
class Root:
    """One root the list accepts: its DID, and the name the list's author gave it (if any)."""

    did: str
    name: str | None = None
    # The registries in which the list accepts this root (formats/locator.py); none: only in the
    # verifier's own deployment. A DID means something only in the registry it was onboarded in.
    registries: tuple[Locator, ...] = ()


@dataclass(frozen=True)
class TrustList:
    """The roots a verifying authority accepts, from a file it controls (or given some other way).

    `source` is the file's path, or a label naming where the roots came from; `name` is how the
    verifier's sentences call the list. `entries` keeps the roots in the file's order with their
    names, and `title` the list's own name (its `name` key); both are empty for a list given
    without them (a request's DIDs).
    """

    roots: frozenset[str]
    source: str
    from_file: bool = False
    entries: tuple[Root, ...] = ()
    title: str | None = None
    text_file: bool = False  # plain text (one DID a line): edited by hand, never rewritten
    # Roots of the whole list that `for_registry` left out (listed, but not pinned to that registry).
    unpinned: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        """The list as a noun phrase: 'the trust list "NAME"' for a file that names itself, else
        "the trust list roots.json"; a label that already reads as one ("the request's trust list")
        as it is, any other label after "the trust list"."""
        if not self.from_file and "trust list" in self.source.lower():
            return self.source
        if self.from_file and self.title:
            return f'the trust list "{self.title}"'
        return f"the trust list {self.source}"

    def name_of(self, did: str) -> str | None:
        """The name the list gives this root (None: not in it, or given no name)."""
        return next((entry.name for entry in self.entries if entry.did == did), None)

    def listed(self) -> tuple[Root, ...]:
        """Every root, in the file's order (sorted by DID when the list kept no order)."""
        return self.entries or tuple(Root(did) for did in sorted(self.roots))

    def with_root(self, did: str, name: str | None, registries: tuple[Locator, ...] = ()) -> TrustList:
        """This list with one more root, or a root already there pinned to more registries (given
        without a name, or with the name it has). InputError for anything else."""
        check_did(did)
        if did not in self.roots:
            entry = Root(did, _name(name), registries)
            return replace(self, roots=self.roots | {did}, entries=(*self.listed(), entry))
        (current,) = (entry for entry in self.listed() if entry.did == did)
        known = {pin.key for pin in current.registries}
        added = tuple({pin.key: pin for pin in registries if pin.key not in known}.values())
        if not added or _name(name) not in (None, current.name):
            how = (
                "it is already pinned to that registry"
                if registries and not added
                else "to change its name, `registry trust-list remove` it first, then add it again"
                if registries
                else "to accept it in another registry too, add it again with --registry DEPLOYMENT.json; "
                "to change its name, `registry trust-list remove` it first"
            )
            named = f" as {current.name!r}" if current.name else ""
            raise InputError(f"{did} is already in {self.name}{named}: {how}")
        pinned = replace(current, registries=(*current.registries, *added))
        return replace(self, entries=tuple(pinned if entry.did == did else entry for entry in self.listed()))

    def without_root(self, did: str) -> TrustList:
        if did not in self.roots:
            raise InputError(f"{did} is not in {self.name}")
        kept = tuple(entry for entry in self.listed() if entry.did != did)
        return replace(self, roots=self.roots - {did}, entries=kept)

    def for_registry(self, locator: Locator) -> TrustList:
        """The roots this list accepts in a registry that is not the verifier's own (one a holder
        file named): those it pins to that registry. A root listed without a registry is accepted
        only in the verifier's own deployment: anyone can deploy the contracts and register any
        DID in their own copy (docs/SECURITY.md, "The registry locator"). The others are kept as
        `unpinned`, for the verdict to say what to do about them."""
        kept = tuple(r for r in self.listed() if any(pin.key == locator.key for pin in r.registries))
        name = f"{self.name} as pinned to chain {locator.chain_id}'s registry deployed in block {locator.block}"
        unpinned = self.roots - {r.did for r in kept}
        return TrustList(frozenset(r.did for r in kept), name, entries=kept, title=self.title, unpinned=unpinned)

    def to_json(self) -> dict[str, Any]:
        roots = [
            {"did": r.did, **({"name": r.name} if r.name else {}),
             **({"registries": [pin.to_json() for pin in r.registries]} if r.registries else {})}
            for r in self.listed()
        ]  # fmt: skip
        return {"format": FORMAT, **({"name": self.title} if self.title else {}), "roots": roots}

    def save(self, path: Path) -> None:
        """Write the list in the documented format, whole or not at all (a crash leaves the old file)."""
        from registry.durable import write_json_atomic

        if self.text_file:
            raise InputError(
                f"trust list {path} is plain text: edit it by hand, or start a JSON one with "
                "`registry trust-list create`"
            )
        write_json_atomic(path, self.to_json())

    @classmethod
    def empty(cls, path: Path, title: str | None) -> TrustList:
        return cls(frozenset(), str(path), from_file=True, title=_name(title))

    @classmethod
    def load(cls, path: Path, *, allow_empty: bool = False) -> TrustList:
        raw = read_capped(path, MAX_TRUST_LIST_BYTES, f"trust list {path}")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"trust list {path} is not UTF-8 text") from exc
        stripped = text.strip()
        is_json = stripped.startswith(("{", "["))
        title, entries = _json_roots(stripped, path) if is_json else (None, _text_roots(text))
        if not entries and not allow_empty:
            raise InputError(
                f"trust list {path} names no root: it would refuse every issuer "
                "(add one with `registry trust-list add`)"
            )
        seen: set[str] = set()
        for n, entry in enumerate(entries, 1):
            try:
                check_did(entry.did)
            except InputError as exc:
                raise InputError(f"trust list {path} root {n}: {exc}") from exc
            if entry.did in seen:
                raise InputError(f"trust list {path} names {entry.did} twice")
            seen.add(entry.did)
        return cls(frozenset(seen), str(path), True, tuple(entries), title, text_file=not is_json)


def no_list_hint(root: str) -> str:
    """What a verifier with no trust list at all is told to do: the words after "which you have not
    said you trust". `--registry` because a verifier abroad has no deployment of its own, where an
    unpinned root would count (a verifier that has one loses nothing by pinning)."""
    return (
        f"(no trust list: give --trust-list FILE, or make a default one with `registry trust-list add {root} "
        "--name NAME --registry DEPLOYMENT.json`, with its registry's deployment file as the root publishes it)"
    )


def unpinned_hint(root: str) -> str:
    """What a verifier whose list names `root` for another registry only is told to do (after "which is not in ...")."""
    return (
        f"(your list names it, but not in this registry: if you accept it here, `registry trust-list add {root} "
        "--registry DEPLOYMENT.json` with this registry's deployment file, as its root publishes it)"
    )


def _name(value: Any, where: str = "the name") -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME_CHARS:
        raise InputError(f"{where} must be text of 1 to {MAX_NAME_CHARS} characters")
    return value.strip()


def _text_roots(text: str) -> list[Root]:
    """One DID a line; `#` starts a comment."""
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    return [Root(did) for did in lines if did]


def _json_roots(text: str, path: Path) -> tuple[str | None, list[Root]]:
    """The list's name and roots: {"format", "name", "roots": [...]}, {"roots": [...]} or the list
    itself, each root a DID or {"did": ..., "name": ...}."""
    data = safejson.loads(text, f"trust list {path}")
    title = None
    if isinstance(data, dict):
        if data.get("format", FORMAT) != FORMAT:
            from registry.formats.holderfile import OTHER_FILES

            if isinstance(other := OTHER_FILES.get(str(data["format"])), str):  # a deployment file, most likely
                raise InputError(
                    f"{path} is not a trust list but {other}: make your list with `registry trust-list add`"
                )
            raise InputError(
                f"trust list {path} is in format {str(data['format'])[:40]!r}; this version reads {FORMAT}"
            )
        title = _name(data.get("name"), f"trust list {path}: its name")
    entries = data.get("roots") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise InputError(f"trust list {path} has no `roots` list")
    roots: list[Root] = []
    for n, entry in enumerate(entries, 1):
        did = entry.get("did") if isinstance(entry, dict) else entry
        if not isinstance(did, str):
            raise InputError(f"trust list {path}: every root needs a DID (root {n} has none)")
        name = _name(entry.get("name"), f"trust list {path}: the name of root {n}") if isinstance(entry, dict) else None
        pins = (entry.get("registries") or []) if isinstance(entry, dict) else []
        if not isinstance(pins, list):
            raise InputError(f"trust list {path}: the registries of root {n} are not a list")
        where = f"trust list {path} root {n}"
        roots.append(Root(did, name, tuple(Locator.from_json(pin, where) for pin in pins)))
    return title, roots
