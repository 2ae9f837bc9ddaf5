"""A logbook through the real `registry` command (issue #16, first cut): programme published,
supervisor authorised, learner enrolled, entries added and countersigned as files, one day anchor,
progress shown, an extract shared and verified; an entry revoked; the supervisor revoked for cause."""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from registry.cli import app
from registry.config import Settings
from registry.formats.logbook import EntryFile, sign_record
from registry.formats.logbook.records import Entry, signed_by
from registry.keystore import new_natural_person
from registry.ops.logbook import Logbook
from registry.text import short_did
from tests.cli.test_wallet import cli, did_of, ok, one_line_error, worker_home
from tests.conftest import Chain

SKILL = "http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314"


def day(offset: int) -> str:
    return (datetime.now(UTC) + timedelta(days=offset)).strftime("%Y-%m-%d")


def test_a_logbook_from_programme_to_verified_extract(chain: Chain, settings: Settings, tmp_path: Path) -> None:
    home = settings.home
    net = ("--rpc", settings.rpc_url, "--deployment", str(settings.deployment_file))
    prog, auth, book = _publish(home, net, tmp_path), tmp_path / "sup.jwt", tmp_path / "book"
    ok(cli(home, "identity", "create", "--person", "sam"))
    amina = did_of(ok(cli(home, "wallet", "create")))  # the learner's key is in her wallet
    _authorise(home, net, prog, auth)
    enrolled = ok(cli(home, "logbook", "enrol", amina, "--programme", str(prog), "--issuer", "training-centre",
                      "--dir", str(book), "--learner-name", "Amina Haddad", *net))  # fmt: skip
    assert (
        enrolled.startswith("enrolled Amina Haddad (did:key:") and " in MIG welding (urn:programme:mig@1)" in enrolled
    )
    # Her enrolment's day (they count), the second time as she may type it: the day in words, a decimal comma.
    for date, hours in ((day(0), "3"), (datetime.now(UTC).strftime("%d %B %Y"), "3,0")):
        ok(cli(home, "logbook", "add", str(book), "--from-wallet", "--date", date, "--unit", "U1",
               "--activity", "fillet welds", "--hours", hours, "--workplace", "Yard 3"))  # fmt: skip
    _refused_entries(home, book)
    entries = sorted(str(p) for p in (book / "entries").glob("*.json"))
    late = _late_entry(home, book, entries)
    _sign(home, auth, entries, late)
    one_line_error(cli(home, "logbook", "complete", str(book), "--issuer", "training-centre", *net),
                   "the logbook has no anchored entries: the standard is not met")  # fmt: skip
    assert "anchored 3 entries of 1 logbook" in ok(cli(home, "logbook", "anchor", str(book), "--issuer",
                                                       "training-centre", *net))  # fmt: skip
    again = ok(cli(home, "logbook", "anchor", str(book), "--issuer", "training-centre", *net))  # nothing to do: exit 0
    assert again == "nothing to anchor: every countersigned entry is already anchored\n"
    progress = json.loads(ok(cli(home, "logbook", "show", str(book), "--json")))
    assert progress["units"][0]["anchored"] == 9 and progress["complete"] and not progress["checked"]  # the files'
    assert progress["units"][0]["beforeEnrolment"] == 3  # said, and not counted: 6 h of 6 without it
    assert progress["enrolled"] == day(0)
    _complete_and_share(home, net, book, tmp_path / "extract.json")
    assert ok(cli(home, "logbook", "revoke", entries[0], "--issuer", "training-centre", *net)) == (
        f"revoked entry {entries[0]} (unspecified)\n"  # by default: never "fraud" on-chain unless said
    )
    _checked_show(home, net, book)
    checked = cli(home, "logbook", "verify", str(tmp_path / "extract.json"), "--json", *net)
    verdicts = sorted(e["verdict"] for e in json.loads(checked.stdout)["entries"])
    assert checked.returncode == 1 and verdicts == ["revoked", "valid"], checked.stdout
    record = _revoked_for_cause(home, net, auth, book)
    refused = cli(home, "logbook", "verify", str(tmp_path / "extract.json"), "--record", str(record), "--json", *net)
    assert refused.returncode == 1
    assert all(e["verdict"] != "valid" for e in json.loads(refused.stdout)["entries"])
    _verify_exit_codes(home, net, tmp_path / "extract.json", settings)
    one_line_error(
        cli(home, "logbook", "verify", str(prog), *net), "programme.jwt is a programme, not a logbook extract"
    )
    one_line_error(cli(home, "logbook", "verify", str(tmp_path / "programme.json"), *net), "not a logbook extract")


