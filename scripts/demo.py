"""`make demo`: the life of one skills credential on a real local chain, told step by step.

Every step runs the real `registry` command a user would type, against a real anvil process
that this script starts on a free port and stops at the end (whatever happens).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from demo_logbook import apprenticeship
from demo_rpl import recognition_of_prior_learning
from rich.console import Console
from rich.panel import Panel

from registry.chain.node import AnvilNode, free_port
from registry.keystore import KeyStore

console = Console(emoji=False, highlight=False)
PASSPHRASE = "demo passphrase, not for real keys"
REGISTRY = str(Path(sys.executable).with_name("registry"))
# Real ESCO skill concepts (they are in ../shared/vectors/esco/skills.csv).
WELDING_SKILL = "http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314=apply arc welding techniques"
SAFETY_SKILL = "http://data.europa.eu/esco/skill/51754b8a-3e2c-4cc1-86e6-cf510d9c6fe4=use personal protection equipment"


def registry_process(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`registry ARGS...` as the user types it: a real process of the console script."""
    return subprocess.run([REGISTRY, *args], env=env, capture_output=True, text=True, timeout=300)


class Demo:
    # How each step's command runs: a real `registry` process. (tests/e2e/test_demo.py runs the same
    # command lines through registry.cli.main in its own process: the story, without 57 Python starts.)
    command = staticmethod(registry_process)

    def __init__(self, home: Path, rpc_url: str) -> None:
        self.home = home
        self.rpc_url = rpc_url
        self.env = {
            **os.environ,
            # Demo identities only: a passphrase everybody knows and a cheaper scrypt cost.
            "REGISTRY_PASSPHRASE": PASSPHRASE,
            "REGISTRY_SCRYPT_N": "16384",
            "REGISTRY_RPC_URL": rpc_url,
            "REGISTRY_HOME": str(home),
            "COLUMNS": "140",
        }

    def step(self, text: str) -> None:
        console.print()
        console.print(Panel(text, border_style="cyan"))

    def run(self, *args: str, expect: int = 0) -> str:
        shown = " ".join(shlex.quote(a) for a in ("registry", *args))
        console.print(f"[bold]$ {shown}[/]", soft_wrap=True)
        result = self.command(list(args), self.env)
        sys.stdout.write(result.stdout)
        sys.stdout.write(result.stderr)
        if result.returncode != expect:
            raise SystemExit(f"demo stopped: `{shown}` exited {result.returncode}, expected {expect}")
        console.print(f"[dim](exit code {result.returncode})[/]")
        return result.stdout


@dataclass(frozen=True)
class Files:
    """The files the story writes and reads, in the demo's temporary home."""

    directory: Path
    credential: Path
    trust_list: Path
    roster: Path
    cohort: Path
    passport: Path

    @classmethod
    def under(cls, directory: Path) -> Files:
        names = ("amina-welding.json", "destination-trusted-roots.json", "safety-course.csv", "safety-course",
                 "amina-passport.json")  # fmt: skip
        return cls(directory, *(directory / name for name in names))


def parties(demo: Demo) -> None:
    """Steps 1 to 3: the registry deployed, the parties' identities, the organisations' DIDs."""
    demo.step(
        "1. Deploy the registry: a DID registry, a trusted issuers registry (the accreditation chain) "
        "and a credential registry (anchors, revocation, suspension). The deploying account holds the "
        "governance role that onboards root authorities."
    )
    demo.run("deploy")

    demo.step(
        "2. The parties create their identities. In Amina's home country: the national vocational "
        "authority, an accreditation body and a welding school, each a did:ebsi with a secp256k1 "
        "controller key (signs its transactions) and a P-256 key (signs credentials), encrypted on "
        "disk. Amina, the worker, and two classmates each get a did:key they control."
    )
    for name in ("home-authority", "accreditation-body", "welding-school"):
        demo.run("identity", "create", name)
    for person in ("amina", "bilal", "chidi"):
        demo.run("identity", "create", "--person", person)

    demo.step(
        "3. Each organisation registers its DID on-chain with its public keys "
        "(on this local chain each account first receives test ether)."
    )
    for name in ("home-authority", "accreditation-body", "welding-school"):
        demo.run("node", "fund", name)
        demo.run("did", "register", name)


