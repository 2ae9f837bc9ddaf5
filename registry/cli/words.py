"""The verifier's words in the language of the run (registry/i18n): check labels, verdicts and
the verdict line. The verifier itself writes English (its reports' JSON is machine output and
stays English); what the command line shows of it is translated here, at the face.

The verdict line (a report's `summary`) is read back by the shapes ops/verify writes it in
(report.py's `verdict_of`, presentation.py's `_passport_verdict`); the verdict and the failed
check's label are translated, the check's own message (with its facts) stays as the verifier
wrote it. A summary of another shape is shown as it is.
"""

from __future__ import annotations

import re

from registry.i18n import N_, _

# Every check's label (ops/verify/report.py's `Code`; tests/cli/test_words.py holds the two equal).
CHECK_LABELS = (
    N_("format"), N_("schema"), N_("registry"), N_("cohort proof"), N_("signing time"), N_("time asked"),
    N_("issuer DID"), N_("signing key"), N_("signature"), N_("anchor"), N_("status list"),
    N_("revocation status"), N_("suspension status"), N_("accreditation"), N_("trusted root"),
    N_("validity period"), N_("quorum"), N_("chain"), N_("presentation"), N_("holder signature"),
    N_("holder binding"), N_("presentation time"), N_("distinct credentials"), N_("audience"), N_("nonce"),
)  # fmt: skip

# Every verdict (ops/verify/shapes.py's `Verdict`), as the summary table and a passport's lines name it.
VERDICT_WORDS = {
    "valid": N_("valid"),
    "invalid": N_("invalid"),
    "revoked": N_("revoked"),
    "suspended": N_("suspended"),
    "could not determine": N_("could not determine"),
    "root not trusted": N_("root not trusted"),
}

_NUMBERS = r"(?P<v>\d+) of (?P<n>\d+)"
# The verdict lines the verifier writes, most specific first: (pattern, message with its fields).
_HEADLINES = (
    (r"VALID: every check passed", N_("VALID: every check passed")),
    (r"VALID: all (?P<n>\d+) credentials valid", N_("VALID: all {n} credentials valid")),
    (rf"NOT ALL VALID: {_NUMBERS} credentials valid", N_("NOT ALL VALID: {v} of {n} credentials valid")),
    (rf"COULD NOT DETERMINE: {_NUMBERS} valid", N_("COULD NOT DETERMINE: {v} of {n} valid")),
    (
        rf"ROOT NOT TRUSTED: {_NUMBERS} credentials valid, the others genuine but under a Root TAO you have not "
        "said you trust",
        N_(
            "ROOT NOT TRUSTED: {v} of {n} credentials valid, the others genuine but under a Root TAO you have "
            "not said you trust"
        ),
    ),
    (r"ROOT NOT TRUSTED: genuine and anchored; (?P<rest>.*)", N_("ROOT NOT TRUSTED: genuine and anchored; {rest}")),
    (r"REVOKED: (?P<rest>.*)", N_("REVOKED: {rest}")),
    (r"SUSPENDED: (?P<rest>.*)", N_("SUSPENDED: {rest}")),
    (r"INVALID: (?P<check>[A-Za-z ]+): (?P<rest>.*)", N_("INVALID: {check}: {rest}")),
    (r"INVALID: (?P<rest>.*)", N_("INVALID: {rest}")),
    (r"COULD NOT DETERMINE: (?P<rest>.*)", N_("COULD NOT DETERMINE: {rest}")),
)
_COMPILED = tuple((re.compile(pattern, re.DOTALL), message) for pattern, message in _HEADLINES)


def check_label(name: str) -> str:
    """A check's label in the language of the run (an unknown one as it is)."""
    return _(name) if name in CHECK_LABELS else name


def verdict_word(verdict: str) -> str:
    word = VERDICT_WORDS.get(verdict)
    return _(word) if word else verdict


def headline(summary: str) -> str:
    """A report's verdict line in the language of the run."""
    for pattern, message in _COMPILED:
        match = pattern.fullmatch(summary)
        if match is None:
            continue
        fields = match.groupdict()
        if "check" in fields:
            if fields["check"] not in CHECK_LABELS:
                continue
            fields["check"] = _(fields["check"])
        return _(message).format(**fields)
    return summary