def _authorise(home: Path, net: tuple[str, ...], prog: Path, auth: Path) -> None:
    """Sam authorised under her legal name: said with it, her DID shortened, the programme by its title."""
    authorised = ok(cli(home, "supervisor", "authorise", "sam", "--programme", str(prog), "--issuer", "training-centre",
                        "--out", str(auth), "--valid-from", day(-30), "--valid-until", day(30), "--name", "Sam Okafor",
                        *net))  # fmt: skip
    assert authorised.startswith("authorised Sam Okafor (did:key:") and "…" in authorised, authorised
    assert " as supervisor of MIG welding (urn:programme:mig@1) to " in authorised, authorised
    signed = signed_by(auth.read_text().strip(), "supervisor-authorisation+jwt")  # the chain holds its hash alone
    assert signed.payload["vc"]["credentialSubject"]["name"] == "Sam Okafor"


def _refused_entries(home: Path, book: Path) -> None:
    """What `logbook add` refuses, each in one line: no such unit, no key named, a future date, evidence not there."""
    wrong = cli(home, "--lang", "fr", "logbook", "add", str(book), "--from-wallet", "--date", day(0), "--unit", "U9",
                "--activity", "x", "--hours", "3", "--workplace", "Yard 3")  # fmt: skip
    said = "erreur\u00a0: le programme n\u2019a pas d\u2019unité 'U9' (ses unités\u00a0: U1)\n"  # in her language
    assert wrong.returncode == 1 and wrong.stderr == said, wrong.stderr
    one_line_error(cli(home, "logbook", "add", str(book), "--date", day(0), "--unit", "U1", "--activity", "x",
                       "--hours", "3", "--workplace", "Yard 3"), "say whose key signs")  # fmt: skip
    one_line_error(cli(home, "logbook", "add", str(book), "--from-wallet", "--date", day(2), "--unit", "U1",
                       "--activity", "x", "--hours", "3", "--workplace", "Yard 3"), "is in the future")  # fmt: skip
    one_line_error(cli(home, "logbook", "add", str(book), "--from-wallet", "--date", day(0), "--unit", "U1",
                       "--activity", "x", "--hours", "3", "--workplace", "Yard 3", "--evidence", "weld.jpg"),
                   "no such file: the evidence weld.jpg")  # fmt: skip


def _late_entry(home: Path, book: Path, entries: list[str]) -> str:
    """An entry of work before her enrolment (today): added, with a warning that it never counts."""
    # Given the entries directory (as `logbook add .` run inside it): its logbook is meant.
    late_add = cli(home, "--lang", "fr", "logbook", "add", str(book / "entries"), "--from-wallet", "--date", day(-10),
                   "--unit", "U1", "--activity", "late notes", "--hours", "3", "--workplace", "Yard 3")  # fmt: skip
    # In the learner's language: the warning that it never counts, and where the entry was written.
    assert f"le {day(-10)} précède votre inscription à ce programme ({day(0)})" in late_add.stderr, late_add.stderr
    assert late_add.stdout.startswith("entrée urn:uuid:") and f" écrite dans {book / 'entries'}/" in late_add.stdout
    ok(late_add)
    (late,) = {str(p) for p in (book / "entries").glob("*.json")} - set(entries)
    return late


