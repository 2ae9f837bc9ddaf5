"""`verify --accreditation-policy issuance|now`: an accreditation revoked after a credential was
issued leaves it VALID under "issuance" (noted), INVALID under "now" (as EBSI's library answers);
every report names its policy, in the library, the CLI (text and --json) and the service."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from registry.config import Settings
from registry.errors import InputError
from registry.keystore import Identity
from registry.ops.issuance import Issuer
from registry.ops.registry import Registry
from registry.ops.trust import AttrStatus, Trust, TrustList
from registry.ops.verify import Outcome, Verdict, Verifier
from tests.cli.test_cli import run
from tests.conftest import Chain, welding_certificate

pytest_plugins = ("tests.helpers.service_fixtures",)


def test_an_accreditation_revoked_after_issuance_by_policy(
    issuer: Issuer, holder: Identity, chain: Chain, trust: Trust, registry: Registry, settings: Settings,
    http: httpx.Client, tmp_path: Path,
) -> None:  # fmt: skip
    issued = issuer.issue_single(holder.did, welding_certificate())
    trust.set_status(chain.tao, chain.ti.did, chain.ti_attribute, AttrStatus.REVOKED, reason=2)
    registry.client.request("evm_mine", [])
    text = issued.holder_file.dumps()
    roots = TrustList.load(settings.trust_list_file)

    at_issuance = Verifier(registry, roots).verify("f.json", text)
    check = at_issuance.check("accreditation")
    assert at_issuance.verdict is Verdict.VALID, at_issuance.summary
    assert check is not None and check.message.startswith("at issuance") and "revoked" in check.message
    assert check.evidence["policy"] == "issuance" and at_issuance.to_json()["accreditation_policy"] == "issuance"

    now = Verifier(registry, roots, accreditation_policy="now").verify("f.json", text)
    check = now.check("accreditation")
    assert now.verdict is Verdict.INVALID and check is not None and check.outcome is Outcome.FAIL
    assert check.message.startswith("now (") and now.to_json()["accreditation_policy"] == "now"
    with pytest.raises(InputError, match="issuance, now"):
        Verifier(registry, roots, accreditation_policy="yesterday")

    # The CLI: the default is named in the text, --json carries it, a wrong policy is a usage error.
    path = tmp_path / "f.json"
    path.write_text(text)
    default = run(settings, "verify", str(path))
    assert default.returncode == 0 and "accreditation policy: issuance" in default.stdout, default.stdout
    strict = run(settings, "verify", "--json", "--accreditation-policy", "now", str(path))
    assert strict.returncode == 1 and json.loads(strict.stdout)["accreditation_policy"] == "now"
    wrong = run(settings, "verify", "--accreditation-policy", "later", str(path))
    assert wrong.returncode == 64 and "issuance or now" in wrong.stderr and "Traceback" not in wrong.stderr

    # The service: the same answers, the policy named in the report.
    served = http.post("/verify", json={"credential": text}).json()
    assert served["accreditation_policy"] == "issuance" and served["verdict"] == "valid"
    served = http.post("/verify", json={"credential": text, "accreditationPolicy": "now"}).json()
    assert served["accreditation_policy"] == "now" and served["verdict"] == "invalid"
    assert http.post("/verify", json={"credential": text, "accreditationPolicy": "later"}).status_code == 400


def test_a_revocation_for_cause_reaches_back_to_its_date_and_down_the_chain(
    chain: Chain, trust: Trust, registry: Registry, settings: Settings, holder: Identity, make_issuer,  # type: ignore[no-untyped-def]
) -> None:  # fmt: skip
    """Fraud found out now that began at D: the TAO revokes its TI for cause from D, the Root TAO
    revokes the TAO for cause from D. Under the policy "issuance", what either TI anchored before D
    stays VALID (noted), what it anchored from D on is INVALID, the TI through its own link, the
    other TI through its TAO's (the cascade); under "now" everything they issued is refused, as an
    ordinary revocation is (test above). A date later than the chain's newest block, or before the
    accreditation began, is refused before anything is sent."""
    from registry.formats.credential import iso
    from registry.ops.trust import IssuerType
    from tests.conftest import WELDING_SCOPE

    other = make_issuer("second-centre")
    trust.accredit(chain.tao, chain.tao_attribute, other.did, IssuerType.TI, [WELDING_SCOPE])
    issuers = [Issuer(registry, identity, settings) for identity in (chain.ti, other)]
    before = [i.issue_single(holder.did, welding_certificate()).holder_file.dumps() for i in issuers]
    d = registry.block_timestamp() + 1  # both anchored before D, the next ones from D on:
    while registry.block_timestamp() < d:  # a new block tells the chain's clock
        time.sleep(0.05)
        registry.client.request("evm_mine", [])
    after = [i.issue_single(holder.did, welding_certificate()).holder_file.dumps() for i in issuers]

    head = registry.block_timestamp()
    with pytest.raises(InputError, match="reaches back, never forward"):
        trust.revoke_for_cause(chain.tao, chain.ti.did, chain.ti_attribute, head + 3600)
    with pytest.raises(InputError, match="before accreditation"):
        trust.revoke_for_cause(chain.tao, chain.ti.did, chain.ti_attribute, 1_000_000)
    trust.revoke_for_cause(chain.tao, chain.ti.did, chain.ti_attribute, d)  # reason 2, fraud
    trust.revoke_for_cause(chain.root, chain.tao.did, chain.tao_attribute, d)
    registry.client.request("evm_mine", [])
    roots = TrustList.load(settings.trust_list_file)
    at_issuance, now = Verifier(registry, roots), Verifier(registry, roots, accreditation_policy="now")

    for n, text in enumerate(before):
        report = at_issuance.verify("before", text)
        check = report.check("accreditation")
        assert report.verdict is Verdict.VALID, report.summary
        assert check is not None and "revoked for cause" in check.message and f"void from {iso(d)}" in check.message
        assert now.verify("before", text).verdict is Verdict.INVALID, n
    cause = f"revoked for cause from {iso(d)}: fraud"
    for link, text in zip(("TI link", "TAO link"), after, strict=True):
        report = at_issuance.verify("after", text)
        check = report.check("accreditation")
        assert report.verdict is Verdict.INVALID and check is not None and check.outcome is Outcome.FAIL
        assert check.message.startswith("at issuance") and f"{link} " in check.message, check.message
        assert cause in check.message, check.message
        assert now.verify("after", text).verdict is Verdict.INVALID
