"""`registry verify`: credentials and passports, through one node, a quorum of nodes, or a
registry service.

A verdict command: exit 0 valid, 1 not valid, 2 could not determine (the worst of all inputs),
64 when the command line itself is wrong (registry/cli/exits.py). Every input is named and
sized before any is read (ops/inputs.py); through one node, inputs are read, verified and
reported a slice at a time (ops/batch.py), so memory stays flat however many there are.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.commands.recognition import RecognisedOpt, check_recognised_in, recogniser_for
from registry.cli.exits import EXIT_FAILURE, EXIT_OK, EXIT_UNDETERMINED, arguments
from registry.cli.options import AT_HELP, DeploymentOpt, RpcOpt, TrustListOpt, parse_at, verdict_settings
from registry.cli.output import (
    JsonReports,
    out,
    print_counts,
    print_report,
    progress_bar,
    tally,
    write_json,
)
from registry.config import Settings, check_service_url
from registry.errors import ChainUnavailable, ConfigError, DeploymentMismatch, InputError
from registry.text import markup, shown

FilesArg = Annotated[list[str], typer.Argument(metavar="FILE", help="Credential files, directories, or - for stdin.")]
AudienceOpt = Annotated[
    str | None,
    typer.Option(help="Who you are, as the holder was told (passports only): one made for another fails; case counts."),
]
NonceOpt = Annotated[
    str | None,
    typer.Option(help="The challenge you gave the holder (passports only): a passport without it is refused."),
]
ServiceOpt = Annotated[
    str | None,
    typer.Option(
        "--service",
        envvar="REGISTRY_SERVICE",
        help="Verify through a registry service (its URL) instead of a node.",
        show_default=False,
    ),
]
PolicyOpt = Annotated[
    str,
    typer.Option(
        "--accreditation-policy",
        help="Which accreditation the issuer must hold: issuance (in force when the credential was anchored; "
        "an accreditation that ended later is noted) or now (in force at the time asked, as EBSI's library).",
    ),
]
EvidenceOpt = Annotated[
    Path | None,
    typer.Option(
        "--evidence",
        help="RPL credentials: the evidence files the holder shows, with their manifest entries (`rpl disclose`): "
        "each item is reported matched, altered (not valid; exit 1) or not shown.",
    ),
]
# A service's verdict, as the exit code the library's verdict would give.
_SERVICE_EXIT = {"valid": EXIT_OK, "could not determine": EXIT_UNDETERMINED}


def verify(
    ctx: typer.Context,
    files: FilesArg,
    at: Annotated[
        str | None,
        typer.Option(help=f"Was it valid at this date/time? ({AT_HELP})"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report(s) as JSON.")] = False,
    trust_list: TrustListOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
    service: ServiceOpt = None,
    audience: AudienceOpt = None,
    nonce: NonceOpt = None,
    accreditation_policy: PolicyOpt = "issuance",
    evidence: EvidenceOpt = None,
    recognised_in: RecognisedOpt = None,
) -> None:
    """Verify credentials and passports: exit 0 valid, 1 not valid, 2 could not determine.

    Each is checked as an employer or an authority needs: its signature, its issuer's accreditation up to a root on
    your trust list, revoked or suspended, expired. A file names the registry it lives in: without a deployment file,
    give a node of that chain (--rpc) or the registry's service (--service); a root counts there where your trust
    list pins it (`registry trust-list add DID --registry THEIR-DEPLOYMENT.json`). Exit 64 when the command line is
    wrong (an unknown option, a missing file, a date that is not a date, --rpc with --service): never a verdict."""
    from registry.ops.inputs import sources, trust_lists

    with arguments():
        when = parse_at(at)
        _check_options(accreditation_policy, rpc, service, evidence, (audience, nonce))
        found = sources(files)
    settings = verdict_settings(ctx, rpc, deployment)
    with arguments():
        roots = trust_lists(trust_list, settings)  # --trust-list, else the verifier's default
        recognised_in = check_recognised_in(recognised_in, roots, settings, service)  # its DID (or the service's)
    if service:  # what the service is asked beside each file (ServiceClient.verify's options)
        asks = {"audience": audience, "nonce": nonce, "accreditation_policy": accreditation_policy,
                "recognised_in": recognised_in}  # fmt: skip
        return _verify_via_service(service, found, at, roots, as_json, asks)
    read_first: dict[str | Path, tuple[str, bytes]] = {}  # the input read to find its registry, kept
    located = _named_registry(settings, found, read_first)
    if located is not None and roots is not None:
        roots = roots.for_registry(located)  # a root counts there only where the list pins it
    _start_read_deadline(settings, len(found))
    urls = list(settings.rpc_urls) or [settings.rpc_url]
    if len(urls) > 1:
        factories = [(u, functools.partial(_verifier_for, settings, roots, u, located, accreditation_policy))
                     for u in urls]  # fmt: skip
        _verify_quorum(factories, [_read_argument(s, read_first) for s in found], when, as_json, audience, nonce)
        return
    verifier = _verifier_for(settings, roots, urls[0], located, accreditation_policy)
    recogniser = recogniser_for(verifier, recognised_in, roots, when)
    try:
        _verify_local(verifier, found, when, as_json, audience, nonce, read_first, recogniser, evidence)
    finally:
        # Only when the node is what failed (its URL in the reason), not a file that names no registry.
        if verifier.unavailable and urls[0] in verifier.unavailable and not settings.rpc_url_named:
            _hint_no_node_named(urls[0], located)


def _start_read_deadline(settings: Settings, count: int) -> None:
    """Chain reads end within REGISTRY_READ_DEADLINE s per slice of 100 credentials, however the node paces them."""
    from registry.chain.client import start_read_deadline

    start_read_deadline(settings.read_deadline_s * -(-count // 100), "read deadline (REGISTRY_READ_DEADLINE)")


def _hint_no_node_named(url: str, located: Any) -> None:
    """Nobody named a node and the local default could not be used: an employer given a file and
    nothing else learns what to give (on stderr: the report, or its JSON, stays as it is)."""
    chain = f"chain {located.chain_id}" if located is not None else "the credential's chain"
    named = f" (the file names {located.service})" if located is not None and located.service else ""
    sys.stderr.write(
        "hint: "
        + shown(
            f"no node was named (--rpc URL, REGISTRY_RPC_URL, `registry config set rpc-url URL`), so the local "
            f"default {url} was asked: give a node of {chain} with --rpc URL, or its registry's service with "
            f"--service URL{named}"
        )
        + "\n"
    )


def _check_options(policy: str, rpc: list[str] | None, service: str | None, evidence: Any, asked: Any) -> None:
    if evidence is not None and (service or not evidence.is_dir()):
        raise InputError(f"--evidence needs a directory, and a node (not --service): {evidence}")
    if service and check_service_url(service) and rpc:  # a malformed URL is a usage error (64), as for --rpc
        raise InputError("give --rpc URL or --service URL, not both: the service reads its own chain node")
    from registry.ops.verify.report import POLICIES, check_challenge

    check_challenge(*asked)  # a blank --audience/--nonce (an unset variable) is no name: 64, never a verdict
    if policy not in POLICIES:
        raise InputError(f"--accreditation-policy is issuance or now, not {policy[:40]!r}")


def _named_registry(settings: Settings, found: list[str | Path], read_first: dict[str | Path, Any]) -> Any:
    """Without a deployment of one's own, the registry the first of 64 inputs naming one names (reads kept)."""
    from registry.ops.locate import has_own_deployment, named_registry

    if has_own_deployment(settings) or not found:
        return None
    for source in found[:64]:
        read_first[source] = _read_argument(source)
        if (located := named_registry(*read_first[source])) is not None:
            return located
    return None


