"""An authority's recognition decisions applied to verified credentials: the finding a report carries.

A decision applies to a credential when the credential is VALID, within the decision's scope (a
type, the EQF level, the issuer's root, and the issuers, programmes and schemas it names, if any)
and the decision was in force at the time asked: published by then, active then (its history:
suspended or revoked no longer applies), inside its validity window. Decisions are applied only
from an authority the verifier trusts: a root of its trust list, or an authority accredited (an
active Root TAO or TAO accreditation) under one. Recognition never changes a verdict.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from registry.errors import RegistryError
from registry.formats.credential import iso
from registry.formats.did import check_did
from registry.formats.recognition import Subject, out_of_scope
from registry.ops.recognition.model import Decision

if TYPE_CHECKING:
    from registry.ops.registry import Registry
    from registry.ops.trust import TrustList
    from registry.ops.verify.report import Report

NONE_HERE = "no recognition decision here"


def authority_of(word: str, trust_list: TrustList | None) -> tuple[str, str | None]:
    """(DID, name) of `--recognised-in WORD`: a DID, or a name the trust list gives a root."""
    from registry.errors import InputError

    if word.startswith("did:"):
        check_did(word)
        return word, trust_list.name_of(word) if trust_list is not None else None
    named = [r for r in (trust_list.listed() if trust_list else ()) if r.name and r.name.lower() == word.lower()]
    if len(named) != 1:
        raise InputError(f"--recognised-in {word[:80]!r} is neither a DID nor the name of one root in your trust list"
                         " (`registry trust-list show`)")  # fmt: skip
    return named[0].did, named[0].name


class Recogniser:
    """One authority's decisions, read once for a whole `verify` command, applied to each report."""

    def __init__(self, registry: Registry | None, word: str, trust_list: TrustList | None, at: int | None) -> None:
        self.did, self.name = authority_of(word, trust_list)
        self.at = at if at is not None else int(time.time())
        self.decisions: list[Decision] = []
        self.problem: tuple[str, str] | None = None  # (outcome, message) given to every report
        if registry is None:
            self.problem = ("could not check", "could not check recognition: the registry could not be read")
            return
        try:
            why_not = self._untrusted(registry, trust_list)
            if why_not is not None:
                self.problem = ("not applied", why_not)
                return
            from registry.ops.recognition.authority import Recognition

            # Once per head on the service's pinned client (client.memo); read each time on a plain one.
            did = self.did
            self.decisions = registry.client.memo(("recognition", did), lambda: Recognition(registry).decisions(did))
        except RegistryError as exc:
            self.problem = ("could not check", f"could not check recognition: {exc}")

    @property
    def label(self) -> str:
        return f"{self.name} ({self.did})" if self.name else self.did

    def _untrusted(self, registry: Registry, trust_list: TrustList | None) -> str | None:
        """Why this authority's decisions are not applied (None: it is trusted)."""
        refusal = f"decisions of {self.label} not applied: it is not in your trust list"
        if trust_list is None:
            return refusal + " (you have none)"
        if self.did in trust_list.roots:
            return None
        from registry.ops.registry import did_hash
        from registry.ops.trust import AttrStatus, IssuerType, Trust

        trust = Trust(registry, "")
        roots = {did_hash(r) for r in trust_list.roots}
        for attribute_id in trust.attribute_ids(self.did):
            link = trust.attribute(self.did, attribute_id)
            then = [r.status for r in link.revisions if r.timestamp <= self.at]  # its status as of --at
            if (
                link.issuer_type in (IssuerType.ROOT_TAO, IssuerType.TAO)
                and link.root_did_hash in roots
                and then
                and then[-1] is AttrStatus.ACTIVE
                and link.valid_from <= self.at < link.valid_until
            ):
                return None
        return refusal + " nor accredited under a root that is"

    def finding(self, report: Report) -> dict[str, Any]:
        base: dict[str, Any] = {"authority": self.did, "authority_name": self.name, "as_of": iso(self.at)}
        if self.problem is not None:
            outcome, message = self.problem
            return {**base, "outcome": outcome, "message": message, "decisions": [], "not_applying": []}
        if str(report.verdict) != "valid":
            message = f"not applied: the credential is not valid ({report.verdict})"
            return {**base, "outcome": "not applied", "message": message, "decisions": [], "not_applying": []}
        subject = subject_of(report)
        applying: list[Decision] = []
        not_applying: list[dict[str, str]] = []
        for decision in self.decisions:
            why = _why_not(decision, subject, self.at, self.did)
            if why is None:
                applying.append(decision)
            elif decision.document is not None and out_of_scope(decision.document.scope, subject) is None:
                not_applying.append({"id": "0x" + decision.id.hex(), "why": why})  # in scope, but not in force
        if not applying:
            extra = "; ".join(f"decision {n['id'][:10]}… {n['why']}" for n in not_applying)
            message = NONE_HERE + (f" ({extra})" if extra else "")
            return {**base, "outcome": "none", "message": message, "decisions": [], "not_applying": not_applying}
        message = "; ".join(_recognised(d) for d in applying)
        decisions = [_summary(d) for d in applying]
        return {**base, "outcome": "recognised", "message": message, "decisions": decisions,
                "not_applying": not_applying}  # fmt: skip

    def annotate(self, report: Any) -> None:
        """Add the finding to a report, and to each credential of a passport's."""
        for inner in getattr(report, "credentials", None) or [report]:
            inner.recognition = self.finding(inner)


def _why_not(decision: Decision, subject: Subject, at: int, authority: str) -> str | None:
    if decision.document is None:
        return "its document could not be read"
    if decision.document.authority != authority:  # written past our tools: it does not speak for this authority
        return f"its document names another authority ({decision.document.authority})"
    return out_of_scope(decision.document.scope, subject) or decision.not_applying(at)


def _recognised(decision: Decision) -> str:
    words = f"recognised here as {decision.outcome_words()}, decision 0x{decision.id.hex()[:8]}… of " \
            f"{iso(decision.published)[:10]}"  # fmt: skip
    conditions = decision.document.conditions if decision.document else None
    return words + (f", conditions: {conditions}" if conditions else "")


def _summary(decision: Decision) -> dict[str, Any]:
    data = decision.to_json()
    return {k: data[k] for k in ("id", "qualification", "framework", "framework_name", "level", "conditions",
                                 "published", "valid_from", "valid_until")}  # fmt: skip


def subject_of(report: Report) -> Subject:
    """What a verified credential presents to a decision's scope."""
    from registry.ops.verify.report import Code

    credential = report.credential
    accreditation = report.check(Code.ACCREDITATION)
    root = accreditation.evidence.get("root") if accreditation is not None else None
    certifies = report.certifies
    vc = report.vc()
    subject = vc.get("credentialSubject") if isinstance(vc, dict) else None
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    programme = achievement.get("id") if isinstance(achievement, dict) else None
    schema = credential.get("schema")
    return Subject(
        types=tuple(t for t in credential.get("types") or () if isinstance(t, str)),
        eqf_level=certifies.get("eqf_level") if certifies else None,
        root=root if isinstance(root, str) else None,
        issuer=str(credential.get("issuer")),
        programme=programme if isinstance(programme, str) else None,
        schema=schema if isinstance(schema, str) else None,
    )
