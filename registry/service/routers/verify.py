"""POST /verify (the CLI's report over HTTP) and the issuer check behind the issuer page."""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from registry.errors import ChainUnavailable, ConfigError, DeploymentMismatch, InputError
from registry.formats import jwt, qrpayload, safejson
from registry.formats.did import check_did, check_party_did
from registry.formats.holderfile import other_file, printed, printed_refusal, twice_refusal
from registry.ops.batch import note_not_presented
from registry.ops.inputs import credential_sized, is_extract
from registry.ops.passport import is_passport as is_skills_passport
from registry.ops.registry import Registry
from registry.ops.rpl.checks import add_rpl_checks
from registry.ops.trust import Trust, TrustList, evaluate_at, note_registered, without_trust_list
from registry.ops.trust.scope import asked_need
from registry.ops.verify import Outcome, Verdict, Verifier
from registry.ops.verify.report import check_challenge
from registry.service.deps import LazyRegistryDep, RegistryDep
from registry.service.errors import Problem, redactor
from registry.service.routers.common import no_list_hint, parse_at, problems
from registry.service.schemas import PassportReport, ServiceTrustList, TrustReport, VerifyReport, VerifyRequest
from registry.text import json_text

router = APIRouter(tags=["Verification"])
log = logging.getLogger("registry.service")
# The trust list's name, as the verifier's sentences use it: "... which is not in the trust list
# {name}" and "... which {name} trusts" (the CLI names the file).
REQUEST_TRUST_LIST = "the request's trust list"


def _trust_list(request: Request, roots: list[str] | None) -> TrustList | None:
    """The request's own roots when it names any, else the service's trust list (`serve
    --trust-list`), else none."""
    if roots is None:
        service_list: TrustList | None = request.app.state.config.trust_list
        return service_list
    try:
        return TrustList(frozenset(check_did(r) for r in roots), REQUEST_TRUST_LIST)
    except InputError as exc:
        raise Problem(400, f"trust list: {exc}", slug="invalid-input") from exc


def _is_passport(content: str) -> bool:
    """A presentation (passport): a JWT with a `vp` claim, or JSON typed VerifiablePresentation."""
    text = content.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return False
        kinds = data.get("type") if isinstance(data, dict) else None
        kinds = [kinds] if isinstance(kinds, str) else kinds
        return isinstance(kinds, list) and "VerifiablePresentation" in kinds
    try:
        return "vp" in jwt.parse(text).payload
    except InputError:
        return False


async def _raw_body(request: Request) -> bytes:
    """The request's body as sent (read once by the framework already: cached)."""
    return await request.body()


@router.post(
    "/verify",
    response_model=VerifyReport | PassportReport,
    responses=problems(400, 413, 429),
)
def verify(
    body: VerifyRequest, request: Request, lazy_registry: LazyRegistryDep, raw: Annotated[bytes, Depends(_raw_body)]
) -> Response:
    """Verify one credential (JWT-VC or holder file) or a skills passport: the same report as
    `registry verify --json`.

    Always 200 when the request is well-formed: the verdict is in the body. A chain that cannot be
    asked gives the verdict "could not determine", never "invalid". A skills passport
    (`skills-passport/1`, as `registry passport create` writes) gets the passport report: holder
    checks, then one report per credential; other presentation shapes are refused with 400. With
    `audience` (and `nonce`), a passport not made for that audience (or that challenge) is invalid.
    Reports never name the service's node (its URL is internal): "the service's chain node". A
    printed passport's QR code text (`SKC1:...`, formats/qrpayload.py) is read as the holder file it
    carries; a passport's report starts with its summary of competencies (`competencies`).
    `recognisedIn` (default: `serve --recognised-in`) adds an authority's `recognition` finding.
    """
    if (twice := safejson.repeated_anywhere(raw)) is not None:  # parsed, the last one was kept: others read the first
        raise Problem(400, twice_refusal("the request", twice), slug="invalid-input")
    content = body.credential if isinstance(body.credential, str) else json.dumps(body.credential)
    try:  # a blank audience or nonce is no name and no challenge: 400, never a verdict
        check_challenge(body.audience, body.nonce, ("audience", "nonce"))
    except InputError as exc:
        raise Problem(400, str(exc), slug="invalid-input") from exc
    authority = _authority(request, body.recognisedIn)
    if is_skills_passport(content):
        return _verify_passport(request, body, lazy_registry, content, authority)
    _refuse_other_shapes(content)
    at = parse_at(body.at, "at")
    registry: Registry | None = None
    setup_error: str | None = None
    try:
        registry = lazy_registry()
    except (ChainUnavailable, DeploymentMismatch, ConfigError) as exc:
        setup_error = str(exc)
    # No trust list (the request's or the service's): a genuine credential's root is one nobody said
    # they trust ("root not trusted"), never "valid".
    roots = _trust_list(request, body.trustList)
    verifier = _verifier(request, body, registry, roots)
    (report,) = verifier.verify_many([("request", content)], at)
    note_not_presented([report], body.audience, body.nonce)  # only a passport carries them
    add_rpl_checks(report, registry, None)
    _recognise(authority, registry, roots, at, report)
    if setup_error is not None:
        # As the CLI does: name the real reason rather than "no chain connection configured".
        for check in report.checks:
            if check.outcome is Outcome.UNKNOWN:
                check.message = f"could not check: {setup_error}"
        if report.verdict is Verdict.INDETERMINATE:
            report.summary = f"COULD NOT DETERMINE: {setup_error}"
    return _answer(request, report.to_json())


