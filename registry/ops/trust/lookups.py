"""Which of a party's accreditations a write acts on: a Root TAO's onboarding, the one a parent
accredits others under, the one it granted a child. A refusal names each party by the legal name
its accreditation states beside its DID, and says what to do."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from registry.chain.client import Call, chain_time, enum_member
from registry.errors import InputError
from registry.formats.accreditation import Scope
from registry.ops.registry import Registry, did_hash
from registry.ops.trust.bodies import check_body
from registry.ops.trust.history import party
from registry.ops.trust.model import AttrStatus, ChainData, IssuerType, Link, Revision
from registry.ops.trust.scope import grants_within


def link_from_tuple(raw: Sequence[Any]) -> Link:
    did_h, attr_id, attribute, revisions = raw
    return Link(
        did_hash=bytes(did_h),
        attribute_id=bytes(attr_id),
        parent_did_hash=bytes(attribute[0]),
        parent_attribute_id=bytes(attribute[1]),
        root_did_hash=bytes(attribute[2]),
        body_hash=bytes(attribute[3]),
        issuer_type=enum_member(IssuerType, attribute[4]),
        status=enum_member(AttrStatus, attribute[5]),
        valid_from=int(attribute[6]),
        valid_until=int(attribute[7]),
        body_block=int(attribute[8]),
        revisions=tuple(
            Revision(enum_member(AttrStatus, r[0]), int(r[1]), chain_time(int(r[2]), "eth_call"), int(r[3]))
            for r in revisions
        ),
    )


class Lookups:
    """The attribute lookups of `Trust` (registry/ops/trust/tir.py), which provides these members."""

    registry: Registry
    client: Any

    def _tir(self, function: str, *args: Any) -> Call:
        raise NotImplementedError

    def fetch(self, dids: Iterable[str]) -> dict[str, ChainData]:
        raise NotImplementedError

    def named(self, did: str, local: str | None = None) -> str:
        """A party as messages name it: its legal name (else `local`, its name here) and its DID."""
        return party(self.fetch([did])[did], did, local)

    def root_attribute(self, root_did: str) -> bytes:
        """The one Root TAO accreditation governance gave `root_did` (none or several is an error)."""
        roots = [
            a for a in self.attribute_ids(root_did) if self.attribute(root_did, a).issuer_type is IssuerType.ROOT_TAO
        ]
        if len(roots) != 1:
            ids = ", ".join(a.hex() for a in roots)
            many = f"was onboarded as a Root TAO several times; pass --attribute with one of {ids}"
            raise InputError(f"{root_did} {many if roots else 'is not a Root TAO: governance never onboarded it'}")
        return roots[0]

    def attribute(self, did: str, attribute_id: bytes) -> Link:
        attribute, revisions = self.client.call(self._tir("attribute", did_hash(did), attribute_id))
        return link_from_tuple((did_hash(did), attribute_id, attribute, revisions))

    def active_attribute(self, did: str, local: str | None = None) -> bytes:
        """The first of `did`'s accreditations in force now that may accredit others (a Root TAO's or
        a TAO's); refused in one line, naming the party (`local`: its name in this home), when it holds
        only a TI's (a TI accredits nobody) or none in force."""
        now = self.registry.block_timestamp()
        active = [
            (attribute_id, link)
            for attribute_id in self.attribute_ids(did)
            if (link := self.attribute(did, attribute_id)).status is AttrStatus.ACTIVE
            and link.valid_from <= now < link.valid_until
        ]
        for attribute_id, link in active:
            if link.issuer_type in (IssuerType.ROOT_TAO, IssuerType.TAO):
                return attribute_id
        who = self.named(did, local)
        if active:
            raise InputError(
                f"{who} is accredited as a TI: a TI issues credentials and accredits nobody; a Root TAO or a TAO "
                "(an accreditation body) accredits (`registry issuer check DID` shows what each party is)"
            )
        raise InputError(
            f"{who} holds no accreditation in force to accredit others under (`registry issuer history DID` shows "
            "its accreditations and their changes)"
        )

    def child_attribute(
        self, parent_did: str, child_did: str, local: str | None = None, child_local: str | None = None
    ) -> bytes:
        """The one accreditation `parent_did` granted `child_did` (ambiguity is an error); a refusal
        names both (`local`, `child_local`: their names here), and who did grant the child's."""
        links = [self.attribute(child_did, a) for a in self.attribute_ids(child_did)]
        granted = [link.attribute_id for link in links if link.parent_did_hash == did_hash(parent_did)]
        if len(granted) == 1:
            return granted[0]
        chain = self.fetch([child_did, parent_did])
        parent, child = party(chain[parent_did], parent_did, local), party(chain[child_did], child_did, child_local)
        if granted:
            ids = ", ".join(a.hex() for a in granted)
            raise InputError(f"{parent} granted {child} several accreditations; pass --attribute with one of {ids}")
        if not links:
            raise InputError(f"{child} holds no accreditation: there is nothing for {parent} to change")
        known = chain[child_did]
        by = sorted({party(known, known.name(link.parent_did_hash)) for link in links
                     if link.issuer_type is not IssuerType.ROOT_TAO})  # fmt: skip
        how = [f"run it as {' or '.join(by)} (--parent NAME)"] if by else []
        if any(link.issuer_type is IssuerType.ROOT_TAO for link in links):  # an onboarding: governance's
            how.append("a Root TAO's onboarding is governance's to change (`registry trust suspend-root ROOT`)")
        raise InputError(
            f"{parent} granted {child} no accreditation: only the party that granted one changes it; "
            f"{'; '.join(how)} (`registry issuer history DID` shows who granted each)"
        )

    def granted_alike(
        self, parent_did: str, child_did: str, child_type: IssuerType, scopes: Sequence[Scope],
        valid_until: int | None, name: str | None,
    ) -> bytes | None:  # fmt: skip
        """The accreditation `parent_did` granted `child_did` that is in force now and says what a new
        one would (the same kind and scopes; the name and end, when given, the same): asked twice,
        `trust accredit` writes nothing (a second, alike accreditation would survive the first's
        suspension). A Root TAO's onboarding (`child_type` ROOT_TAO) has no parent: governance's.
        None when there is none."""
        now = self.registry.block_timestamp()
        chain = self.fetch([child_did])[child_did]
        for link in chain.of(did_hash(child_did)):
            if (
                (link.parent_did_hash != did_hash(parent_did) and child_type is not IssuerType.ROOT_TAO)
                or link.issuer_type is not child_type
                or link.status is not AttrStatus.ACTIVE
                or not link.valid_from <= now < link.valid_until
                or (valid_until is not None and valid_until != link.valid_until)
            ):
                continue
            acc, _ = check_body(chain, link)
            if (
                acc is not None
                and grants_within(acc.scopes, scopes)
                and grants_within(scopes, acc.scopes)
                and (name is None or name == acc.subject_name)
            ):
                return link.attribute_id
        return None

    def attribute_ids(self, did: str) -> list[bytes]:
        (ids,) = self.client.call(self._tir("attributeIds", did_hash(did)))
        return [bytes(i) for i in ids]
