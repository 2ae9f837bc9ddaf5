"""Cohorts, bulk status changes, both credential profiles and skills passports."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.chain.client import Call
from registry.formats.credential import HolderFile, credential_hash, load_holder_file
from registry.formats.merkle import leaf_hash
from registry.keystore import Identity, new_natural_person
from registry.ops.issuance import Cohort, Issuer
from registry.ops.passport import create_passport, sign_presentation
from registry.ops.registry import BITS_PER_WORD, Purpose, Registry
from registry.ops.verify import Outcome, Verdict, Verifier
from tests.conftest import Chain, next_second, welding_certificate

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workers() -> list[Identity]:
    return [new_natural_person(f"worker-{n}") for n in range(12)]


@pytest.fixture
def cohort(issuer: Issuer, workers: list[Identity]) -> Cohort:
    return issuer.issue_cohort([(w.did, welding_certificate()) for w in workers], extra_types=("WeldingCertificate",))


def test_every_member_of_a_cohort_verifies(cohort: Cohort, verifier: Verifier) -> None:
    reports = verifier.verify_many([(f"c{n}", f.dumps()) for n, f in enumerate(cohort.holder_files)])
    assert [r.verdict for r in reports] == [Verdict.VALID] * len(cohort.holder_files)
    anchor = reports[0].check("anchor")
    assert anchor is not None and anchor.evidence["block"] == cohort.receipt["blockNumber"]
    assert "cohort root anchored" in anchor.message


def test_a_cohort_members_bare_jwt_points_to_the_holder_file(
    cohort: Cohort, verifier: Verifier, workers: list[Identity]
) -> None:
    # Without its proof the JWT's own hash is not anchored (the root is): say where the proof is.
    # (A block later than the signing and its anchoring window, 1 s here, first: before that the
    # absence is only "could not determine", and says where the proof is too.)
    next_second(2)
    assert verifier.registry is not None
    verifier.registry.client.request("evm_mine", [])
    # Inside the window (an hour by default), the summary says first what the token alone cannot show
    # and what to verify instead, not "the node may be behind... again later" (waiting does not help).
    alone = "COULD NOT DETERMINE: could not check from this token alone: its hash is not anchored on its own"
    needed = "only its holder file (the .json the issuer wrote, with its Merkle proof)"
    inside = Verifier(verifier.registry).verify("bare.jwt", cohort.holder_files[0].credential)
    assert inside.verdict is Verdict.INDETERMINATE and inside.summary.startswith(alone), inside.summary
    assert needed in inside.summary and "within the 3600 s anchoring window" in inside.summary
    # Past the window too, a bare JWT is never INVALID (issue #13), nor VALID: it says what to present instead.
    report = Verifier(verifier.registry, anchor_window_s=1).verify("bare.jwt", cohort.holder_files[0].credential)
    anchor = report.check("anchor")
    assert report.verdict is Verdict.INDETERMINATE and anchor is not None and anchor.outcome is Outcome.UNKNOWN
    assert report.summary.startswith(alone) and needed in anchor.message and "window" not in anchor.message
    # The same credential in its holder file is valid; a holder file claiming a single anchor that is
    # not there is still INVALID.
    assert Verifier(verifier.registry, anchor_window_s=1).verify("f.json", cohort.holder_files[0].dumps()).verdict in (
        Verdict.VALID,
        Verdict.UNTRUSTED_ROOT,
    )
    single = json.dumps(
        {"format": "skills-credential/1", "credential": cohort.holder_files[0].credential, "anchor": {"type": "single"}}
    )
    forged = Verifier(verifier.registry, anchor_window_s=1).verify("single.json", single)
    assert forged.verdict is Verdict.INVALID and "not anchored" in forged.summary
    # Where no anchor is stated, nothing is claimed: a holder file without one, and a passport holding
    # the bare JWT (as an EBSI wallet's presentation holds it: no proof beside it) are never INVALID.
    unstated = json.dumps({"format": "skills-credential/1", "credential": cohort.holder_files[0].credential})
    assert Verifier(verifier.registry, anchor_window_s=1).verify("f.json", unstated).verdict is Verdict.INDETERMINATE
    passport = sign_presentation(workers[0], [load_holder_file(cohort.holder_files[0].credential)])
    assert passport["cohortProofs"] == {}  # a bare JWT states no anchor, so the passport states none
    presented = Verifier(verifier.registry, anchor_window_s=1).verify_passport("p.json", json.dumps(passport))
    assert [r.verdict for r in presented.credentials] == [Verdict.INDETERMINATE], presented.summary
    assert presented.verdict is not Verdict.INVALID and "holder file" in presented.credentials[0].summary


def test_cohort_is_one_transaction_and_indexes_are_random_within_its_own_words(cohort: Cohort) -> None:
    assert len(set(cohort.indexes)) == len(cohort.indexes)
    assert cohort.indexes != sorted(cohort.indexes)
    words = {i // BITS_PER_WORD for i in cohort.indexes}
    assert len(words) == 1  # 12 credentials fit one 224-entry word: one storage slot to revoke them all


def test_proofs_verify_with_openzeppelin_merkleproof_on_chain(
    cohort: Cohort, registry: Registry, issuer: Issuer
) -> None:
    for holder_file, value in zip(cohort.holder_files, cohort.hashes, strict=True):
        assert holder_file.cohort is not None
        call = Call(
            registry.credential_address, "CredentialRegistry", "verifyCohortMember",
            (
                issuer.identity.account.address, cohort.root, leaf_hash([value], ["bytes32"]),
                list(holder_file.cohort.proof),
            ),
        )  # fmt: skip
        anchored, record = registry.client.call(call)
        assert anchored is True and record[2] == len(cohort.holder_files)
    wrong = Call(
        registry.credential_address, "CredentialRegistry", "verifyCohortMember",
        (
            issuer.identity.account.address, cohort.root, leaf_hash([b"\x01" * 32], ["bytes32"]),
            list(proof_of(cohort, 0)),
        ),
    )  # fmt: skip
    assert registry.client.call(wrong)[0] is False


def proof_of(cohort: Cohort, n: int) -> tuple[bytes, ...]:
    member = cohort.holder_files[n].cohort
    assert member is not None
    return member.proof


def test_proofs_verify_with_openzeppelin_javascript_library(cohort: Cohort, tmp_path: Path) -> None:
    script = tmp_path / "check.cjs"
    script.write_text(
        "const { StandardMerkleTree } = require(process.argv[2]);\n"
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "const ok = input.members.every(m => StandardMerkleTree.verify(input.root, ['bytes32'], [m.leaf], m.proof));\n"
        "process.stdout.write(ok ? 'ok' : 'bad');\n"
    )
    members = [
        {"leaf": "0x" + h.hex(), "proof": ["0x" + p.hex() for p in proof_of(cohort, n)]}
        for n, h in enumerate(cohort.hashes)
    ]
    library = str(PROJECT / "node_modules" / "@openzeppelin" / "merkle-tree")
    result = subprocess.run(
        ["node", str(script), library], input=json.dumps({"root": "0x" + cohort.root.hex(), "members": members}),
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert result.stdout == "ok"


def test_revoking_one_credential_inside_a_cohort(cohort: Cohort, issuer: Issuer, verifier: Verifier) -> None:
    target = cohort.holder_files[3]
    issuer.change_status([target.credential], Purpose.REVOCATION, set_=True, reason=2)
    reports = verifier.verify_many([(f"c{n}", f.dumps()) for n, f in enumerate(cohort.holder_files)])
    assert [n for n, r in enumerate(reports) if r.verdict is Verdict.REVOKED] == [3]
    assert sum(r.verdict is Verdict.VALID for r in reports) == len(reports) - 1


def test_revoking_a_whole_cohort_is_one_transaction(cohort: Cohort, issuer: Issuer, verifier: Verifier) -> None:
    receipts = issuer.change_status(
        [f.credential for f in cohort.holder_files], Purpose.REVOCATION, set_=True, reason=8
    )
    assert len(receipts) == 1
    reports = verifier.verify_many([(f"c{n}", f.dumps()) for n, f in enumerate(cohort.holder_files)])
    assert {r.verdict for r in reports} == {Verdict.REVOKED}
    assert all("qualification withdrawn" in r.summary for r in reports)


def test_was_it_valid_then(issuer: Issuer, holder: Identity, verifier: Verifier, registry: Registry) -> None:
    issued = issuer.issue_single(holder.did, welding_certificate())
    next_second()
    before = registry.block_timestamp()
    next_second()
    issuer.change_status([issued.holder_file.credential], Purpose.SUSPENSION, set_=True, reason=6)
    assert verifier.verify("now", issued.holder_file.dumps()).verdict is Verdict.SUSPENDED
    assert verifier.verify("then", issued.holder_file.dumps(), at=before).verdict is Verdict.VALID
    too_early = verifier.verify("before issue", issued.holder_file.dumps(), at=before - 3600)
    # Not valid then, for it did not exist: its own verdict (exit 1), not INVALID, for it is genuine.
    assert too_early.verdict is Verdict.NOT_YET_ISSUED and too_early.verdict.exit_code == 1, too_early.summary
    assert too_early.summary.startswith("NOT YET ISSUED: not valid on ") and "issued later" in too_early.summary
    outcomes = {c.name: str(c.outcome) for c in too_early.checks}
    assert outcomes["anchor"] == outcomes["signature"] == outcomes["accreditation"] == "pass", outcomes


def test_vcdm2_profile_issues_and_verifies(chain: Chain, registry: Registry, settings_, holder: Identity) -> None:  # type: ignore[no-untyped-def]
    from registry.formats.vcdm2 import detect_profile

    v2 = Issuer(registry, chain.ti, settings_, profile="vcdm2")
    issued = v2.issue_single(holder.did, welding_certificate(), extra_types=("WeldingCertificate",))
    assert detect_profile(issued.holder_file.credential) == "vcdm2.0-vc+jwt"
    report = Verifier(registry).verify("v2", issued.holder_file.dumps())
    assert report.verdict is Verdict.VALID, report.summary
    v2.change_status([issued.holder_file.credential], Purpose.REVOCATION, set_=True, reason=1)
    assert Verifier(registry).verify("v2", issued.holder_file.dumps()).verdict is Verdict.REVOKED


@pytest.fixture
def settings_(settings):  # type: ignore[no-untyped-def]
    return settings


def test_passport_of_several_credentials(issuer: Issuer, holder: Identity, verifier: Verifier) -> None:
    files = [issuer.issue_single(holder.did, welding_certificate()).holder_file for _ in range(2)]
    cohort = issuer.issue_cohort(
        [(holder.did, welding_certificate()), (new_natural_person("x").did, welding_certificate())]
    )
    files.append(cohort.holder_files[0])
    passport = json.dumps(create_passport(holder, files))
    report = verifier.verify_passport("passport", passport)
    assert report.verdict is Verdict.VALID, report.summary
    assert [r.verdict for r in report.credentials] == [Verdict.VALID] * 3
    issuer.change_status([files[1].credential], Purpose.REVOCATION, set_=True, reason=1)
    report = verifier.verify_passport("passport", passport)
    assert report.verdict is Verdict.INVALID
    assert [r.verdict for r in report.credentials] == [Verdict.VALID, Verdict.REVOKED, Verdict.VALID]
    assert "2 of 3" in report.summary


def test_passport_refuses_someone_elses_credential(issuer: Issuer, holder: Identity, verifier: Verifier) -> None:
    other = new_natural_person("someone-else")
    theirs = issuer.issue_single(other.did, welding_certificate()).holder_file
    report = verifier.verify_passport("p", json.dumps(sign_presentation(holder, [theirs])))
    assert report.verdict is Verdict.INVALID
    binding = next(c for c in report.checks if c.name == "holder binding")
    assert binding.outcome is Outcome.FAIL


def test_passport_signed_by_another_key_is_invalid(issuer: Issuer, holder: Identity, verifier: Verifier) -> None:
    mine = issuer.issue_single(holder.did, welding_certificate()).holder_file
    impostor = new_natural_person("impostor")
    impostor.did = holder.did  # claims to be the holder, signs with its own key
    report = verifier.verify_passport("p", json.dumps(sign_presentation(impostor, [mine])))
    assert report.verdict is Verdict.INVALID
    assert report.checks[0].name == "holder signature" and report.checks[0].outcome is Outcome.FAIL


@pytest.fixture
def passport(issuer: Issuer, holder: Identity) -> dict:  # type: ignore[type-arg]
    return create_passport(holder, [issuer.issue_single(holder.did, welding_certificate()).holder_file])


def _mutate(text: str, position: int, replacement: str) -> str | None:
    if text[position] == replacement:
        return None
    return text[:position] + replacement + text[position + 1 :]


B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.="


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_changing_any_byte_of_a_credential_or_its_proof_makes_it_invalid(
    data: st.DataObject, cohort: Cohort, verifier: Verifier
) -> None:
    member = cohort.holder_files[data.draw(st.integers(0, len(cohort.holder_files) - 1))]
    assert member.cohort is not None
    where = data.draw(st.sampled_from(["credential", "proof"]))
    if where == "credential":
        token = member.credential
        position = data.draw(st.integers(0, len(token) - 1))
        mutated = _mutate(token, position, data.draw(st.sampled_from(B64URL)))
        if mutated is None:
            return
        tampered = HolderFile(mutated, member.cohort).dumps()
    else:
        proof = list(member.cohort.proof)
        element = data.draw(st.integers(0, len(proof) - 1))
        byte = data.draw(st.integers(0, 31))
        flipped = bytearray(proof[element])
        flipped[byte] ^= data.draw(st.integers(1, 255))
        proof[element] = bytes(flipped)
        tampered = HolderFile(
            member.credential, type(member.cohort)(member.cohort.root, tuple(proof), member.cohort.size)
        ).dumps()
    report = verifier.verify("tampered", tampered)
    assert report.verdict is not Verdict.VALID
    assert [c for c in report.checks if c.outcome is Outcome.FAIL], report.summary


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_changing_any_byte_of_a_passport_makes_it_invalid(
    data: st.DataObject,
    passport: dict,
    verifier: Verifier,  # type: ignore[type-arg]
) -> None:
    token = passport["presentation"]
    mutated = _mutate(token, data.draw(st.integers(0, len(token) - 1)), data.draw(st.sampled_from(B64URL)))
    if mutated is None:
        return
    report = verifier.verify_passport("tampered", json.dumps({**passport, "presentation": mutated}))
    assert report.verdict is not Verdict.VALID
    failed = [c for c in report.checks if c.outcome is Outcome.FAIL] + [
        c for r in report.credentials for c in r.checks if c.outcome is Outcome.FAIL
    ]
    assert failed, report.summary


def test_anchored_value_is_not_guessable_from_the_content(issuer: Issuer, holder: Identity) -> None:
    # Same holder, same achievement, same second: the hashes still differ (random jti, ECDSA nonce).
    a = issuer.issue_single(holder.did, welding_certificate(), issued_at=1_800_000_000)
    b = issuer.issue_single(holder.did, welding_certificate(), issued_at=1_800_000_000)
    assert a.credential_hash != b.credential_hash
    assert credential_hash(a.holder_file.credential) == a.credential_hash