def _verify_passport(
    request: Request, body: VerifyRequest, lazy_registry: Any, content: str, authority: str | None
) -> Response:
    """A skills passport's report: its holder checks, then one report per credential."""
    _refuse_too_large(content)
    at = parse_at(body.at, "at")
    roots = _trust_list(request, body.trustList)
    try:
        verifier = _verifier(request, body, lazy_registry(), roots)
    except (ChainUnavailable, DeploymentMismatch, ConfigError) as exc:
        verifier = _verifier(request, body, None, roots, str(exc))
    passport = verifier.verify_passport("request", content, at, audience=body.audience, nonce=body.nonce)
    add_rpl_checks(passport, verifier.registry, None)  # an RPL credential's assessor (ops/rpl/checks.py)
    _recognise(authority, verifier.registry, roots, at, passport)
    return _answer(request, passport.to_json())


def _refuse_other_shapes(content: str) -> None:
    """What /verify does not judge, each with where to send it instead (400): a printed passport or a
    picture, another of our files, a logbook extract, a text larger than any credential file."""
    if (what := printed(content.lstrip())) is not None:  # an opened PDF or picture, sent as text
        raise Problem(400, printed_refusal("this", what), slug="not-a-credential")
    if (misread := qrpayload.misread(content, "this")) is not None:  # a QR code's text cut short: no verdict
        raise Problem(400, misread, slug="qr-misread")
    # A body may hold a lone surrogate (JSON allows "\ud800"): replaced here, judged by the verifier below.
    if (other := other_file(content.encode(errors="replace"), "this")) is not None:  # a handover file, a backup...
        raise Problem(400, other, slug="not-a-credential")
    if content.lstrip()[:1] == "{" and (twice := safejson.repeated_anywhere(content)) is not None:
        raise Problem(400, twice_refusal("this", twice), slug="invalid-input")  # a file sent as its text
    if is_extract(content):
        raise Problem(
            400,
            "this is a skills logbook extract, not a credential or a passport: send it to POST /api/logbook/verify "
            '(as {"extract": <the file>}), or open it on the page /logbook',
            slug="logbook-extract",
        )
    _refuse_too_large(content)
    if _is_passport(content):
        raise Problem(
            400,
            "only skills passports (skills-passport/1) are accepted as presentations; send that or one credential",
            slug="passport-unsupported",
        )


def _refuse_too_large(content: str) -> None:
    """Above a credential file's size (and no skills passport), or a JWT above a token's: refused,
    not judged INVALID (400 too-large)."""
    try:
        credential_sized("this", content, None)
    except InputError as exc:
        raise Problem(400, str(exc), slug="too-large", title="Too large to be a credential") from exc


def _authority(request: Request, asked: str | None) -> str | None:
    """The DID of the destination authority whose decisions the report carries: the request's
    (`recognisedIn`, a DID or a name in the service's trust list), else the operator's
    (`registry serve --recognised-in`), else none."""
    config = request.app.state.config
    word = asked if asked is not None else config.recognised_in
    if word is None:
        return None
    from registry.ops.recognition.apply import SERVICE_LIST, authority_of

    try:
        # The operator's was checked when the service started; a request's is named in the API's words.
        return authority_of(word, config.trust_list, "recognisedIn", SERVICE_LIST)[0]
    except InputError as exc:
        raise Problem(400, str(exc), slug="invalid-input") from exc


