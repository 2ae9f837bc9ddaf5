"""The worker's wallet and the centre's named cohort, through the real `registry` command: a
centre issues a roster of named people (some with a did:key made by `wallet create`, some without
one), hands keys over, and the workers import, list (status now from the chain), make passports
from their wallets and see a revocation."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
from pathlib import Path

from registry.config import Settings
from registry.ops.issuance import Issuer
from registry.ops.registry import Purpose, Registry
from tests.conftest import PASSPHRASE
from tests.helpers.commands import registry_in_process

WALLET_WORDS = "her own wallet words"
SKILL = "http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314=apply arc welding techniques"
ARABIC = "محمد الأحمد"


def cli(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "REGISTRY_PASSPHRASE": PASSPHRASE, "REGISTRY_WALLET_PASSPHRASE": WALLET_WORDS, **env}
    environment.pop("REGISTRY_RPC_URL", None)
    # In this process, as `python -m registry` runs it (tests/helpers/commands.py): a Python start less.
    return registry_in_process(["--home", str(home), *args], environment)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    return result.stdout


def one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def worker_home(settings: Settings, tmp_path: Path, name: str) -> Path:
    """A worker's own home: her trust list (the test chain's root, in the registry her files
    name), no deployment, no keys."""
    home = tmp_path / name
    (root,) = json.loads(settings.trust_list_file.read_text())["roots"]
    ok(cli(home, "trust-list", "add", root["did"], "--name", "Vocational Authority",
           "--registry", str(settings.deployment_file)))  # fmt: skip
    assert not (home / "deployment.json").exists()
    return home


def did_of(output: str) -> str:
    found = re.search(r"your DID: (did:key:\S+)", output)
    assert found, output
    return found.group(1)


def code_of(output: str) -> str:
    found = re.search(r"confirmation code for the centre: ([A-Z2-7]{5}-[A-Z2-7]{5})", output)
    assert found, output
    return found.group(1)


def issue_roster(settings: Settings, issuer: Issuer, tmp_path: Path, amina: str) -> tuple[Path, list[dict[str, str]]]:
    roster = tmp_path / "class.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["holder", "holder_name", "name", "skills", "eqf"])
        writer.writerow([amina, "Amina Yusuf", "MIG welding", SKILL, "4"])
        for name in ("Kwame Mensah", ARABIC, "Siobhán O'Brien"):
            writer.writerow(["", name, "MIG welding", SKILL, "4"])
    cohort = tmp_path / "cohort"
    chain = ("--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file))
    issued = ok(
        cli(settings.home, "issue", "--issuer", issuer.identity.name, "--roster", str(roster), "--out-dir", str(cohort),
            *chain)
    )  # fmt: skip
    assert "issued 4 credentials" in issued and "made keys for 3 people" in issued
    sheet = tmp_path / "cohort-keys" / "one-time-passphrases.csv"
    assert oct(sheet.stat().st_mode & 0o777) == "0o600"
    return cohort, list(csv.DictReader(sheet.open(encoding="utf-8-sig")))


def list_now(home: Path, settings: Settings) -> list[dict[str, object]]:
    listed: list[dict[str, object]] = json.loads(ok(cli(home, "wallet", "list", "--json", "--rpc", settings.rpc_url)))
    return listed


def test_a_named_cohort_goes_into_wallets_passports_and_shows_a_revocation(
    settings: Settings, issuer: Issuer, tmp_path: Path
) -> None:
    amina_home, kwame_home = worker_home(settings, tmp_path, "amina"), worker_home(settings, tmp_path, "kwame")
    created = ok(cli(amina_home, "--lang", "ar", "wallet", "create"))  # in Arabic: the key's name quoted, not bare
    amina = re.search(r"(did:key:\S+)", created).group(1)  # type: ignore[union-attr]
    assert "  مفتاحك المسمّى «own» مشفّر في " in created, created
    cohort, sheet = issue_roster(settings, issuer, tmp_path, amina)
    files = {p.name: p for p in cohort.iterdir()}
    by_name = {row["holder_name"]: row for row in sheet}
    assert set(by_name) == {"Kwame Mensah", ARABIC, "Siobhán O'Brien"}
    for prefix, did in [("1-amina-yusuf-", amina), ("2-kwame-mensah-", by_name["Kwame Mensah"]["did"]),
                        ("3-محمد-الأحمد-", by_name[ARABIC]["did"])]:  # fmt: skip
        assert f"{prefix}{did[-8:]}.json" in files, sorted(files)
    kwame = by_name["Kwame Mensah"]
    kwame_file = files[f"2-kwame-mensah-{kwame['did'][-8:]}.json"]
    amina_file = files[f"1-amina-yusuf-{amina[-8:]}.json"]

    # Kwame takes his key home under his own passphrase; the centre deletes its copy on his code.
    handover = tmp_path / "cohort-keys" / kwame["handover_file"]
    one_line_error(
        cli(kwame_home, "wallet", "import-key", str(handover), REGISTRY_HOLDER_PASSPHRASE="not the one"),
        "wrong passphrase for the handover file",
    )
    imported = ok(cli(kwame_home, "wallet", "import-key", str(handover),
                      REGISTRY_HOLDER_PASSPHRASE=kwame["one_time_passphrase"]))  # fmt: skip
    assert did_of(imported) == kwame["did"]
    pending = settings.home / "handovers" / f"{kwame['key_name']}.json"
    one_line_error(cli(settings.home, "identity", "handover", kwame["key_name"], "--confirm", "AAAAA-BBBBB"),
                   "not the confirmation code", "nothing was removed")  # fmt: skip
    assert pending.exists()
    ok(cli(settings.home, "identity", "handover", kwame["key_name"], "--confirm", code_of(imported)))
    assert not pending.exists()

    # Each imports their own file; another's, a duplicate and a damaged one are refused by name.
    assert "\n  status not checked (no node" in ok(cli(kwame_home, "wallet", "import", str(kwame_file)))  # no chain
    one_line_error(cli(kwame_home, "wallet", "import", str(amina_file)), amina_file.name, "is not yours")
    again = ok(cli(kwame_home, "wallet", "import", str(kwame_file)))  # after a partial restore, say: not an error
    assert again.startswith("already in your wallet, left as they are: ") and "(no name)" not in again, again
    assert "nothing new: your wallet" in again and "imported" not in again.replace("already", ""), again
    damaged = tmp_path / "damaged.json"
    damaged.write_text(kwame_file.read_text().replace('"credential": "ey', '"credential": "e'))
    one_line_error(cli(kwame_home, "wallet", "import", str(damaged)), "damaged.json")
    _altered_and_unreachable(settings, kwame_home, amina_home, kwame_file, amina_file, tmp_path)
    assert "status not checked" in ok(cli(kwame_home, "wallet", "list"))

    _passport_and_revocation(settings, issuer, tmp_path, (amina_home, kwame_home), kwame_file)


def _altered_and_unreachable(
    settings: Settings, kwame_home: Path, amina_home: Path, kwame_file: Path, amina_file: Path, tmp_path: Path
) -> None:
    """`wallet import` with a chain: an altered credential is refused whole; a chain that cannot be
    reached imports with "could not be checked", never "valid"."""
    from registry.chain.node import free_port
    from registry.formats.multibase import b64url_decode, b64url_encode

    data = {**json.loads(kwame_file.read_text()), "anchor": {"type": "single"}}  # as if anchored alone
    head, body, signature = data["credential"].split(".")
    claims = json.loads(b64url_decode(body))
    claims["vc"]["credentialSubject"]["achievement"]["name"] = "Master welder"  # his, but not as signed
    data["credential"] = ".".join([head, b64url_encode(json.dumps(claims).encode()), signature])
    (altered := tmp_path / "altered.json").write_text(json.dumps(data))
    refused = cli(kwame_home, "wallet", "import", str(altered), "--rpc", settings.rpc_url)
    one_line_error(refused, "altered.json is not genuine (", "nothing was imported")
    assert len(list((kwame_home / "wallet" / "credentials").iterdir())) == 1  # his own, imported before
    unreachable = ok(cli(amina_home, "wallet", "import", str(amina_file), "--rpc", f"http://127.0.0.1:{free_port()}"))
    assert "imported, but its status could not be checked now: cannot reach the chain at" in unreachable, unreachable
    assert "VALID" not in unreachable


def _passport_and_revocation(
    settings: Settings, issuer: Issuer, tmp_path: Path, homes: tuple[Path, Path], kwame_file: Path
) -> None:
    amina_home, kwame_home = homes
    for home in homes:
        (listed,) = list_now(home, settings)
        assert listed["status"] == "valid" and listed["warnings"] == [], listed  # nothing to read closely
        assert isinstance(listed["certifies"], dict) and listed["certifies"]["name"] == "MIG welding"
    assert "[VALID]" in ok(cli(kwame_home, "wallet", "list", "--rpc", settings.rpc_url))

    passport = tmp_path / "amina-passport.json"
    ok(cli(amina_home, "passport", "create", "--from-wallet", "--out", str(passport)))
    checked = cli(amina_home, "verify", "--json", "--rpc", settings.rpc_url, str(passport))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["verdict"] == "valid"

    revoked = ok(cli(settings.home, "revoke", str(kwame_file), "--issuer", issuer.identity.name, "--reason", "2",
                     "--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file)))  # fmt: skip
    assert "revoked 1 credential" in revoked and "Kwame Mensah" in revoked
    (after,) = list_now(kwame_home, settings)
    assert after["status"] == "revoked" and _imported_again(settings, kwame_home, str(after["id"]), kwame_file)
    shown = ok(cli(kwame_home, "wallet", "show", str(after["id"])[:6], "--rpc", settings.rpc_url))
    assert shown.startswith(f"{after['id']}: REVOKED") and "holder: Kwame Mensah" in shown
    # In French (`--lang`): the status word, the revocation's lead and the count.
    french = ok(cli(kwame_home, "--lang", "fr", "wallet", "list", "--rpc", settings.rpc_url))
    assert "[RÉVOQUÉE]" in french and "RÉVOQUÉE\u00a0: révoquée le " in french, french
    assert ": fraude ou fausse déclaration\n" in french, french  # the chain's reason code, in her language
    assert "1 attestation dans" in french and "délivrée le" in french and "votre DID (clé «\u00a0" in french
    _still_in_force_without_a_trust_list(settings, amina_home)

    chain = ("--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file))
    book = ok(cli(settings.home, "issued", "--issuer", issuer.identity.name, *chain))
    assert re.search(r"revoked\s+Kwame Mensah\s+MIG welding", book), book
    assert re.search(rf"active\s+{ARABIC}", book) and "Amina Yusuf" in book
    assert "4 credentials issued by" in book and "3 active, 1 revoked" in book and "records and chain agree" in book
    # A revocation this home did not record (made elsewhere): the chain's word is shown beside the records'.
    siobhan = next(p for p in kwame_file.parent.iterdir() if p.name.startswith("4-siobhán-o-brien-"))
    issuer.change_status([json.loads(siobhan.read_text())["credential"]], Purpose.REVOCATION, set_=True, reason=1)
    book = ok(cli(settings.home, "issued", "--issuer", issuer.identity.name, *chain))
    assert re.search(r"active\s+Siobhán O'Brien .*\[the chain says revoked\]", book), book
    assert "except where shown" in book
    unchecked = ok(cli(settings.home, "issued", "--issuer", issuer.identity.name))
    assert "not checked on the chain" in unchecked and "the chain says" not in unchecked
    # `issue` killed after the chain confirmed its anchor, before its `issued` lines were written. Stand-in:
    # those lines removed (a kill cannot be aimed at that moment reliably); the journal still holds the anchor.
    records = settings.home / "issued" / f"{issuer.identity.name}.jsonl"
    records.write_text("".join(x for x in records.read_text().splitlines(True) if '"event": "issued"' not in x))
    found = cli(settings.home, "issued", "--issuer", issuer.identity.name, *chain)
    assert "4 credentials recovered from the journal: anchored, not recorded" in found.stderr, found.stderr
    assert re.search(r"revoked\s+Kwame Mensah\s+MIG welding", found.stdout), found.stdout  # its later revocation too
    assert "4 credentials issued by" in found.stdout


def _still_in_force_without_a_trust_list(settings: Settings, home: Path) -> None:
    """Amina's is still in force. With no trust list of her own, her list says so and names the root,
    as `wallet import` does: not an employer's advice on making a trust list, in English."""
    trust_list = home / "trust-list.json"
    kept = trust_list.read_bytes()
    trust_list.unlink()
    still = ok(cli(home, "--lang", "fr", "wallet", "list", "--rpc", settings.rpc_url))
    trust_list.write_bytes(kept)
    assert (
        "statut actuel\u00a0: authentique, ni révoquée ni suspendue\u00a0; "
        "accréditée sous l\u2019autorité de tête (Root TAO) " in still
    )
    assert "trust-list" not in still and "the issuer is accredited" not in still, still


