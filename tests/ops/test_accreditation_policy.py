"""`verify --accreditation-policy issuance|now`: an accreditation revoked after a credential was
issued leaves it VALID under "issuance" (noted), INVALID under "now" (as EBSI's library answers);
every report names its policy, in the library, the CLI (text and --json) and the service."""

from __future__ import annotations

import json
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
