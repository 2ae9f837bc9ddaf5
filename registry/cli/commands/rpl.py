"""`registry rpl issue|disclose` and `registry attest` (issue #17): an accredited centre's RPL
assessment credential with the evidence the holder keeps, what the holder shows of that evidence,
and an employer's work-experience attestation. The work is in registry/ops/rpl/."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.commands.issue import HolderNameOpt
from registry.cli.commands.programme import read_token
from registry.cli.options import (
    DeploymentOpt,
    IssuerOpt,
    RpcOpt,
    holder_did_of,
    load_identity,
    parse_until,
    settings_of,
    text,
)
from registry.cli.output import count, out
from registry.errors import InputError
from registry.text import authorised_as, named_did, shown

app = typer.Typer(
    help="Recognition of prior learning (RPL): credentials for skills assessed from a worker's evidence.",
    no_args_is_help=True,
)
OutOpt = Annotated[Path, typer.Option("--out", help="Where to write the holder's credential file.")]
AssessmentOpt = Annotated[
    Path,
    typer.Option(
        help="The assessment as JSON: name, skills, eqf, methods, date, evidence (files relative to it), attestations."
    ),
]
AuthorisationOpt = Annotated[
    Path,
    typer.Option(
        "--assessor-authorisation", help="The assessor's authorisation (`supervisor authorise --role assessor`)."
    ),
]
EmployerNameOpt = Annotated[str, typer.Option(help="The employer's name, as the attestation says it.", callback=text)]
UntilOpt = Annotated[str | None, typer.Option(help="Expiry (a date includes that whole day, UTC).")]


def _new_file(output: Path, *, reconciled_first: bool = False) -> None:
    if output.exists() and not reconciled_first:
        raise InputError(f"{output} already exists; not overwriting it")
    if not output.parent.is_dir():
        raise InputError(f"the directory {output.parent} does not exist")


def _achievement(data: dict[str, Any], holder_name: str | None) -> Any:
    from registry.formats.credential import Achievement, Skill

    skills = data.get("skills")
    if not isinstance(skills, list) or not skills or not all(isinstance(s, dict) for s in skills):
        raise InputError("the assessment needs `skills`: a list of the ESCO skills recognised, each its uri and label")
    name, eqf = data.get("name"), data.get("eqf")
    if not isinstance(name, str) or not name.strip() or not isinstance(eqf, int) or isinstance(eqf, bool):
        raise InputError("the assessment needs `name` (text) and `eqf` (the EQF level recognised, 1-8)")
    for n, skill in enumerate(skills, 1):  # a label is what a reader sees of a skill: as a roster's, required
        if not isinstance(skill.get("label"), str) or not skill["label"].strip():
            raise InputError(
                f"the assessment's skill {n} ({str(skill.get('uri'))[:80]}) needs a label (text): the skill's "
                'name as ESCO gives it, e.g. "label": "apply arc welding techniques"'
            )
    methods = ", ".join(str(m) for m in data.get("methods") or [])
    achievement = Achievement(
        name=name,
        description=str(data.get("description") or name),
        criteria=str(data.get("criteria") or f"Recognition of prior learning, assessed by {methods}."),
        achievement_type="Competency",
        skills=tuple(Skill(str(s.get("uri")), s["label"].strip()) for s in skills),
        eqf_level=eqf,
        holder_name=holder_name or None,
    )
    achievement.to_json()
    return achievement


@app.command("issue")
def issue(
    ctx: typer.Context,
    issuer: IssuerOpt,
    holder: Annotated[str, typer.Option(help="Holder DID (did:key) or identity name.", callback=text)],
    assessment: Annotated[
        Path,
        typer.Option(
            help="The assessment as JSON: name, skills, eqf, methods, date, "
            "evidence (files relative to it), attestations."
        ),
    ],
    authorisation: Annotated[
        Path,
        typer.Option(
            "--assessor-authorisation", help="The assessor's authorisation (`supervisor authorise --role assessor`)."
        ),
    ],
    output: OutOpt,
    holder_name: HolderNameOpt = None,
    valid_until: UntilOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """Issue a credential for skills assessed from a worker's evidence (recognition of prior learning).

    Its evidence manifest (NAME.evidence.json) is written beside it, for the holder: with it she can later
    show the evidence files she chooses (`rpl disclose`), while the others stay unseen."""
    from registry.formats.rpl import parse_assessment
    from registry.ops.logbook.book import read_json
    from registry.ops.registry import Registry
    from registry.ops.rpl import RplIssuer

    settings = settings_of(ctx, rpc, deployment)
    until = parse_until(valid_until)
    _new_file(output, reconciled_first=True)  # whether it exists: after what a killed run left is reconciled
    data, parsed = parse_assessment(read_json(assessment, f"the assessment {assessment}"), assessment.parent)
    achievement = _achievement(data, holder_name)
    holder_did = holder_did_of(settings, holder)
    token = read_token(authorisation, "the assessor's authorisation")
    centre = RplIssuer(Registry.connect(settings), load_identity(settings, issuer), settings, parsed)
    centre.prepare(token)
    done = centre.issue_rpl(holder_did, achievement, output, until)
    receipt = done.issued.receipt or {}
    _record(settings, centre, done.issued, output)
    from registry.cli.commands.issue import _issuer_label
    from registry.ops.rpl.assessor import authorised_name

    assessor = authorised_as(centre.assessment.assessor, authorised_name(token))  # her name: the centre's word
    out.print(
        f"issued RPL credential {shown(repr(achievement.name))} by {shown(_issuer_label(centre))} to "
        f"{named_did(holder_did, achievement.holder_name)}, assessed by {assessor}\n"
        f"  hash 0x{done.issued.credential_hash.hex()} anchored in block {receipt.get('blockNumber')} "
        f"({receipt.get('gasUsed')} gas)\n  credential file: {shown(output)}\n"
        f"  evidence manifest ({count(done.items, 'item')}; give it to the holder with her files): "
        f"{shown(done.manifest)}"
    )


@app.command("disclose")
def disclose(
    manifest: Annotated[Path, typer.Argument(help="The evidence manifest (NAME.evidence.json beside the credential).")],
    item: Annotated[list[str], typer.Option(help="An item to show, by its file name (repeatable).", callback=text)],
    files: Annotated[Path, typer.Option(help="Where the holder keeps the evidence files.")],
    out_dir: Annotated[Path, typer.Option("--out-dir", help="A new directory, for the files shown and their entries.")],
) -> None:
    """Copy the evidence files you choose to show, with only their manifest entries, into a new directory.

    Give the directory to a verifier, who checks it with `registry verify CREDENTIAL --evidence DIR`."""
    from registry.durable import write_json_atomic
    from registry.formats.rpl import load_manifest

    data = load_manifest(manifest)
    if data is None:
        raise InputError(f"{manifest} is not an evidence manifest")
    if out_dir.exists():
        raise InputError(f"{out_dir} already exists; give a new directory")
    entries = {e.get("file"): e for e in data["items"] if isinstance(e, dict)}
    missing = [name for name in item if name not in entries or not (files / name).is_file()]
    if missing:
        items = ", ".join(str(name) for name in entries)  # the manifest names its items by file
        raise InputError(f"not in the manifest or not in {files}: {', '.join(missing)} (the manifest's items, by "
                         f"file name: {items})")  # fmt: skip
    out_dir.mkdir(parents=True)
    for name in item:
        shutil.copyfile(files / name, out_dir / name)
    write_json_atomic(out_dir / manifest.name, {**data, "items": [entries[name] for name in item]})
    from registry.i18n import ngettext

    said = ngettext("{n} evidence item (its file and salt) in {dir}; the others stay unseen",
                    "{n} evidence items (files and salts) in {dir}; the others stay unseen", len(item))  # fmt: skip
    out.print(said.format(n=len(item), dir=shown(out_dir)))  # the worker's command: in her language


def _work_day(value: str, option: str) -> int:
    """A day of the period of work as an employer types it, in the forms other commands read
    (`2015-03-01`, `1 mars 2015`, `25/12/2024`...: docs/TRUST-LISTS.md, "Dates"): its first second, UTC."""
    from registry.formats.dates import since_time

    try:
        return since_time(value)
    except InputError as exc:
        raise InputError(f"{option}: {exc}") from exc


def attest(
    ctx: typer.Context,
    employer: Annotated[str, typer.Option(help="The employer's identity name (a registered organisation).")],
    holder: Annotated[str, typer.Option(help="The worker's did:key or identity name.", callback=text)],
    employer_name: Annotated[str, typer.Option(help="The employer's name, as the attestation says it.", callback=text)],
    occupation: Annotated[list[str], typer.Option(help="The ESCO occupation worked in, as URI=label.", callback=text)],
    start: Annotated[str, typer.Option("--from", help="First day of work (2015-03-01, 1 March 2015, 1 mars 2015...).")],
    task: Annotated[list[str], typer.Option(help="A task done (repeatable).", callback=text)],
    output: OutOpt,
    end: Annotated[str | None, typer.Option("--until", help="Last day of work (none: still working).")] = None,
    holder_name: HolderNameOpt = None,
    rpc: RpcOpt = None,
    deployment: DeploymentOpt = None,
) -> None:
    """An employer attests a worker's period of work in an occupation, with the tasks she did.

    The employer needs only a registered DID (`did register`), no accreditation: verifiers show the
    attestation as a registered organisation's."""
    from registry.cli.commands.issue import _labelled
    from registry.formats.credential import Achievement, Occupation
    from registry.formats.rpl import WorkPeriod
    from registry.ops.registry import Registry
    from registry.ops.rpl import Attester

    settings = settings_of(ctx, rpc, deployment)
    pairs = _labelled("--occupation", occupation or [])
    if len(pairs) != 1:
        raise InputError("give one --occupation URI=label (the ESCO occupation worked in)")
    _new_file(output)
    period = WorkPeriod(Occupation(*pairs[0]), _work_day(start, "--from"),
                        _work_day(end, "--until") if end else None, tuple(task), employer_name)  # fmt: skip
    holder_did = holder_did_of(settings, holder)
    attester = Attester(Registry.connect(settings), load_identity(settings, employer), settings, period)
    stand_in = Achievement(name="work experience", description="", criteria="", holder_name=holder_name)
    attester.check_can_issue(holder_did, stand_in, valid_until=None, extra_types=())
    issued = attester.issue_single(holder_did, stand_in, out=output)
    receipt = issued.receipt or {}
    _record(settings, attester, issued, output)
    by = employer_name if employer_name == employer else f"{employer_name} ({employer})"
    out.print(
        f"{shown(by)} attested work as {shown(pairs[0][1])} for {named_did(holder_did, holder_name)}\n"
        f"  hash 0x{issued.credential_hash.hex()} "
        f"anchored in block {receipt.get('blockNumber')} ({receipt.get('gasUsed')} gas)\n"
        f"  attestation file: {shown(output)}"
    )


def _record(settings: Any, issuer_ops: Any, issued: Any, output: Path) -> None:
    """Into the issuer's own records, as `issue` does (`registry issued` lists it; else it would take it
    for a credential a stopped command anchored and never recorded)."""
    from registry.ops.issued import record_issued

    block = (issued.receipt or {}).get("blockNumber")
    record_issued(settings.home, issuer_ops.identity, [(issued.holder_file, str(output))], block)
