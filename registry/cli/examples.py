"""The examples a command's `--help` ends with, by command (as typed after `registry`).

Written for the people each command is for (a training centre issues, a worker keeps her wallet
and makes passports, an employer or an authority verifies), with the names of the README's story.
registry/cli/helptext.py puts them after the options; tests/cli/test_help.py checks that each one
parses as its command's command line and fits an 80-column terminal.
"""

from __future__ import annotations

EXAMPLES: dict[str, tuple[str, ...]] = {
    "issue": (
        "# a training centre issues a credential to a person (DID or identity name)",
        'registry issue --issuer centre --holder amina --name "MIG/MAG welding" \\',
        '    --eqf 4 --holder-name "Amina Haddad" --out amina-welding.json',
        "# a whole class in one transaction, one credential file each",
        "registry issue --issuer centre --roster safety.csv --out-dir safety",
    ),
    "verify": (
        "# an employer checks a credential or a passport a worker gave her",
        "registry verify amina-welding.json --rpc https://node.example.org",
        "# was it valid on that day? (a JSON report, for a program)",
        "registry verify amina-welding.json --at 2026-05-01 --json",
        "# through a registry service instead of a node",
        "registry verify amina-passport.json --service https://registry.example.org",
    ),
    "revoke": (
        "# withdraw a credential issued in error (reason 1), for good",
        "registry revoke amina-welding.json --issuer centre --reason 1",
        "# every credential a CSV names (columns: file, reason, note)",
        "registry revoke withdrawn.csv --issuer centre",
    ),
    "trust onboard-root": (
        "# governance adds a national authority as a root of trust",
        "registry trust onboard-root authority --types SkillsCredential \\",
        '    --name "National Vocational Authority"',
    ),
    "trust accredit": (
        "# the authority accredits a training centre to issue (ti)",
        "registry trust accredit --parent authority --child centre --as ti \\",
        '    --types SkillsCredential --name "Welding School Ltd"',
        "# or a body that accredits centres in turn (tao)",
        "registry trust accredit --parent authority --child body --as tao \\",
        "    --types SkillsCredential",
    ),
    "trust-list add": (
        "# accept what an authority accredited, in the registry of that deployment",
        'registry trust-list add did:ebsi:z25... --name "Vocational Authority" \\',
        "    --registry their-deployment.json",
    ),
    "issuer check": (
        "# is this centre accredited, up to a root on your trust list?",
        "registry issuer check did:ebsi:z23...",
        "# and was it on 1 May 2026?",
        "registry issuer check did:ebsi:z23... --at 2026-05-01",
    ),
    "passport create": (
        "# a worker bundles her credentials for one employer, valid for 7 days",
        "registry passport create --from-wallet --out passport.json \\",
        '    --audience "Employer GmbH" --valid-for 7d',
        "# a centre makes one for a person whose key it holds",
        "registry passport create --holder amina --out passport.json a.json b.json",
    ),
    "wallet import": (
        "# keep the credentials a training centre sent you",
        "registry wallet import amina-welding.json safety/1-amina-*.json",
    ),
    "logbook add": (
        "# a learner records a day's work, signed with her wallet's key (offline)",
        "registry logbook add my-logbook --from-wallet --date 2026-05-04 \\",
        '    --unit U1 --activity "Fillet welds, 6 mm plate" --hours 6.5 \\',
        '    --workplace "Stahlbau Nord, Hamburg"',
    ),
    "identity create": (
        "# an organisation (training centre, authority, employer): a did:ebsi",
        "registry identity create centre",
        "# a person (a learner, a supervisor): a did:key",
        "registry identity create amina --person",
    ),
    "recognition publish": (
        "# an authority recognises EQF 4 credentials as a national qualification",
        "registry recognition publish office --types SkillsCredential \\",
        '    --eqf-levels 4 --root did:ebsi:z25... --qualification "Welder" \\',
        "    --framework de-dqr --level 4",
    ),
    "recognition suspend": (
        "# put a decision under review, by the id `verify` printed",
        "registry recognition suspend office 0x1a2b3c4d --reason 3",
    ),
    "recognition list": (
        "# an authority's decisions, by its name in your trust list (or its DID)",
        'registry recognition list "Federal Recognition Office"',
    ),
}