def _revoked_for_cause(home: Path, net: tuple[str, ...], auth: Path, book: Path) -> Path:
    """Sam's authorisation revoked for cause: without its record, her sign-offs could not be
    determined, never valid or invalid, and `logbook show --check` counts none of them (exit 2)."""
    record = book.parent / "revocation.jwt"
    revoked = ok(cli(home, "supervisor", "revoke", str(auth), "--issuer", "training-centre", "--untrusted-from",
                     day(-5), "--record", str(record), "--reason", "fraud", *net))  # fmt: skip
    assert revoked.startswith(f"revoked {auth} (Sam Okafor (did:key:"), revoked
    again = ok(cli(home, "supervisor", "revoke", str(auth), "--issuer", "training-centre", *net))  # exit 0, said
    assert again.startswith(f"unchanged: {auth} is already revoked by transaction 0x") and "(reason: fraud" in again
    unknown = cli(home, "logbook", "verify", str(book.parent / "extract.json"), *net)
    assert unknown.returncode == 2 and unknown.stdout.startswith("could not determine")  # never valid, never invalid
    undetermined = cli(home, "logbook", "show", str(book), "--check", *net)  # her sign-offs: not counted, exit 2
    assert undetermined.returncode == 2 and "\n    6 h could not be checked, not counted\n" in undetermined.stdout
    return record


def _checked_show(home: Path, net: tuple[str, ...], book: Path) -> None:
    """An entry revoked: `logbook show` from the files still counts it, and says so; `--check` leaves
    it out of the hours met and names it, in the learner's language too; a node that cannot be
    reached is "could not check" (exit 2), the files' totals said to be unchecked."""
    files = ok(cli(home, "logbook", "show", str(book)))
    assert files.endswith("from the files, not checked on the chain: a revoked entry still counts here "
                          "(`logbook show --check` checks each entry)\n"), files  # fmt: skip
    checked = ok(cli(home, "logbook", "show", str(book), "--check", *net))
    assert "\n    3 h revoked, not counted\n" in checked and "\nmissing: U1: 3 h\n" in checked, checked
    assert f"\n  not counted: {day(0)} · U1 Joints · fillet welds · 3 h: revoked (the entry was revoked" in checked
    assert "\nthe qualification was issued counting 1 of these entries: an extract of it shows it so" in checked
    arabic = ok(cli(home, "--lang", "ar", "logbook", "show", str(book), "--check", *net))
    assert "3 ساعة ملغاة، لا تُحتسب" in arabic and "لا يُحتسب: " in arabic, arabic
    progress = json.loads(ok(cli(home, "logbook", "show", str(book), "--check", "--json", *net)))
    assert progress["checked"] and progress["units"][0]["revoked"] == 3 and progress["missing"] == ["U1: 3 h"]
    dead = cli(home, "logbook", "show", str(book), "--check", "--rpc", "http://127.0.0.1:9", "--deployment", net[3])
    assert dead.returncode == 2 and "\ncould not check on the chain: cannot reach the chain" in dead.stdout, dead
    assert "the hours above are the files', not checked" in dead.stdout and "revoked, not counted" not in dead.stdout


def _met_not_issued(home: Path, book: Path) -> None:
    """Met, by the files, and not issued yet: `logbook show` says it is the provider's to check and
    issue (a bare "complete" read as if it were done). In process: no chain is asked."""
    show = ["--home", str(home), "logbook", "show", str(book)]
    text = CliRunner().invoke(app, show, env={"COLUMNS": "300"}).output
    assert "the provider checks them on the chain and issues the qualification (`logbook complete`)\n" in text


def _sign(home: Path, auth: Path, entries: list[str], late: str) -> None:
    """The supervisor signs the first entries, then `entries/*.json` again the next day: the
    countersigned ones are left as they were and said, the new one signed."""
    _hours_no_day_has(home, auth, entries)
    _day_over_24(home, auth, Logbook(Path(entries[0]).parent.parent))
    ok(cli(home, "logbook", "sign", *entries, "--signer", "sam", "--authorisation", str(auth)))
    book = Path(entries[0]).parent.parent  # nothing anchored yet: what is missing, in the learner's language
    shown = ok(cli(home, "--lang", "fr", "logbook", "show", str(book)))
    assert "\nmanque\u00a0: U1\u00a0: 6 h\nd\u2019après les fichiers, sans vérification sur la chaîne" in shown
    assert "\n    1 entrée (3 h) en attente d\u2019une contresignature\n" in shown, shown  # the late one, unsigned
    again = ok(cli(home, "logbook", "sign", *entries, late, "--signer", "sam", "--authorisation", str(auth)))
    assert again == "countersigned 1 entry; 2 entries countersigned already, left as they were\n", again


