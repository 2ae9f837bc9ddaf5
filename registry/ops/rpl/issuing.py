"""What an RPL centre and an employer issue (issue #17), through the issuer's journal and writer
lock as every credential (ops/issuance.py): an RPL assessment credential with its evidence
manifest, and a work-experience attestation.

The centre's credential is the `vcdm2` profile (an OB 3.0 AchievementCredential) naming our RPL
schema; its accreditation must cover `RPLAssessmentCredential` (and `SkillsCredential`, which
every skills credential of ours is). The employer's attestation needs no accreditation: only a
registered DID with a current assertion key, which `check_can_issue` checks instead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from registry.config import Settings
from registry.errors import InputError
from registry.formats import credential as vcfmt
from registry.formats import ownschemas, rpl
from registry.formats.vcdm2 import build_vc2, paired_status_entry
from registry.keystore import Identity
from registry.ops.issuance import Issued, Issuer
from registry.ops.registry import Registry
from registry.ops.rpl.assessor import assessor_problem, authorised_assessor
from registry.text import short_did


@dataclass
class RplIssued:
    issued: Issued
    manifest: Path
    items: int


class RplIssuer(Issuer):
    """An RPL centre: the credential carries the assessment and the evidence items."""

    def __init__(self, registry: Registry, identity: Identity, settings: Settings, assessment: rpl.Assessment) -> None:
        super().__init__(registry, identity, settings, "vcdm2")
        self.assessment = assessment
        self.items: list[dict[str, Any]] = []
        self.entries: list[dict[str, Any]] = []
        self.attested: list[tuple[Path, dict[str, Any]]] = []  # each attestation cited, and its credential

    def _draft(self, *args: Any, **kwargs: Any) -> vcfmt.CredentialDraft:
        draft = super()._draft(*args, **kwargs)
        return replace(draft, schema_url=ownschemas.schema_url(self.settings.public_url, ownschemas.RPL))

    def build(self, draft: vcfmt.CredentialDraft, issued_at: int) -> dict[str, Any]:
        vc = build_vc2(draft, issued_at)
        if draft.status:  # one object, as OB 3.0 allows: revocation, with its suspension twin named
            vc["credentialStatus"] = paired_status_entry(draft.status)
        return rpl.add_rpl_parts(vc, self.assessment, self.items)

    def prepare(self, authorisation: str) -> None:
        """The assessor (refused unless authorised by this centre on the assessment's date), then the
        evidence items: each file hashed with a fresh salt, each attestation by its credential hash."""
        assessor = authorised_assessor(authorisation)
        did, now = self.identity.did, self.registry.signing_time()
        if self.assessment.date > now:
            raise InputError("the assessment is dated in the future")
        # Authorised on the assessment's date, and still now (a revoked assessor signs off nothing new).
        problem = assessor_problem(self.registry, did, authorisation, assessor, self.assessment.date) or (
            assessor_problem(self.registry, did, authorisation, assessor, now)
        )
        if problem is not None:
            raise InputError(f"the assessor cannot sign off this assessment: {problem}")
        self.assessment = replace(self.assessment, assessor=assessor, authorisation=authorisation)
        for evidence in self.assessment.evidence:
            salt = rpl.new_salt()
            item = evidence.item(salt)
            self.items.append(item)
            self.entries.append(
                {"id": item["id"], "name": evidence.name, "file": evidence.path.name, "salt": salt.hex()}
            )
        for path in self.assessment.attestations:
            holder = vcfmt.load_holder_file(path.read_bytes(), str(path))
            vc = _payload(holder.credential)
            self.attested.append((path, vc))
            name = str(vc.get("name") or "Work experience attestation")
            item = rpl.attestation_item(str(vc.get("id")), vcfmt.credential_hash(holder.credential), name)
            self.items.append(item)
            self.entries.append({"id": item["id"], "name": name, "file": path.name})

    def issue_rpl(self, holder: str, achievement: vcfmt.Achievement, out: Path, until: int | None) -> RplIssued:
        """Check, then issue and anchor, the credential in `out` and the holder's evidence manifest
        beside it, both named by the anchor's journal row (`Issuer.issue_single`'s companions): a kill
        leaves both (the anchor sent by the next write or `journal reconcile`) or neither. What an
        earlier run of this centre left is reconciled first, under its writer lock; then an existing
        file is refused, never overwritten."""
        types = (rpl.RPL_TYPE,)
        manifest_path = out.with_name(out.stem + ".evidence.json")
        with self.writing():
            for path in (out, manifest_path):
                if path.exists():
                    raise InputError(f"{path} already exists; not overwriting it")
            self.check_attestations(holder)
            self.check_can_issue(holder, achievement, valid_until=until, extra_types=types)
            companions = [(manifest_path, rpl.manifest(out.name, self.entries))]
            issued = self.issue_single(
                holder, achievement, valid_until=until, extra_types=types, out=out, companions=companions
            )
        return RplIssued(issued, manifest_path, len(self.items))

    def check_attestations(self, holder: str) -> None:
        """Each attestation cited is a work-experience attestation (`registry attest`) of the holder's
        own work: another person's, or another kind of credential, is evidence of nothing here."""
        for path, vc in self.attested:
            types = vc.get("type")
            if not isinstance(types, list) or rpl.ATTESTATION_TYPE not in types:
                raise InputError(f"{path} is not a work-experience attestation (`registry attest` makes one): "
                                 "the assessment's `attestations` cite those only")  # fmt: skip
            subject = vc.get("credentialSubject")
            whose = subject.get("id") if isinstance(subject, dict) else None
            if whose != holder:
                raise InputError(f"{path} attests the work of {short_did(str(whose))}, not of the holder "
                                 f"{short_did(holder)}: an assessment cites the holder's own attestations")  # fmt: skip


def _payload(token: str) -> dict[str, Any]:
    from registry.formats import jwt

    payload = jwt.parse(token).payload
    vc = payload.get("vc", payload)
    return vc if isinstance(vc, dict) else {}


class Attester(Issuer):
    """An employer attesting work: a registered organisation, accredited or not."""

    def __init__(self, registry: Registry, identity: Identity, settings: Settings, period: rpl.WorkPeriod) -> None:
        super().__init__(registry, identity, settings, "vcdm2")
        period.check()
        self.period = period

    def _draft(self, *args: Any, **kwargs: Any) -> vcfmt.CredentialDraft:
        draft = super()._draft(*args, **kwargs)
        schema = ownschemas.schema_url(self.settings.public_url, ownschemas.WORK_EXPERIENCE)
        return replace(draft, schema_url=schema, terms_of_use=None)

    @property
    def terms_of_use(self) -> str | None:
        return None  # no accreditation to point to

    def build(self, draft: vcfmt.CredentialDraft, issued_at: int) -> dict[str, Any]:
        return rpl.build_attestation(draft, self.period, issued_at)

    def check_can_issue(
        self, holder: str, achievement: vcfmt.Achievement, *, valid_until: int | None, extra_types: tuple[str, ...]
    ) -> None:
        """A registered DID with a current assertion key (no accreditation asked), and a credential
        that builds."""
        now = self.check_signing_key(valid_until)
        self.build(self._draft(holder, achievement, 0, 0, now, valid_until, extra_types), now)
