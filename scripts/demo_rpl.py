"""`make demo`, steps 13 to 17 (issue #17): recognition of prior learning. Nadia's informal welding
experience is assessed at home by an accredited RPL centre (evidence kept by her, hashed into the
credential with salts); abroad, a registered employer attests her work and the destination
authority's recognition office (a recognition body it accredited) publishes the recognition decision
that applies to her RPL credential; back home, the centre assesses her
again with the attestation from abroad as evidence. Every step is a real `registry` command run by
demo.py's `Demo`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from registry.keystore import KeyStore

console = Console(emoji=False, highlight=False)
# Real ESCO concepts (../shared/vectors/esco).
WELDING_SKILL = "http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314=apply arc welding techniques"
WELDER = "http://data.europa.eu/esco/occupation/07b6bdd0-9ba7-45e1-8b79-3b8b7b5a07c8=welder"


@dataclass(frozen=True)
class RplFiles:
    """The files of the recognition chapter (steps 13 to 17), under files/rpl."""

    directory: Path
    standard: Path
    authorisation: Path
    credential: Path
    attestation: Path
    trust_list: Path
    shown: Path
    credential_home: Path

    @classmethod
    def under(cls, directory: Path) -> RplFiles:
        names = ("standard.jwt", "assessor.jwt", "nadia-rpl.json", "nadia-work-abroad.json",
                 "destination-trust-list.json", "shown-abroad", "nadia-rpl-home.json")  # fmt: skip
        return cls(directory, *(directory / name for name in names))


def rpl_centre(demo: Any, rpl: RplFiles) -> None:
    """Step 13: an RPL centre accredited for RPL assessment credentials, its standard and its assessor."""
    demo.step(
        "13. Nadia learned to weld in her uncle's workshop: years of work, no certificate. At home, an RPL "
        "centre (recognition of prior learning), accredited by the accreditation body for RPL assessment "
        "credentials, publishes its assessment standard and authorises an assessor (a person with a "
        "did:key, authorised as the logbooks' supervisors are: signed, anchored, revocable)."
    )
    demo.run("identity", "create", "rpl-centre")
    demo.run("node", "fund", "rpl-centre")
    demo.run("did", "register", "rpl-centre")
    demo.run("trust", "accredit", "--parent", "accreditation-body", "--child", "rpl-centre", "--as", "ti",
             "--types", "SkillsCredential,RPLAssessmentCredential")  # fmt: skip
    for person in ("nadia", "assessor-yusuf"):
        demo.run("identity", "create", "--person", person)
    standard = rpl.directory / "standard.json"
    standard.write_text(json.dumps({
        "id": "urn:rpl:welding", "version": 1, "title": "RPL: MIG/MAG welding", "eqfLevel": 3,
        "durationMonths": 1, "backdatingDays": 7,
        "units": [{"id": "W1", "title": "Fillet and butt welds", "skills": [WELDING_SKILL.split("=")[0]],
                   "hours": 4, "signer": "assessor"}]}, indent=2))  # fmt: skip
    demo.run("programme", "publish", str(standard), "--issuer", "rpl-centre", "--out", str(rpl.standard))
    demo.run("supervisor", "authorise", "assessor-yusuf", "--role", "assessor", "--programme", str(rpl.standard),
             "--issuer", "rpl-centre", "--valid-from", "2020-01-01", "--valid-until", "2035-12-31",
             "--out", str(rpl.authorisation))  # fmt: skip


def rpl_at_home(demo: Any, rpl: RplFiles) -> None:
    """Step 14: Nadia assessed; her RPL credential, its evidence kept by her, hashed into it with salts."""
    demo.step(
        "14. Yusuf assesses Nadia: he observes her weld, interviews her and reads a former employer's "
        "testimony. The centre issues an RPL credential (Open Badges 3.0: ESCO skill, EQF level 3, methods, "
        "assessor) whose evidence items she keeps: each is in the credential only as a salted hash; the "
        "salts go into her evidence manifest. On-chain: the credential's hash, as for every credential."
    )
    (rpl.directory / "fillet-weld.jpg").write_bytes(b"\xff\xd8 (a photo of a fillet weld) " * 40)
    (rpl.directory / "testimony.txt").write_text("Nadia welded gates and frames in our workshop for four years.\n")
    assessment = rpl.directory / "assessment.json"
    assessment.write_text(json.dumps({
        "name": "MIG/MAG welding (recognised prior learning)", "eqf": 3,
        "skills": [{"uri": WELDING_SKILL.split("=")[0], "label": WELDING_SKILL.split("=")[1]}],
        "methods": ["observation", "interview", "testimony"], "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "evidence": [{"file": "fillet-weld.jpg", "name": "Fillet weld, 6 mm plate", "genre": "Photograph"},
                     {"file": "testimony.txt", "name": "Former employer's testimony", "genre": "Testimony"}]},
        indent=2))  # fmt: skip
    console.print(f"[dim]{assessment}:[/]\n{assessment.read_text()}", markup=True)
    demo.run("rpl", "issue", "--issuer", "rpl-centre", "--holder", "nadia", "--assessment", str(assessment),
             "--assessor-authorisation", str(rpl.authorisation), "--out", str(rpl.credential))  # fmt: skip


def work_abroad(demo: Any, rpl: RplFiles) -> None:
    """Step 15: an employer abroad, registered but not accredited, attests her work."""
    demo.step(
        "15. Nadia works abroad for a steel-construction firm. It is a registered organisation (its DID "
        "is in the DID registry), not an accredited awarding body, and attests 18 months of work as a "
        "welder (ESCO occupation) with the tasks she did. A verifier sees that lower assurance, said "
        "apart from an accredited qualification's."
    )
    demo.run("identity", "create", "stahlbau")
    demo.run("node", "fund", "stahlbau")
    demo.run("did", "register", "stahlbau")
    demo.run("attest", "--employer", "stahlbau", "--employer-name", "Stahlbau Nord GmbH", "--holder", "nadia",
             "--occupation", WELDER, "--from", "2024-01-01", "--until", "2025-06-30",
             "--task", "MIG/MAG welding of steel frames", "--task", "reading welding drawings",
             "--out", str(rpl.attestation))  # fmt: skip
    demo.run("verify", "--trust-list", str(rpl.trust_list), str(rpl.attestation))


def recognition_abroad(demo: Any, rpl: RplFiles) -> None:
    """Step 16: the destination's recognition office, a recognition body its authority accredited,
    publishes a recognition decision that applies to her RPL credential."""
    demo.step(
        "16. In the destination country, the vocational authority (a Root TAO there) accredits its "
        "recognition office as a recognition body (a TAO accredited for RecognitionDecision). The office "
        "publishes a recognition decision on-chain: RPL assessment credentials at EQF level 3 from issuers "
        "under Nadia's home authority are recognised as a national partial qualification, with a condition. "
        "Nadia shows her credential and one evidence item (`rpl disclose`: that file and its salt only); the "
        "employer, who trusts its own country's authority, verifies it with the evidence and the office's "
        "decision applied."
    )
    for name in ("destination-authority", "recognition-office"):
        demo.run("identity", "create", name)
        demo.run("node", "fund", name)
        demo.run("did", "register", name)
    demo.run("trust", "onboard-root", "destination-authority", "--types", "SkillsCredential,RecognitionDecision",
             "--name", "Destination vocational authority")  # fmt: skip
    demo.run("trust", "accredit", "--parent", "destination-authority", "--child", "recognition-office", "--as", "tao",
             "--types", "RecognitionDecision", "--name", "Destination recognition office")  # fmt: skip
    keys = KeyStore(demo.home / "keys")
    trusted = json.loads(rpl.trust_list.read_text())  # the employer trusts the authority of its own country too
    trusted["roots"].append({"did": keys.public_info("destination-authority")["did"],
                             "name": "Destination vocational authority"})  # fmt: skip
    rpl.trust_list.write_text(json.dumps(trusted, indent=2))
    demo.run("recognition", "publish", "recognition-office", "--types", "RPLAssessmentCredential",
             "--eqf-levels", "3", "--root", keys.public_info("home-authority")["did"],
             "--qualification", "Schweißer/in (Teilqualifikation)", "--framework", "de-dqr", "--level", "3",
             "--conditions", "a supervised trial shift")  # fmt: skip
    demo.run("rpl", "disclose", str(rpl.directory / "nadia-rpl.evidence.json"), "--item", "fillet-weld.jpg",
             "--files", str(rpl.directory), "--out-dir", str(rpl.shown))  # fmt: skip
    demo.run("verify", "--trust-list", str(rpl.trust_list), str(rpl.credential), "--evidence", str(rpl.shown),
             "--recognised-in", str(keys.public_info("recognition-office")["did"]))  # fmt: skip


def back_home(demo: Any, rpl: RplFiles) -> None:
    """Step 17: back home, the work abroad counts: the centre assesses her again with the attestation."""
    demo.step(
        "17. Nadia returns. The home RPL centre (accredited under the home authority) assesses her again, "
        "with the attestation of her work abroad as evidence (referenced by its credential hash), and "
        "recognises a full qualification at EQF level 4. A home employer checks it, the attestation shown."
    )
    assessment = rpl.directory / "assessment-home.json"
    assessment.write_text(json.dumps({
        "name": "MIG/MAG welding, level 2 (recognised prior learning)", "eqf": 4,
        "skills": [{"uri": WELDING_SKILL.split("=")[0], "label": WELDING_SKILL.split("=")[1]}],
        "methods": ["practical-test", "portfolio"], "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "attestations": [rpl.attestation.name],
        "evidence": [{"file": "fillet-weld.jpg", "name": "Fillet weld, 6 mm plate", "genre": "Photograph"}]},
        indent=2))  # fmt: skip
    demo.run("rpl", "issue", "--issuer", "rpl-centre", "--holder", "nadia", "--assessment", str(assessment),
             "--assessor-authorisation", str(rpl.authorisation), "--out", str(rpl.credential_home))  # fmt: skip
    shown = rpl.directory / "shown-home"
    demo.run("rpl", "disclose", str(rpl.directory / "nadia-rpl-home.evidence.json"), "--item", rpl.attestation.name,
             "--files", str(rpl.directory), "--out-dir", str(shown))  # fmt: skip
    demo.run("verify", "--trust-list", str(rpl.trust_list), str(rpl.credential_home), "--evidence", str(shown))


def recognition_of_prior_learning(demo: Any, files: Path) -> None:
    """Steps 13 to 17 (issue #17): informal skills recognised at home, work abroad attested and recognised.
    `demo` is demo.py's `Demo` (its `step`, `run` and `home`); `files` the directory of the demo's files."""
    rpl = RplFiles.under(files / "rpl")
    rpl.directory.mkdir()
    store = KeyStore(demo.home / "keys")
    rpl_centre(demo, rpl)
    rpl_at_home(demo, rpl)
    destination = {"name": "Destination employer", "roots": [
        {"did": store.public_info("home-authority")["did"], "name": "Home vocational authority"}]}  # fmt: skip
    rpl.trust_list.write_text(json.dumps(destination, indent=2))
    work_abroad(demo, rpl)
    recognition_abroad(demo, rpl)
    back_home(demo, rpl)
