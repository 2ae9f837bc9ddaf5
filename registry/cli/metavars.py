"""What `--help` shows an option takes: a word for the value (URL, DID, FILE, DATE), never the type
typer would show (`<str>`, `<path>`, `<int>`, TEXT).

One table, by option, beside the help texts it goes with (registry/cli/helptext.py applies it as it
polishes each command); an option whose value means something else in one command has its own entry
under that command's path. An option in neither gets its name in capitals (`--out-dir` DIR is in the
table; a new `--widget-size` would show WIDGET-SIZE), so no option ever shows a bare type: free
text is named for what it is (DESCRIPTION, NOTE, TITLE), not TEXT.
tests/cli/test_help.py reads every help screen for it.
"""

from __future__ import annotations

from typing import Any

# By the option's long name.
METAVARS: dict[str, str] = {
    # Where things are: files, directories, services, nodes.
    "--home": "DIR", "--wallet": "DIR", "--out-dir": "DIR", "--handover-dir": "DIR", "--dir": "DIR",
    "--logbook-dir": "DIR", "--evidence": "DIR", "--files": "DIR",
    "--deployment": "FILE", "--trust-list": "FILE", "--out": "FILE", "--file": "FILE", "--registry": "FILE",
    "--roster": "CSV", "--programme": "FILE", "--record": "FILE", "--authorisation": "FILE",
    "--assessment": "FILE", "--assessor-authorisation": "FILE", "--qualification": "FILE",
    "--rpc": "URL", "--service": "URL", "--cors-origin": "URL", "--host": "ADDRESS", "--port": "PORT",
    "--forwarded-allow-ips": "IPS",
    # Who: local identities by name, others by DID.
    "--issuer": "NAME", "--deployer": "NAME", "--governance": "NAME", "--parent": "NAME", "--signer": "NAME",
    "--learner": "NAME", "--employer": "NAME", "--holder": "DID", "--child": "DID", "--root": "DID",
    "--supervisor": "DID", "--issuers": "DIDS", "--recognised-in": "AUTHORITY", "--audience": "WHO",
    "--name": "NAME", "--holder-name": "NAME", "--learner-name": "NAME", "--employer-name": "NAME",
    "--holder-document": "REFERENCE",
    # When.
    "--at": "TIME", "--valid-from": "DATE", "--valid-until": "DATE", "--from": "DATE", "--until": "DATE",
    "--date": "DATE", "--for-cause-from": "DATE", "--untrusted-from": "DATE", "--valid-for": "DURATION",
    # What.
    "--skill": "URI=LABEL", "--occupation": "URI=LABEL", "--translation": "LANG:FIELD=TEXT",
    "--type": "TYPE", "--credential-type": "TYPE", "--types": "TYPES", "--schema": "ID", "--schemas": "IDS",
    "--programmes": "IDS", "--attribute": "ID", "--unit": "ID", "--entry": "FILE|ID", "--item": "NAME",
    "--jurisdiction": "URI", "--framework": "KEY", "--eqf": "LEVEL", "--eqf-levels": "LEVELS", "--level": "LEVEL",
    "--credits": "N", "--reason": "CODE", "--list": "N", "--ether": "N", "--hours": "HOURS", "--workers": "N",
    "--confirm": "CODE", "--nonce": "NONCE", "--lang": "LANGUAGE",
    # Choices, named as they are given.
    "--profile": "ebsi|vcdm2|europass", "--purpose": "revocation|suspension", "--as": "tao|ti",
    "--role": "supervisor|assessor", "--accreditation-policy": "issuance|now",
    # Free text: what it is.
    "--description": "DESCRIPTION", "--criteria": "CRITERIA", "--note": "NOTE", "--conditions": "CONDITIONS",
    "--reference": "REFERENCE", "--activity": "ACTIVITY", "--task": "TASK", "--workplace": "PLACE",
    # The service's limits.
    "--rpc-timeout": "SECONDS", "--deadline": "SECONDS", "--head-max-age": "SECONDS", "--rate": "PER-SECOND",
    "--burst": "N", "--max-body": "BYTES",
}  # fmt: skip

# Where an option's value means something else: by the command's path, then the option.
BY_COMMAND: dict[str, dict[str, str]] = {
    "passport create": {"--holder": "NAME"},
    "recognition publish": {"--qualification": "QUALIFICATION"},
    "issue": {"--name": "TITLE"},
    "logbook add": {"--evidence": "FILE"},
}

# What typer would show for a value it knows only by its type: never shown.
BARE = frozenset({"TEXT", "STRING", "PATH", "INTEGER", "FLOAT", "<str>", "<path>", "<int>", "<float>"})


def metavar_of(path: str, option: Any) -> str:
    """The word `--help` shows for `option`'s value in `registry PATH`."""
    long = max(option.opts, key=len)
    named = BY_COMMAND.get(path, {}).get(long) or METAVARS.get(long)
    return named or long.lstrip("-").upper()