def _hours_no_day_has(home: Path, auth: Path, entries: list[str]) -> None:
    """An entry another tool wrote, claiming 40 h (or -16 h): `logbook sign` refuses it in one line, in the
    signer's language, and signs nothing, not even the good entries beside it (a verifier would find it
    not valid; it countersigned any number before)."""
    book = Logbook(Path(entries[0]).parent.parent)
    tool = new_natural_person("other-tool")  # signed as a learner's key signs: the hours are what is wrong
    for hours, said in ((40, "40"), (-16, "-16")):
        payload = Entry(book.id, f"urn:uuid:{uuid.uuid4()}", day(0), "U1", "joints", 1, "Yard 3").payload(
            tool.did, int(time.time())
        )
        forged = EntryFile(sign_record("logbook-entry+jwt", {**payload, "hours": hours}, tool.signing_key, tool.kid))
        path = book.directory.parent / f"forged-{said}.json"
        path.write_text(json.dumps(forged.to_json()))
        before = [Path(e).read_bytes() for e in entries]
        refused = cli(home, "logbook", "sign", *entries, str(path), "--signer", "sam", "--authorisation", str(auth))
        one_line_error(refused, f"error: {path}: entry {forged.id} not signed: it claims {said} h, and an entry's "
                       "hours are more than 0 and at most 24 (a verifier would find it not valid)")  # fmt: skip
        assert [Path(e).read_bytes() for e in entries] == before  # nothing signed
    french = cli(home, "--lang", "fr", "logbook", "sign", str(path), "--signer", "sam", "--authorisation", str(auth))
    assert french.returncode == 1 and "non signée : elle déclare -16 h" in french.stderr.replace("\u00a0", " ")
    arabic = cli(home, "--lang", "ar", "logbook", "sign", str(path), "--signer", "sam", "--authorisation", str(auth))
    assert arabic.returncode == 1 and "لم يُوقَّع: يذكر -16 ساعة" in arabic.stderr, arabic.stderr


def _day_over_24(home: Path, auth: Path, book: Logbook) -> None:
    """One learner's entries of one day, 14 h each (each within 0 < h <= 24): the first is signed; the second,
    alone in the next run, would make 28 h countersigned that day, which a verifier finds not valid: refused in
    one line naming the day and the total, nothing signed; so is the pair given together, once more in fr and ar
    (forced against the old code: exit 0, both signed)."""
    tool = new_natural_person("long-day")  # the learner's key, as another tool signs her entries
    folder = book.directory.parent / "review"
    folder.mkdir()
    paths = []
    for n in (1, 2):
        payload = Entry(book.id, f"urn:uuid:{uuid.uuid4()}", day(0), "U1", "joints", 14, "Yard 3").payload(
            tool.did, int(time.time())
        )
        paths.append(folder / f"long-{n}.json")
        paths[-1].write_text(json.dumps(EntryFile(sign_record("logbook-entry+jwt", payload, tool.signing_key,
                                                              tool.kid)).to_json()))  # fmt: skip
    ok(cli(home, "logbook", "sign", str(paths[0]), "--signer", "sam", "--authorisation", str(auth), "--programme",
           str(book.directory.parent / "programme.jwt")))  # fmt: skip
    before = paths[1].read_bytes()
    refused = cli(home, "logbook", "sign", str(paths[1]), "--signer", "sam", "--authorisation", str(auth),
                  "--programme", str(book.directory.parent / "programme.jwt"))  # fmt: skip
    one_line_error(refused, f"error: {paths[1]}: nothing signed: the entries of {short_did(tool.did)} dated {day(0)} "
                   "would claim 28 h countersigned, more than a day's 24 h")  # fmt: skip
    assert paths[1].read_bytes() == before
    french = cli(home, "--lang", "fr", "logbook", "sign", str(paths[1]), "--signer", "sam", "--authorisation",
                 str(auth), "--programme", str(book.directory.parent / "programme.jwt"))  # fmt: skip
    assert french.returncode == 1 and "28 h" in french.stderr and "rien n" in french.stderr, french.stderr
    arabic = cli(home, "--lang", "ar", "logbook", "sign", str(paths[1]), "--signer", "sam", "--authorisation",
                 str(auth), "--programme", str(book.directory.parent / "programme.jwt"))  # fmt: skip
    assert arabic.returncode == 1 and "28" in arabic.stderr and "لم يُوقَّع" in arabic.stderr, arabic.stderr
    assert paths[1].read_bytes() == before


