"""`registry wallet list`, `show` and `import` flag a credential's texts to read closely as `registry
verify` does (formats/flags.py: a hidden character, a name whose word mixes scripts), in the run's
language and as `warnings` in --json; without a chain (the status not checked), so no node: the
credentials are signed here, past our writers' checks, as another tool could sign them."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from registry.formats import credential as vcfmt
from registry.keystore import new_legal_entity
from registry.ops.wallet import Wallet
from tests.conftest import WELDING
from tests.helpers.commands import registry_in_process

LOOKALIKE = "\u0410mina Yusuf"  # a Cyrillic capital A
PASSPHRASE = "her own wallet words"


def signed_elsewhere(holder: str, holder_name: str, name: str) -> str:
    issuer = new_legal_entity("elsewhere")
    achievement = vcfmt.Achievement("MIG", "MIG", "Assessed.", skills=(WELDING,), holder_name="Amina Yusuf")
    for key, value in (("holder_name", holder_name), ("name", name)):  # past our writers' checks, as another signer's
        object.__setattr__(achievement, key, value)
    draft = vcfmt.CredentialDraft(issuer.did, holder, achievement, int(time.time()))
    return vcfmt.sign_vc(vcfmt.build_vc(draft, int(time.time())), issuer.signing_key, issuer.kid)


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "REGISTRY_WALLET_PASSPHRASE": PASSPHRASE}
    environment.pop("REGISTRY_RPC_URL", None)
    # In this process, as `python -m registry` runs it (tests/helpers/commands.py): a Python start less.
    return registry_in_process(["--home", str(home), *args], environment)


def test_wallet_list_show_and_import_flag_a_look_alike_name_and_a_hidden_character(tmp_path: Path) -> None:
    home = tmp_path / "amina"
    store = Wallet(home / "wallet")
    store.create(PASSPHRASE)
    did = store.dids()["own"]
    files = []
    for number, (holder_name, name) in enumerate(((LOOKALIKE, "MIG welding"), ("Amina Yusuf", "TIG\u202e welding"))):
        path = tmp_path / f"c{number}.json"
        path.write_text(vcfmt.HolderFile(signed_elsewhere(did, holder_name, name)).dumps())
        files.append(str(path))
    imported = cli(home, "wallet", "import", *files)
    assert imported.returncode == 0, imported.stderr
    mixed = (f'! warning: holder name "{LOOKALIKE}": the word "\u0410mina" mixes Latin and Cyrillic letters, which '
             "look alike: it may imitate another name")  # fmt: skip
    assert "  " + mixed in imported.stdout.splitlines(), imported.stdout
    assert sum("! warning:" in line for line in imported.stdout.splitlines()) == 2
    listed = cli(home, "wallet", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert "    " + mixed in lines, lines
    hidden = [line for line in lines if "achievement name" in line]
    assert hidden == [
        '    ! warning: achievement name "TIG\\u202e welding" holds U+202E RIGHT-TO-LEFT OVERRIDE: '
        "another program may show it as other text than the one signed (shown here escaped)"
    ], lines
    assert "\u202e" not in listed.stdout
    items = {item["certifies"]["name"]: item for item in json.loads(cli(home, "wallet", "list", "--json").stdout)}
    assert [w["word"] for w in items["MIG welding"]["warnings"]] == ["\u0410mina"]
    assert items["MIG welding"]["warnings"][0]["scripts"] == ["Latin", "Cyrillic"]
    assert [(w["field"], w["problem"], w["character"]) for w in items["TIG\u202e welding"]["warnings"]] == [
        ("achievement name", "hidden character", "U+202E RIGHT-TO-LEFT OVERRIDE")
    ]
    shown = cli(home, "--lang", "fr", "wallet", "show", items["MIG welding"]["id"])
    assert shown.returncode == 0, shown.stderr
    said = [line for line in shown.stdout.splitlines() if line.startswith("  ! ")]
    nbsp = "\u00a0"
    assert said == [f"  ! avertissement{nbsp}: nom du titulaire «{nbsp}{LOOKALIKE}{nbsp}»{nbsp}: le mot «{nbsp}"
                    f"\u0410mina{nbsp}» mêle des lettres latines et cyrilliques, qui se ressemblent{nbsp}: il peut "
                    "imiter un autre nom"], said  # fmt: skip