def _recognise(authority: str | None, registry: Registry | None, roots: Any, at: int | None, report: Any) -> None:
    """The authority's decisions applied to the report as a finding (ops/recognition/apply.py), as
    the verifier's trust list (the request's, else the service's) lets them; the verdict stays."""
    if authority is not None:
        from registry.ops.recognition.apply import Recogniser

        Recogniser(registry, authority, roots, at).annotate(report)


def _verifier(
    request: Request, body: VerifyRequest, registry: Registry | None, roots: Any, unavailable: str | None = None
) -> Verifier:
    """The verifier of one request: the service's settings, the request's policy. The schemas this
    service's registry serves are the ones shipped with it: a credential naming any other gets "could
    not determine" for its schema, and the service fetches nothing a credential names."""
    window = request.app.state.settings.anchor_window_s
    if registry is None and unavailable is not None:
        return Verifier(None, roots, unavailable=unavailable, anchor_window_s=window,
                        accreditation_policy=body.accreditationPolicy)  # fmt: skip
    strict = request.app.state.config.require_trusted_root
    return Verifier(registry, roots, anchor_window_s=window, require_trusted_root=strict, schema_sources=(),
                    accreditation_policy=body.accreditationPolicy, no_list_hint=no_list_hint)  # fmt: skip


def _answer(request: Request, report: VerifyReport | PassportReport) -> Response:
    """The report without the node's URL; the log keeps what it said when it named it. Serialized
    once as JSONResponse would; only a report that names the node is walked and redacted."""
    text = _dumps(report)
    redact = redactor(request)
    if redact.may_name(text):
        named: set[str] = set()
        text = _dumps(redact.json(report, named))
        for message in sorted(named):
            log.warning("POST %s: %s", request.url.path, message)
    return Response(text.encode("utf-8"), media_type="application/json")


def _dumps(value: Any) -> str:
    return json_text(value, compact=True)


@router.get("/api/issuers/{did}/check", response_model=TrustReport, responses=problems(400, 503))
def issuer_check(
    did: str,
    request: Request,
    registry: RegistryDep,
    at: Annotated[str | None, Query(description="ISO 8601 (default now)")] = None,
    roots: Annotated[
        list[str] | None,
        Query(max_length=100, description="Root TAO DIDs you accept (default: the service's trust list)"),
    ] = None,
    types: Annotated[
        list[str] | None, Query(alias="type", max_length=20, description="credential types it must be accredited for")
    ] = None,
) -> Any:
    """Walk the issuer's accreditation chain to its Root TAO, as `registry issuer check --json` does."""
    try:
        check_party_did(did)  # a mistyped did:ebsi is the client's mistake, never "not trusted"
    except InputError as exc:
        raise Problem(400, str(exc), slug="invalid-did") from exc
    when = parse_at(at, "at")
    try:
        need = asked_need(types, "type")
    except InputError as exc:
        raise Problem(400, str(exc), slug="invalid-input") from exc
    chain = Trust(registry, "").fetch([did])[did]
    # As `registry issuer check` answers (the same function): a time the chain has not reached is
    # "could not determine", never ok.
    head = registry.block_timestamp()
    listed = _trust_list(request, roots)
    report = evaluate_at(chain, when, head, listed, need, registry.client.syncing)
    if listed is None and request.app.state.config.require_trusted_root:  # as the CLI: neither trusted nor refused
        without_trust_list(report, _no_roots_hint(str(report.root)))
    note_registered(report, lambda did: registry.resolve(did).registered)  # as the CLI's
    return report.to_json()


def _no_roots_hint(root: str) -> str:
    """What a client of the issuer check of a service with no trust list can do (after the summary)."""
    return (
        f"(this service has no trust list: name the Root TAOs you accept in the request, e.g. ?roots={root}, "
        "or its operator names them with `registry serve --trust-list FILE`)"
    )


@router.get("/api/trust-list", response_model=ServiceTrustList)
def service_trust_list(request: Request) -> Any:
    """The service's own trust list (`registry serve --trust-list`): the roots /verify and the issuer
    check accept when a request names none, by name; `configured` false when it has none."""
    listed: TrustList | None = request.app.state.config.trust_list
    if listed is None:
        return {"configured": False, "name": None, "roots": []}
    roots = [{"did": r.did, "name": r.name} for r in listed.listed()]
    return {"configured": True, "name": listed.title, "roots": roots}
