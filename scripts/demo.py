"""`make demo`: the life of one skills credential on a real local chain, told step by step.

Every step runs the real `registry` command a user would type, against a real anvil process
that this script starts on a free port and stops at the end (whatever happens).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.panel import Panel

from registry.chain.node import AnvilNode, free_port

console = Console(emoji=False, highlight=False)
REGISTRY = str(Path(sys.executable).with_name("registry"))


class Demo:
    def __init__(self, home: Path, rpc_url: str) -> None:
        self.home = home
        self.rpc_url = rpc_url
        self.env = {
            **os.environ,
            # Demo identities only: a passphrase everybody knows and a cheaper scrypt cost.
            "REGISTRY_PASSPHRASE": "demo passphrase, not for real keys",
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
        result = subprocess.run([REGISTRY, *args], env=self.env, capture_output=True, text=True, timeout=300)
        sys.stdout.write(result.stdout)
        sys.stdout.write(result.stderr)
        if result.returncode != expect:
            raise SystemExit(f"demo stopped: `{shown}` exited {result.returncode}, expected {expect}")
        console.print(f"[dim](exit code {result.returncode})[/]")
        return result.stdout


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="registry-demo-") as tmp:
        home = Path(tmp)
        node = AnvilNode(home / "node", port=free_port())
        console.print(Panel.fit("Skills credential registry: the life of one credential", style="bold"))
        console.print(f"Starting a local anvil chain on {node.rpc_url} (state in {node.data_dir}) ...")
        node.start()
        try:
            demo = Demo(home, node.rpc_url)
            files = home / "files"
            files.mkdir()
            credential = files / "amina-welding.json"

            demo.step("1. Deploy the registry contracts (DID registry and credential registry) on the chain.")
            demo.run("deploy")

            demo.step(
                "2. A vocational training centre creates its identity: a did:ebsi identifier, a secp256k1 "
                "controller key (signs its transactions) and a P-256 key (signs credentials), both "
                "encrypted on disk. A worker, Amina, creates hers: a did:key she controls."
            )
            demo.run("identity", "create", "training-centre")
            demo.run("identity", "create", "--person", "amina")

            demo.step(
                "3. The training centre registers its DID on-chain with its public keys. "
                "(On this local chain its account is first given test ether.)"
            )
            demo.run("node", "fund", "training-centre")
            demo.run("did", "register", "training-centre")

            demo.step(
                "4. Amina passes her welding exam. The centre issues a skills credential (a W3C Verifiable "
                "Credential, a JWT signed with ES256) to her did:key and anchors its hash on-chain. "
                "Only the hash goes on-chain: nothing about Amina."
            )
            demo.run(
                "issue",
                "--issuer", "training-centre",
                "--holder", "amina",
                "--name", "MIG/MAG welding, level 2",
                "--description", "Welds carbon steel plate and pipe with MIG/MAG processes.",
                "--criteria", "Practical test on plate and pipe, assessed by a certified examiner.",
                "--skill", "http://data.europa.eu/esco/skill/35eb2b43-8e7e-46e3-a5b5-0a8c5c6a0f7e=weld metal",
                "--eqf", "4",
                "--out", str(credential),
            )  # fmt: skip

            demo.step(
                "5. Abroad, an employer verifies Amina's credential with only the file, an RPC URL and the "
                "deployment file. Every check is listed with its on-chain evidence."
            )
            demo.run("verify", str(credential))

            demo.step(
                "6. The centre finds the exam was not properly invigilated and revokes the credential, giving a reason."
            )
            demo.run("revoke", str(credential), "--issuer", "training-centre", "--reason", "1")

            demo.step("7. The employer verifies again: the credential is reported revoked, with reason and time.")
            demo.run("verify", str(credential), expect=1)

            demo.step(
                "8. If the chain cannot be reached, the verifier says so (exit code 2): 'could not "
                "determine' is never reported as 'invalid'."
            )
            demo.run("verify", "--rpc", f"http://127.0.0.1:{free_port()}", str(credential), expect=2)
        finally:
            node.stop()
            console.print("\nLocal chain stopped and demo files removed. Done.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