def _imported_again(settings: Settings, home: Path, credential: str, file: Path) -> bool:
    """Imported again once revoked (a phone restored, say): kept as his history, and said to be
    revoked, by whom, when and why; with --json, as `wallet list --json` lists it, with the change."""
    (home / "wallet" / "credentials" / f"{credential}.json").unlink()
    (imported,) = json.loads(ok(cli(home, "wallet", "import", str(file), "--rpc", settings.rpc_url, "--json")))
    assert imported["id"] == credential and imported["status"] == imported["verdict"] == "revoked", imported
    assert imported["change"]["reason"] == "fraud or misrepresentation" and imported["change"]["time"].endswith("Z")
    assert imported["file"].endswith(f"{credential}.json") and imported["certifies"]["name"] == "MIG welding"
    assert imported["root"] is None and imported["summary"].startswith("REVOKED")
    (home / "wallet" / "credentials" / f"{credential}.json").unlink()
    again = ok(cli(home, "wallet", "import", str(file), "--rpc", settings.rpc_url))
    said = r"\n  imported, but REVOKED by (\S.* \()?did:ebsi:\S+ on \S+Z: fraud or misrepresentation\n"  # no name here
    assert re.search(said, again), again
    return True


def test_a_centre_made_key_is_handed_over_and_a_backup_needs_its_passphrase(tmp_path: Path) -> None:
    centre, worker = tmp_path / "centre", tmp_path / "worker"
    ok(cli(centre, "identity", "create", "--person", "amina"))
    out = tmp_path / "amina.handover.json"
    ok(cli(centre, "identity", "handover", "amina", "--out", str(out), REGISTRY_HOLDER_PASSPHRASE="amina words"))
    assert oct(out.stat().st_mode & 0o777) == "0o600" and (centre / "keys" / "amina.json").exists()
    one_line_error(cli(centre, "identity", "handover", "amina"), "--out FILE", "--confirm CODE")
    imported = ok(cli(worker, "wallet", "import-key", str(out), REGISTRY_HOLDER_PASSPHRASE="amina words"))
    code_file = tmp_path / "code.txt"
    code_file.write_text(imported)
    ok(cli(centre, "identity", "handover", "amina", "--confirm", str(code_file)))
    assert not (centre / "keys" / "amina.json").exists()

    backup = tmp_path / "backup.json"
    # A new passphrase of one character protects nothing: refused, nothing written (an old one still opens).
    too_short = cli(worker, "wallet", "export", "--out", str(backup), REGISTRY_BACKUP_PASSPHRASE="x")
    one_line_error(too_short, "the new backup passphrase is too short: choose one of at least 8 characters")
    assert not backup.exists()
    # A worker's commonest errors are in her language (`--lang`): the rest stay English.
    french = cli(tmp_path / "new", "--lang", "fr", "wallet", "create", REGISTRY_WALLET_PASSPHRASE="x")
    assert french.returncode == 1 and french.stderr.startswith(
        "erreur\u00a0: la nouvelle phrase secrète du portefeuille est trop courte\u00a0: choisissez-en une d"
    ), french.stderr
    # Another kind of file given for a backup: named before any passphrase is asked for, a usage error.
    wrong_kind = cli(phone := tmp_path / "phone", "wallet", "import-backup", str(out))
    assert wrong_kind.returncode == 64 and "not a wallet backup (skills-wallet-backup/1) but a key handover file" \
        in wrong_kind.stderr, wrong_kind.stderr  # fmt: skip
    ok(cli(worker, "wallet", "export", "--out", str(backup), REGISTRY_BACKUP_PASSPHRASE="backup words"))
    one_line_error(
        cli(worker, "wallet", "export", "--out", str(backup), REGISTRY_BACKUP_PASSPHRASE="backup words"),
        "already exists",
    )
    arabic = cli(phone, "--lang", "ar", "wallet", "import-backup", str(backup), REGISTRY_BACKUP_PASSPHRASE="other")
    assert (
        arabic.returncode == 1
        and arabic.stderr == f"خطأ: عبارة مرور خاطئة للنسخة الاحتياطية {backup} (أو أن الملف تغيّر)\n"
    )
    assert not (phone / "wallet").exists()
    restored = ok(cli(phone, "wallet", "import-backup", str(backup), REGISTRY_BACKUP_PASSPHRASE="backup words"))
    assert "restored 1 key and 0 credentials" in restored
    one_line_error(cli(phone, "wallet", "show", "zz"), "not a credential id")


def test_keys_made_for_a_roster_are_kept_when_issuing_fails(
    settings: Settings, issuer: Issuer, registry: Registry, tmp_path: Path
) -> None:
    roster = tmp_path / "class.csv"
    roster.write_text(f"holder,holder_name,name,skills\n,Kwame Mensah,MIG welding,{SKILL}\n", encoding="utf-8")
    # The node refuses the anchor (no funds to pay for it): a fault after the keys were made.
    registry.client.request("anvil_setBalance", [issuer.identity.account.address, "0x0"])
    chain = ("--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file))
    failed = cli(settings.home, "issue", "--issuer", issuer.identity.name, "--roster", str(roster), "--out-dir",
                 str(tmp_path / "cohort"), *chain)  # fmt: skip
    assert failed.returncode != 0 and "Traceback" not in failed.stderr
    assert "the keys made for this roster stay in" in failed.stderr, failed.stderr
    assert not (tmp_path / "cohort").exists()
    (sheet,) = csv.DictReader((tmp_path / "cohort-keys" / "one-time-passphrases.csv").open(encoding="utf-8-sig"))
    assert (settings.home / "handovers" / f"{sheet['key_name']}.json").exists()
