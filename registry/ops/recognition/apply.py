"""An authority's recognition decisions applied to verified credentials: the finding a report carries.

A decision applies to a credential when the credential is VALID, within the decision's scope (a
type, the EQF level, the issuer's root, and the issuers, programmes and schemas it names, if any)
and the decision was in force at the time asked: published by then, active then (its history:
suspended or revoked no longer applies), inside its validity window. Decisions are applied only
from an authority the verifier trusts: a root of its trust list, or a recognition body, a TAO its
Root TAO accredited for recognition decisions (`RecognitionDecision` in the accreditation's scope),
whose chain holds at the time asked up to a root of the trust list; and of such a body, only the
decisions published under that accreditation. A TAO accredited for something else is not applied,
and the finding says why. Recognition never changes a verdict.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from registry.errors import RegistryError
from registry.formats.credential import iso
from registry.formats.did import check_party_did
from registry.formats.recognition import RECOGNITION_TYPE, Subject, out_of_scope
from registry.ops.recognition.ids import short_id
from registry.ops.recognition.model import Decision
from registry.text import short_attribute

if TYPE_CHECKING:
    from registry.ops.registry import Registry
    from registry.ops.trust import TrustList
    from registry.ops.verify.report import Report

NONE_HERE = "no recognition decision here"
NOT_FOR_RECOGNITION = (
    f"its accreditation does not cover recognition decisions ({RECOGNITION_TYPE}): a Root TAO accredits a "
    "recognition body for that purpose"
)


YOUR_LIST = "your trust list (`registry trust-list show`)"
SERVICE_LIST = "the service's trust list (GET /api/trust-list)"


def authority_of(
    word: str, trust_list: TrustList | None, asked: str = "--recognised-in", where: str = YOUR_LIST
) -> tuple[str, str | None]:
    """(DID, name) of `--recognised-in WORD`: a DID, or a name the trust list gives a root. A refusal
    names the option (`asked`) and the list (`where`) as the one who asked knows them."""
    from registry.errors import InputError

    if word.startswith("did:"):
        check_party_did(word)
        return word, trust_list.name_of(word) if trust_list is not None else None
    named = [r for r in (trust_list.listed() if trust_list else ()) if r.name and r.name.lower() == word.lower()]
    if len(named) != 1:
        raise InputError(f"{asked} {word[:80]!r} is neither a DID nor the name of one root in {where}")
    return named[0].did, named[0].name


class Recogniser:
    """One authority's decisions, read once for a whole `verify` command, applied to each report."""

    def __init__(self, registry: Registry | None, word: str, trust_list: TrustList | None, at: int | None) -> None:
        self.did, self.name = authority_of(word, trust_list)
        self.at = at if at is not None else int(time.time())
        self.decisions: list[Decision] = []
        # The authority's accreditations whose decisions apply (None: any, the authority being a root
        # of the trust list); filled by `_untrusted`.
        self.accepted: set[bytes] | None = set()
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
        """Why this authority's decisions are not applied (None: they are). A root of the trust list
        speaks for itself; any other authority only through a TAO accreditation for recognition
        decisions (`RECOGNITION_TYPE` in its scope) granted by its Root TAO, whose whole chain holds at
        the time asked up to a root of the list: the decisions published under such an accreditation
        (`self.accepted`) apply, no other."""
        refusal = f"decisions of {self.label} not applied: "
        if trust_list is None:  # named as its accreditation names it, with the step that makes it apply
            from registry.ops.trust import Trust

            declared = self._declared(Trust(registry, "").fetch([self.did])[self.did])
            return (f"decisions of {declared} not applied: you have no trust list (make one "
                    f"with `registry trust-list add {self.did} --name NAME --registry DEPLOYMENT.json`, with its "
                    "registry's deployment file as the authority publishes it)")  # fmt: skip
        if self.did in trust_list.roots:
            why = self._root_not_in_force(registry, trust_list)
            if why is not None:
                return refusal + why
            self.accepted = None
            return None
        from registry.ops.registry import did_hash
        from registry.ops.trust import IssuerType, Need, Relevance, Trust, check_body, scope_covers, walk

        chain = Trust(registry, "").fetch([self.did])[self.did]
        refusal = f"decisions of {self._declared(chain)} not applied: "
        need = Need((RECOGNITION_TYPE,))
        accepted: set[bytes] = set()
        failures: list[tuple[bool, int, str]] = []  # (for another purpose, relevance, why): sorted, most relevant first
        for link in chain.of(did_hash(self.did)):
            if link.issuer_type is not IssuerType.TAO:
                continue
            acc, _ = check_body(chain, link)
            if acc is not None and not scope_covers(acc.scopes, need):
                failures.append((True, int(Relevance.SCOPE), NOT_FOR_RECOGNITION))
            elif link.parent_did_hash != link.root_did_hash:
                failures.append((False, int(Relevance.OTHER), "it is accredited for recognition decisions by a TAO, "
                                 "not by its Root TAO: only a Root TAO accredits a recognition body"))  # fmt: skip
            else:
                walked, relevance = walk(chain, link, self.at, trust_list, need)
                if walked.ok:
                    accepted.add(link.attribute_id)
                else:
                    failures.append((False, int(relevance), walked.summary))
        self.accepted = accepted
        if accepted:
            if self.name is None:  # a body the trust list does not name: the legal name its accreditation gives
                from registry.ops.trust import legal_names

                self.name = legal_names(chain).get(self.did)
            return None
        if not failures:
            return (
                refusal + "it is not in your trust list, nor accredited for recognition decisions under a root that is"
            )
        return refusal + sorted(failures)[0][2]

    def _root_not_in_force(self, registry: Registry, trust_list: TrustList) -> str | None:
        """Why a root of the trust list does not speak now (None: it does): its Root TAO onboarding
        does not hold at the time asked (suspended or revoked by the registry's governance, or
        expired), as a recognition body's accreditation must hold. A DID the registry never onboarded
        as a Root TAO is left to its decisions' own checks."""
        from registry.ops.registry import did_hash
        from registry.ops.trust import IssuerType, Trust, walk

        chain = Trust(registry, "").fetch([self.did])[self.did]
        if self.name is None:  # a list of bare DIDs (a request's): the legal name its onboarding gives
            from registry.ops.trust import legal_names

            self.name = legal_names(chain).get(self.did)
        onboardings = [link for link in chain.of(did_hash(self.did)) if link.issuer_type is IssuerType.ROOT_TAO]
        walked = [walk(chain, link, self.at, trust_list, None)[0] for link in onboardings]
        if not walked or any(report.ok for report in walked):
            return None
        return f"its own accreditation (a Root TAO's) is not in force on {iso(self.at)}: {walked[0].summary}"

    def _declared(self, chain: Any) -> str:
        """The authority as a refusal names it: by the trust list's name, else by the legal name its
        accreditation gives (said to be that, not the list's), else by its DID alone."""
        from registry.ops.trust import legal_names

        declared = None if self.name else legal_names(chain).get(self.did)
        return (
            f'{self.did} (named "{declared}" in its accreditation, not in your trust list)' if declared else self.label
        )

    def finding(self, report: Report) -> dict[str, Any]:
        base: dict[str, Any] = {"authority": self.did, "authority_name": self.name, "as_of": iso(self.at)}
        if self.problem is not None:
            outcome, message = self.problem
            return {**base, "outcome": outcome, "message": message, "decisions": [], "not_applying": []}
        if str(report.verdict) != "valid":
            message = self._root_untrusted(report) or f"not applied: the credential is not valid ({report.verdict})"
            return {**base, "outcome": "not applied", "message": message, "decisions": [], "not_applying": []}
        subject = subject_of(report)
        applying: list[Decision] = []
        not_applying: list[dict[str, str]] = []
        for decision in self.decisions:
            why = _why_not(decision, subject, self.at, self.did, self.accepted)
            if why is None:
                applying.append(decision)
            elif decision.document is not None and out_of_scope(decision.document.scope, subject) is None:
                not_applying.append({"id": "0x" + decision.id.hex(), "why": why})  # in scope, but not in force
        if not applying:
            stopped = [f"decision {short_id(bytes.fromhex(n['id'][2:]))} {n['why']}" for n in not_applying]
            near = "; ".join(stopped + _near(self, subject))  # in force, in scope but for (say) its EQF level
            message = (
                f"not recognised here as of {iso(self.at)}: {near}" if stopped
                else NONE_HERE + (f" for it ({near})" if near else "")
            )  # fmt: skip
            return {**base, "outcome": "none", "message": message, "decisions": [], "not_applying": not_applying}
        message = "; ".join(_recognised(d) for d in applying)
        decisions = [_summary(d) for d in applying]
        return {**base, "outcome": "recognised", "message": message, "decisions": decisions,
                "not_applying": not_applying}  # fmt: skip

    def _root_untrusted(self, report: Report) -> str | None:
        """A genuine credential under a root the trust list leaves out, which a decision of this
        authority would recognise: said, with what makes it apply (None: no such decision). The
        decision is not a trust list: trusting the root stays the verifier's own choice."""
        if str(report.verdict) != "root not trusted":
            return None
        subject = subject_of(report)
        would = [d for d in self.decisions if _why_not(d, subject, self.at, self.did, self.accepted) is None]
        if not would or subject.root is None:
            return None
        from registry.ops.verify.report import Code

        check = report.check(Code.ACCREDITATION)
        declared = check.evidence.get("root_name") if check is not None else None
        root = f'{subject.root} (self-declared name "{declared}")' if isinstance(declared, str) else subject.root
        return (f"not applied: the credential's Root TAO {root} is not in the trust list; "
                f"with it there, it would be {'; '.join(_recognised(d) for d in would)} "
                "(a decision does not make a root trusted: add it to the trust list, pinned to this registry, "
                "if you accept it)")  # fmt: skip

    def annotate(self, report: Any) -> None:
        """Add the finding to a report, and to each credential of a passport's."""
        for inner in getattr(report, "credentials", None) or [report]:
            inner.recognition = self.finding(inner)