def _verifier_for(settings: Settings, roots: Any, url: str, located: Any = None, policy: str = "issuance") -> Any:
    """A verifier reading through the node at `url` in the verifier's deployment, else in the registry
    the input names (`located`); one that cannot attach says so in every report. A schema that is not
    ours is fetched from the trusted schemas registry of the services the verifier configured."""
    from registry.ops.locate import connect_named, has_own_deployment, no_registry
    from registry.ops.registry import Registry
    from registry.ops.verify import Verifier

    endpoint = Settings(home=settings.home, rpc_urls=(url,), deployment_path=settings.deployment_path)
    try:
        if located is not None:
            registry = connect_named(endpoint, located)
        elif not has_own_deployment(settings):
            raise ConfigError(no_registry(settings))
        else:
            registry = Registry.connect(endpoint, journal=False)
    except (ChainUnavailable, DeploymentMismatch, ConfigError) as exc:
        return Verifier(None, roots, unavailable=str(exc), anchor_window_s=settings.anchor_window_s,
                        accreditation_policy=policy)  # fmt: skip
    # No trust list at all: a genuine credential's root is one nobody said they trust ("root not trusted").
    schema_sources = tuple(dict.fromkeys(s for s in (settings.public_service, settings.public_url) if s))
    return Verifier(
        registry, roots, anchor_window_s=settings.anchor_window_s, keep_issuers=True, require_trusted_root=True,
        schema_sources=schema_sources, accreditation_policy=policy, named_registry=located,
    )  # fmt: skip