def accreditation(demo: Demo, files: Files) -> None:
    """Steps 4 and 5: the accreditation chain, and the destination country's check of the school."""
    demo.step(
        "4. The accreditation chain, as in EBSI: governance onboards the home-country vocational "
        "authority as a Root TAO; it accredits the accreditation body (TAO), which accredits the "
        "welding school (TI) to issue welding certificates. Each link is a signed accreditation "
        "credential on-chain."
    )
    types = "SkillsCredential,WeldingCertificate,NursingLicence,RPLAssessmentCredential"
    demo.run("trust", "onboard-root", "home-authority", "--types", types)
    demo.run("trust", "accredit", "--parent", "home-authority", "--child", "accreditation-body",
             "--as", "tao", "--types", types)  # fmt: skip
    demo.run("trust", "accredit", "--parent", "accreditation-body", "--child", "welding-school",
             "--as", "ti", "--types", "SkillsCredential,WeldingCertificate")  # fmt: skip

    demo.step(
        "5. In the destination country, the labour authority keeps its own trust list: the root "
        "authorities it recognises. It checks the foreign welding school: the whole chain, every "
        "link's signature, scope, validity and status, up to a root on its list."
    )
    store = KeyStore(demo.home / "keys")
    files.trust_list.write_text(
        json.dumps(
            {
                "name": "Destination country labour authority",
                "roots": [{"did": store.public_info("home-authority")["did"], "name": "Home vocational authority"}],
            },
            indent=2,
        )
    )
    console.print(f"[dim]{files.trust_list}:[/]\n{files.trust_list.read_text()}")
    demo.run("issuer", "check", "welding-school", "--trust-list", str(files.trust_list))


def one_credential(demo: Demo, files: Files) -> None:
    """Steps 6 and 7: Amina's welding certificate issued and anchored, then verified abroad."""
    demo.step(
        "6. Amina passes her welding exam. The school issues her a skills credential (a W3C Verifiable "
        "Credential, a JWT signed with ES256, aligned to an ESCO skill and EQF level 4) and anchors "
        "its hash on-chain. Only the hash goes on-chain: nothing about Amina."
    )
    demo.run(
        "issue",
        "--issuer", "welding-school",
        "--holder", "amina",
        "--name", "MIG/MAG welding, level 2",
        "--credential-type", "WeldingCertificate",
        "--description", "Welds carbon steel plate and pipe with MIG/MAG processes.",
        "--criteria", "Practical test on plate and pipe, assessed by a certified examiner.",
        "--skill", WELDING_SKILL,
        "--eqf", "4",
        "--out", str(files.credential),
    )  # fmt: skip

    demo.step(
        "7. Abroad, an employer verifies Amina's credential with the file, an RPC URL, the deployment "
        "file and the authority's trust list. Every check is listed with its on-chain evidence."
    )
    demo.run("verify", "--trust-list", str(files.trust_list), str(files.credential))


def cohort_and_passport(demo: Demo, files: Files) -> None:
    """Steps 8 and 9: a class certified as one anchored cohort; Amina's passport of both credentials."""
    demo.step(
        "8. The school certifies a whole class at once: Amina and two classmates finish its workplace "
        "safety course. From a roster, it signs one credential each and anchors the cohort's Merkle "
        "root in one transaction; each holder's file carries the proof that links it to that root."
    )
    files.roster.write_text(
        "holder,name,description,skills,eqf\n"
        + "".join(
            f"{person},Workplace safety in welding,Works safely with welding fumes and hot work.,{SAFETY_SKILL},3\n"
            for person in ("amina", "bilal", "chidi")
        )
    )
    console.print(f"[dim]{files.roster}:[/]\n{files.roster.read_text()}")
    demo.run("issue", "--issuer", "welding-school", "--roster", str(files.roster), "--out-dir", str(files.cohort))

    demo.step(
        "9. Amina presents both credentials together as her skills passport, signed with her did:key. "
        "The employer checks that she signed it and that every credential is about her, then each "
        "credential: one verdict each and one overall."
    )
    amina_safety = sorted(files.cohort.iterdir())[0]  # the roster's first line
    demo.run(
        "passport", "create", "--holder", "amina", "--audience", "an employer abroad",
        "--out", str(files.passport), str(files.credential), str(amina_safety),
    )  # fmt: skip
    demo.run("verify", "--trust-list", str(files.trust_list), str(files.passport))