def _why_not(decision: Decision, subject: Subject, at: int, authority: str, accepted: set[bytes] | None) -> str | None:
    if decision.document is None:
        return "its document could not be read"
    if accepted is not None and decision.attribute_id not in accepted:
        accreditation = short_attribute(decision.attribute_id)
        return f"published under accreditation {accreditation}, not one for recognition decisions here"
    if decision.document.authority != authority:  # written past our tools: it does not speak for this authority
        return f"its document names another authority ({decision.document.authority})"
    return out_of_scope(decision.document.scope, subject) or decision.not_applying(at)


def _near(recogniser: Recogniser, subject: Subject) -> list[str]:
    """The decisions for its type and root that leave it out on another ground (an EQF level, the
    issuers, programmes or schemas they name), with why: what the authority did decide about its
    kind, rather than a bare "no decision"."""
    near = []
    for decision in recogniser.decisions:
        scope = decision.document.scope if decision.document is not None else None
        if scope is None or scope.root != subject.root or not set(scope.types) & set(subject.types):
            continue
        accepted = recogniser.accepted is None or decision.attribute_id in recogniser.accepted
        if accepted and decision.not_applying(recogniser.at) is None and (why := out_of_scope(scope, subject)):
            near.append(f"decision {short_id(decision.id)}: {why}")
    return near


def _recognised(decision: Decision) -> str:
    words = f"recognised here as {decision.outcome_words()}, decision {short_id(decision.id)} of " \
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