def _read_argument(source: str | Path, read_first: dict[str | Path, Any] | None = None) -> tuple[str, bytes]:
    """One input read for a verdict (or taken from `read_first`, where it was read already): an input
    it cannot read is a command-line error (64)."""
    from registry.ops.inputs import read

    if read_first and source in read_first:
        return read_first.pop(source)
    with arguments():
        return read(source)


def _verify_local(
    verifier: Any, found: list[str | Path], when: int | None, as_json: bool, audience: str | None, nonce: str | None,
    read_first: dict[str | Path, Any] | None = None, recogniser: Any = None, evidence: Path | None = None,
) -> None:  # fmt: skip
    """Read, verify and report a slice at a time; only the verdict counts are kept for the summary.
    An RPL credential gets its assessor check, and with `evidence` its evidence items (an altered
    one exits 1 whatever the verdict: ops/rpl/checks.py)."""
    from registry.ops.batch import SLICE, verify_inputs
    from registry.ops.rpl.checks import add_rpl_checks
    from registry.ops.verify import note_single_node

    counts: dict[str, int] = {}
    worst = EXIT_OK
    single = len(found) == 1
    stream = JsonReports(single)
    with progress_bar(f"verifying {len(found)} files", len(found), hidden=single) as advance:
        for start in range(0, len(found), SLICE):
            inputs = [_read_argument(source, read_first) for source in found[start : start + SLICE]]
            for report in verify_inputs(verifier, inputs, when, audience=audience, nonce=nonce):
                if add_rpl_checks(report, verifier.registry, evidence):
                    worst = max(worst, EXIT_FAILURE)
                note_single_node(report)
                if recogniser is not None:
                    recogniser.annotate(report)  # a finding added to the report; the verdict stays as it is
                tally(counts, report)
                worst = max(worst, report.verdict.exit_code)
                if as_json:
                    stream.add(report.to_json())
                else:
                    print_report(report)
            advance(len(inputs))
    if as_json:
        stream.close()
    elif not single:
        print_counts(counts, len(found))
    raise typer.Exit(worst)


def _verify_quorum(
    verifiers: list[Any],
    inputs: list[tuple[str, bytes]],
    when: int | None,
    as_json: bool,
    audience: str | None = None,
    nonce: str | None = None,
) -> None:
    from registry.ops.batch import verify_quorum

    results = verify_quorum(verifiers, inputs, when, audience=audience, nonce=nonce)
    if as_json:
        write_json([r.to_json() for r in results] if len(results) > 1 else results[0].to_json())
    else:
        for report in results:
            print_report(report)
        if len(results) > 1:
            counts: dict[str, int] = {}
            for report in results:
                tally(counts, report)
            print_counts(counts, len(results))
    raise typer.Exit(max(r.verdict.exit_code for r in results))


def _verify_via_service(
    service: str,
    found: list[str | Path],
    at: str | None,
    trust_list: Any,
    as_json: bool,
    asks: dict[str, str | None],
) -> None:
    """POST /verify for each file: the service answers with the same report the library builds,
    printed the same way (passports credential by credential, a summary table for many files).

    A file the service could not answer for (unreachable, a wrong URL, still rate-limited after
    waiting as it asked) gets "could not determine" and the next file is still sent; the exit
    code is the worst verdict."""
    from registry.service.client import ServiceClient

    client = ServiceClient(service)
    roots = sorted(trust_list.roots) if trust_list is not None else None
    worst = EXIT_OK
    counts: dict[str, int] = {}
    single = len(found) == 1
    stream = JsonReports(single)
    label = f"verifying {len(found)} files via {markup(service)}"
    with progress_bar(label, len(found), hidden=single or as_json) as advance:
        for source in found:
            name, content = _read_argument(source)
            report = _named(_ask_service(client, name, content, at, roots, asks), name)
            verdict = str(report.get("verdict"))
            shaped = _as_report(report)
            tally(counts, shaped)
            worst = max(worst, _SERVICE_EXIT.get(verdict, EXIT_FAILURE))
            if as_json:
                stream.add(report)
            else:
                print_report(shaped)
            advance(1)
    if as_json:
        stream.close()
    else:
        if not single:
            print_counts(counts, len(found))
        out.print(f"[dim]verified via {markup(service)}[/]", markup=True)
    raise typer.Exit(worst)