def revocation(demo: Demo, files: Files) -> None:
    """Steps 10 to 12: the welding certificate revoked, the passport verified again, a silent chain."""
    demo.step(
        "10. The school finds the welding exam was not properly invigilated and revokes that credential, "
        "giving a reason."
    )
    demo.run("revoke", str(files.credential), "--issuer", "welding-school", "--reason", "1")

    demo.step(
        "11. The employer verifies the passport again: the welding certificate is reported revoked, with "
        "reason and time; the safety course still stands."
    )
    demo.run("verify", "--trust-list", str(files.trust_list), str(files.passport), expect=1)

    demo.step(
        "12. If the chain cannot be reached, the verifier says so (exit code 2): 'could not "
        "determine' is never reported as 'invalid'."
    )
    demo.run("verify", "--rpc", f"http://127.0.0.1:{free_port()}", str(files.credential), expect=2)


def story(home: Path) -> None:
    """The whole story in `home`, on an anvil of its own, stopped at the end whatever happens."""
    node = AnvilNode(home / "node", port=free_port())
    console.print(Panel.fit("Skills credential registry: a welder's certificate crosses a border", style="bold"))
    console.print(f"Starting a local anvil chain on {node.rpc_url} (state in {node.data_dir}) ...")
    node.start()
    try:
        demo = Demo(home, node.rpc_url)
        files = Files.under(home / "files")
        files.directory.mkdir()
        parties(demo)
        accreditation(demo, files)
        one_credential(demo, files)
        cohort_and_passport(demo, files)
        revocation(demo, files)
        # Before the apprenticeship: its logbook days move the local chain's clock ahead of ours.
        recognition_of_prior_learning(demo, files.directory)
        apprenticeship(demo, files)
    finally:
        node.stop()


def kept(home: Path) -> str:
    """What a newcomer can do with the files `--keep` left: where they are, and how to look again."""
    files = home / "files"
    listing = "\n".join(f"  {path.relative_to(home)}" for path in sorted(files.rglob("*")) if path.is_file())
    return (
        f"\nLocal chain stopped; the demo's files are kept in {home}:\n{listing}\n"
        f"  keys/ (passphrase {PASSPHRASE!r}), deployment.json, journal.sqlite, node/ (the chain's state)\n"
        "To look again, start the chain from its state and verify (any free port):\n"
        f'  export PATH={shlex.quote(str(Path(REGISTRY).parent))}:"$PATH" REGISTRY_HOME={shlex.quote(str(home))} '
        "REGISTRY_RPC_URL=http://127.0.0.1:18546\n"
        "  registry node start --port 18546\n"
        f"  registry verify --trust-list {shlex.quote(str(files / 'destination-trusted-roots.json'))} "
        f"{shlex.quote(str(files / 'amina-passport.json'))}\n"
        "  registry node stop\n"
        "(the passport: NOT ALL VALID, exit code 1: the welding certificate was revoked in step 10)"
    )


def keep_directory(value: str) -> Path:
    """`--keep DIR`: a directory that does not exist yet or is empty (the demo never mixes its files
    with others, nor overwrites any)."""
    path = Path(value).expanduser().resolve()
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise argparse.ArgumentTypeError(f"{value} is not an empty directory: give a new or empty one")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The life of one skills credential on a local chain.")
    parser.add_argument(
        "--keep",
        metavar="DIR",
        type=keep_directory,
        help="keep the demo's files (credentials, passport, keys, the chain's state) in DIR, new or empty; "
        "`make demo KEEP=DIR` passes it",
    )
    args = parser.parse_args(argv)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        story(args.keep)
        console.print(kept(args.keep), soft_wrap=True, markup=False)
        return 0
    with tempfile.TemporaryDirectory(prefix="registry-demo-") as tmp:
        story(Path(tmp))
    console.print("\nLocal chain stopped and demo files removed (`make demo KEEP=DIR` keeps them). Done.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