def _publish(home: Path, net: tuple[str, ...], tmp_path: Path) -> Path:
    """The programme published; the same document again does nothing, an edited one is refused."""
    (tmp_path / "programme.json").write_text(json.dumps({
        "id": "urn:programme:mig", "version": 1, "title": "MIG welding", "eqfLevel": 4, "durationMonths": 12,
        "backdatingDays": 7, "units": [{"id": "U1", "title": "Joints", "skills": [SKILL], "hours": 6}],
    }))  # fmt: skip
    publish = ("programme", "publish", str(tmp_path / "programme.json"), "--issuer", "training-centre",
               "--out", str(tmp_path / "programme.jwt"), *net)  # fmt: skip
    assert ok(cli(home, *publish)).startswith("published programme MIG welding (urn:programme:mig@1) to ")
    assert "is published already, unchanged: nothing to do" in ok(cli(home, *publish))  # the same again
    (tmp_path / "programme.json").write_text((tmp_path / "programme.json").read_text().replace("MIG", "TIG"))
    one_line_error(cli(home, *publish), "programme urn:programme:mig@1 is published already, with other content",
                   "publish it as version 2")  # fmt: skip
    return tmp_path / "programme.jwt"


def _complete_and_share(home: Path, net: tuple[str, ...], book: Path, extract: Path) -> None:
    """The qualification issued, the extract shared with it and checked against it."""
    _met_not_issued(home, book)
    done = ok(cli(home, "logbook", "complete", str(book), "--issuer", "training-centre", *net))
    assert " issued to Amina Haddad (did:key:" in done and "2 entries, 6 h" in done, done
    assert f"not counted, dated before the enrolment ({day(0)}): {day(-10)} U1 3 h" in done
    assert (book / "qualification.json").exists() and (book / "qualification-clr.jwt").exists()
    clr = cli(home, "verify", str(book / "qualification-clr.jwt"), *net)  # not its format: said, never INVALID
    assert clr.returncode == 2 and "its format is not checked by `registry verify`" in clr.stdout, clr.stdout
    shared = ok(cli(home, "logbook", "share", str(book), "--out", str(extract)))
    assert shared.startswith("shared the 2 entries the qualification counted, with their proofs (1 entry it did not")
    checked = cli(home, "logbook", "verify", str(extract), "--json", *net)
    assert checked.returncode == 0 and json.loads(checked.stdout)["verdict"] == "valid", checked.stdout
    assert json.loads(checked.stdout)["qualification"]["shown"] == 2
    # The employer abroad: her own trust list, no deployment file; the extract names its registry.
    abroad = worker_home(Settings(home=home, deployment_path=Path(net[3])), extract.parent, "employer")
    found = cli(abroad, "logbook", "verify", str(extract), "--rpc", net[1])
    assert found.returncode == 0 and found.stdout.startswith("valid: 2 entries of logbook urn:"), found
    assert "\n  signed off by: Sam Okafor (did:key:" in found.stdout, found.stdout  # her name, as authorised
    # Each entry by its day, unit and the unit's title, and its activity (told apart from the others).
    assert f"\n  {day(0)} · U1 Joints · fillet welds · 3 h: valid\n" in found.stdout, found.stdout
    assert (
        f"\n  learner: Amina Haddad ({short_did(Logbook(book).enrolment['sub'])})\n"
        "  programme: MIG welding (urn:programme:mig@1)\n  provider: did:ebsi:" in found.stdout
    )
    # In the registry the extract names, a root counts only where her list pins it (as `registry verify`).
    unpinned = cli(
        abroad, "logbook", "verify", str(extract), "--rpc", net[1], "--trust-list", str(home / "trust-list.json")
    )
    assert unpinned.returncode == 1 and "as pinned to chain" in unpinned.stdout, unpinned.stdout
    french = ok(cli(home, "--lang", "fr", "logbook", "verify", str(extract), *net))  # the learner's language
    assert french.startswith("valide\u00a0: 2 entrées du carnet urn:") and "apprenant\u00a0: Amina Haddad" in french
    assert "au regard de la qualification\u00a0: 2 de ses 2 entrées présentées" in french, french
    arabic = ok(cli(home, "--lang", "ar", "logbook", "show", str(book)))
    assert (
        "U1 Joints: 9 من 6 ساعة مثبَّتة" in arabic and "3 ساعة بتاريخ سابق" in arabic and "مكتمل: صدر المؤهل" in arabic
    ), arabic
    # Issued in error and revoked: the centre completes the logbook again, the revoked one kept aside.
    ok(cli(home, "revoke", str(book / "qualification.json"), "--issuer", "training-centre", "--reason", "1", *net))
    renewed = ok(cli(home, "logbook", "complete", str(book), "--issuer", "training-centre", *net)).splitlines()
    assert renewed[0] == (
        f"the qualification {book / 'qualification.json'} was revoked (reason: issued in error): kept as "
        f"{book / 'qualification-revoked-1.json'}; a new one issued"
    )
    assert renewed[1].startswith("qualification 'MIG welding' issued to Amina Haddad (did:key:"), renewed  # by name
    assert (book / "qualification-clr-revoked-1.jwt").exists()
    records = cli(home, "issued", "--issuer", "training-centre", *net)  # in the centre's own records, as `issue`
    assert re.search(r"revoked\s+Amina Haddad  MIG welding .*\n.*\nactive\s+Amina Haddad  MIG welding", records.stdout)
    assert records.stderr == "", records.stderr  # not "recovered from the journal": nothing a stopped command left
    extract.unlink()
    ok(cli(home, "logbook", "share", str(book), "--out", str(extract)))  # with the new one


