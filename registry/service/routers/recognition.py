"""Recognition decisions (issue #17), read-only: an authority's decisions, page by page, one decision
by id, and the qualifications frameworks decisions name. Publishing and changing a decision is the
authority's own `registry recognition` command (its key never reaches the service)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from registry.errors import InputError
from registry.formats.did import check_party_did
from registry.ops.recognition.authority import Recognition
from registry.ops.recognition.model import Decision, DecisionStatus
from registry.service.deps import RegistryDep
from registry.service.errors import Problem
from registry.service.pagination import Page, page_params, paginated
from registry.service.routers.common import parse_hex32, problems
from registry.service.schemas import RecognitionDecisionList

router = APIRouter(prefix="/api/recognition", tags=["Recognition"])


def _named(recognition: Recognition, decisions: list[Decision], authority: str | None) -> dict[str, str]:
    """The legal names (as their accreditations state them) of every party these decisions name."""
    dids = [authority] if authority else []
    for decision in decisions:
        if decision.document is not None:
            scope = decision.document.scope
            dids += [decision.document.authority, scope.root, *scope.issuers]
    return recognition.legal_names(dids)


def _item(request: Request, decision: Decision, names: dict[str, str]) -> dict[str, Any]:
    href = str(request.url_for("get_decision", decision_id="0x" + decision.id.hex()))
    return {**decision.named_json(names), "href": href}


@router.get("/authorities/{did}/decisions", response_model=RecognitionDecisionList, responses=problems(400, 503))
def list_decisions(
    did: str, request: Request, registry: RegistryDep, page: Annotated[Page, Depends(page_params)]
) -> Any:
    """The authority's recognition decisions, oldest first (as `registry recognition list`): items
    {id, href, status, published, valid_from, valid_until, qualification, framework, framework_name,
    level, conditions, document, history, authority, authority_name, root, root_name, issuer_names};
    names are the legal names the parties' accreditations state (null where none does). An authority
    that published none: no items. Beside the list: `authority` and `authority_name`."""
    try:
        check_party_did(did)
    except InputError as exc:
        raise Problem(400, str(exc), slug="invalid-did") from exc
    recognition = Recognition(registry)
    ids = recognition.ids(did)
    start, count = page.bounds(len(ids))
    decisions = recognition.read(ids[start : start + count])
    names = _named(recognition, decisions, did)
    listed = paginated(request, page, [_item(request, d, names) for d in decisions], len(ids))
    return {**listed, "authority": did, "authority_name": names.get(did)}


@router.get("/decisions/{decision_id}", responses=problems(400, 404, 503))
def get_decision(decision_id: str, request: Request, registry: RegistryDep) -> Any:
    """One decision by its whole id (0x and 64 hex digits, or 64 without 0x), with its history and the
    parties' legal names, as one item of the authority's list."""
    recognition = Recognition(registry)
    (found,) = recognition.read([parse_hex32(decision_id, "the decision id")])
    if found.status is DecisionStatus.NONE:
        raise Problem(404, f"there is no recognition decision {decision_id[:80]} in this registry",
                      slug="decision-not-found")  # fmt: skip
    return _item(request, found, _named(recognition, [found], None))


@router.get("/frameworks")
def recognition_frameworks() -> Any:
    """The qualifications frameworks recognition decisions may name: items {id, key, name, href}."""
    from registry.formats.frameworks import bundled

    return [{"id": f.id, "key": f.key, "name": f.name, "href": f"/api/recognition/frameworks/{f.id}"}
            for f in bundled().values()]  # fmt: skip


@router.get("/frameworks/{framework_id}", responses=problems(404))
def recognition_framework(framework_id: str) -> Any:
    """One framework, as published: its id is multibase base58btc(sha256(RFC 8785 canonical JSON)),
    so a reader recomputes it from the answer (formats/frameworks.py)."""
    from registry.formats.frameworks import bundled

    framework = bundled().get(framework_id)
    if framework is None:
        raise Problem(404, f"no framework {framework_id[:80]}", slug="framework-not-found")
    return framework.data