def _ask_service(
    client: Any, name: str, content: bytes, at: str | None, roots: list[str] | None, asks: dict[str, str | None]
) -> dict[str, Any]:  # fmt: skip
    """The service's report on one input; "could not determine" when it did not answer with one."""
    from registry.service.client import ServiceError

    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        message = f"{name} is not UTF-8 text, so not a credential"
        return {"verdict": "invalid", "summary": f"INVALID: format: {message}",
                "checks": [{"name": "format", "outcome": "fail", "message": message}]}  # fmt: skip
    try:
        answer = client.verify(text, at=at, trust_list=roots, **asks)
        return _service_report(answer)
    except (ChainUnavailable, ServiceError) as exc:
        summary = f"COULD NOT DETERMINE: the service did not answer: {exc}"
        return {"verdict": "could not determine", "summary": summary, "checks": []}


def _service_report(answer: Any) -> dict[str, Any]:
    """The service's answer, if it has the shape of a report (the service's own response models),
    else ServiceError: whatever a service sends is printed only once it reads as a report."""
    from pydantic import TypeAdapter, ValidationError

    from registry.service.client import ServiceError
    from registry.service.schemas import PassportReport, VerifyReport

    inner = answer.get("credentials") if isinstance(answer, dict) else None
    for report in [answer, *(inner if isinstance(inner, list) else ())]:
        if isinstance(report, dict) and report.get("kind") != "passport":
            report.setdefault("certifies", None)  # an earlier service's report says nothing of it
            report.setdefault("accreditation_policy", "not stated by the service")  # nor of this
    if isinstance(inner, list) and "competencies" not in answer:  # nor of a passport's summary: made here
        from registry.ops.verify.summary import summarise

        with contextlib.suppress(AttributeError, TypeError, KeyError):  # not a report: said below
            answer["competencies"] = summarise(inner, answer.get("holder"), answer.get("checks") or [])
    try:
        TypeAdapter(VerifyReport | PassportReport).validate_python(answer)
    except ValidationError as exc:
        where = ".".join(str(part) for part in exc.errors()[0]["loc"]) if exc.errors() else "it"
        raise ServiceError(200, {"title": "not a verification report", "detail": f"{where} is malformed"}) from exc
    result: dict[str, Any] = answer
    return result


def _named(report: dict[str, Any], name: str) -> dict[str, Any]:
    """The service names what it was sent "request"; the reader knows it as the file."""
    named = {**report, "source": name}
    if isinstance(report.get("credentials"), list):
        named["credentials"] = [{**inner, "source": f"{name} #{n}"} for n, inner in enumerate(report["credentials"], 1)]
    return named


def _as_report(data: dict[str, Any]) -> Any:
    """A report as JSON (the service's answer) in the shape `print_report` reads."""
    from types import SimpleNamespace as make

    checks = [
        make(name=c.get("name"), outcome=c.get("outcome"), message=c.get("message"), evidence=c.get("evidence") or {})
        for c in data.get("checks", [])
    ]
    fields = {"source": data.get("source"), "verdict": data.get("verdict"), "summary": data.get("summary"),
              "checks": checks}  # fmt: skip
    if isinstance(data.get("credentials"), list):
        fields["credentials"] = [_as_report(inner) for inner in data["credentials"]]
        fields["competencies"] = data.get("competencies") or {}
    else:
        fields["credential"] = data.get("credential") or {}
        fields.update(certifies=data.get("certifies"), warnings=data.get("warnings") or [])  # none from older services
        fields["accreditation_policy"] = data.get("accreditation_policy")
        fields["recognition"] = data.get("recognition")
    return make(**fields)