def _verify_exit_codes(home: Path, net: tuple[str, ...], extract: Path, settings: Settings) -> None:
    """As `registry verify`: a missing file is a usage error (64), a missing deployment "could not
    determine" (2), and without any trust list the provider's root is not trusted (1, named)."""
    missing = cli(home, "logbook", "verify", str(extract.parent / "nope.json"), *net)
    one_line_error(missing, "nope.json")
    assert missing.returncode == 64
    # Given to `registry verify`, the wrong tool: said in one line, with the command to run (64, never INVALID).
    wrong_tool = cli(home, "verify", str(extract), *net)
    one_line_error(wrong_tool, f"{extract} is a skills logbook extract", f"`registry logbook verify {extract}`")
    assert wrong_tool.returncode == 64 and wrong_tool.stdout == ""
    undeployed = cli(home, "logbook", "verify", str(extract), "--rpc", settings.rpc_url,
                     "--deployment", str(extract.parent / "none.json"))  # fmt: skip
    one_line_error(undeployed, "no deployment file at")
    assert undeployed.returncode == 2
    # An employer abroad with the extract alone, naming no node: the local default is asked, and when
    # nothing answers there (the usual case) she is told to give a node of the extract's chain.
    abroad = cli(extract.parent / "abroad", "logbook", "verify", str(extract))
    assert abroad.returncode == 2, abroad.stdout + abroad.stderr
    if "cannot reach the chain" in abroad.stderr:
        assert "so the local default was asked: give a node of chain" in abroad.stderr, abroad.stderr
        assert "registry node start" not in abroad.stderr
    (root,) = json.loads(settings.trust_list_file.read_text())["roots"]
    kept = settings.trust_list_file.rename(extract.parent / "trust-list.json")
    try:
        untrusted = cli(home, "logbook", "verify", str(extract), *net)
    finally:
        kept.rename(settings.trust_list_file)
    assert untrusted.returncode == 1 and untrusted.stdout.startswith("not valid: 2 entries of logbook urn:"), untrusted
    assert f"root not trusted: the provider is accredited under Root TAO {root['did']}" in untrusted.stdout
