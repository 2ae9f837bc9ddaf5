"""The errors people meet most on their own commands, in the language of the run (registry/i18n): a
worker's (wallet, passport), a learner's (`logbook add`) and a centre's clerk's (`issue`, `revoke`). The
command line's one place that writes an error (cli/exits.py's `fail`) passes it through `error_message`,
which reads it back by the shape it was written in, as words.py reads the verifier's lines; any other
error stays English (README, "Languages").
"""

from __future__ import annotations

import re
from functools import cache

from registry.i18n import DEFAULT, N_, _, current, joined, number
from registry.i18n.words import FIELDS, pattern, reason_word, trust_phrase

# The errors a worker meets most on her own commands (wallet, passport), each also the pattern that
# reads it back (ops/wallet/store.py, backup.py, cli/options.py, commands/passport.py, formats/qrpayload.py);
# any other error stays English (README, "Languages").
_ERRORS = (
    N_("wrong wallet passphrase for {path}: give the one you chose for this wallet (REGISTRY_WALLET_PASSPHRASE, "
       "or typed when asked)"),
    N_("the wallet passphrase opens the key {other} in {path} but not {name}, the key your credentials name: a "
       "key restored from a backup keeps the passphrase its wallet had then; give that one "
       "(REGISTRY_WALLET_PASSPHRASE, or typed when asked)"),
    N_("Wallet passphrase not given: set REGISTRY_WALLET_PASSPHRASE or run in a terminal to be prompted"),
    N_("Backup passphrase not given: set REGISTRY_BACKUP_PASSPHRASE or run in a terminal to be prompted"),
    N_("the new wallet passphrase is too short: choose one of at least {n} characters (typed, or in "
       "REGISTRY_WALLET_PASSPHRASE); it alone protects the keys it encrypts"),
    N_("the new backup passphrase is too short: choose one of at least {n} characters (typed, or in "
       "REGISTRY_BACKUP_PASSPHRASE); it alone protects the keys it encrypts"),
    N_("the wallet {path} holds no key: run `registry wallet create`, or import the key a centre handed you with "
       "`registry wallet import-key FILE`"),
    N_("the wallet {path} holds no credential: `registry wallet import` them first"),
    N_("{path} is not yours: it was issued to {did}, and this wallet holds {other}; nothing was imported"),
    N_("{n} credentials make a passport too large for a verifier to read (a presentation of {size} KiB, at most "
       "{max} KiB): make two passports or more, of fewer credentials each (about {fit} of these fit in one)"),
    N_("{path} is a credential file, not a skills passport: put it in one first (`registry passport create "
       "--from-wallet` or `--holder NAME ... {other}`), then print that"),
    N_("{path} is not genuine ({rest}): a verifier would find it INVALID; no passport was written (leave it out)"),
    N_("{path} is not genuine ({rest}); nothing was imported"),
    N_("wrong passphrase for the backup {path} (or the file was changed)"),
    N_("{path} is about {did}, not the holder {name} ({other}): a passport holds only its holder's own credentials"),
    N_("{path} is in the passport twice"),
    N_("{path} is not a credential file but {other}"),
    N_("{option} {text} is not a duration: write e.g. 30m, 12h or 7d"),
    N_("the directory {path} does not exist"),
    N_("{id} is not a credential id (4+ of the hex digits `wallet list` shows)"),
    N_("no credential {id} in the wallet {path} (see `registry wallet list`)"),
    N_("{id} names {n} credentials; give more of the id"),
    N_("the wallet {path} already holds a key named {name} ({did}); give another --name to make a second one"),
    N_("the wallet already holds this key, as {name} ({did})"),
    N_("the wallet {path} holds no key for {did} (none of its key files in {other} is that key): a lost key comes "
       "back from your wallet backup (`registry wallet import-backup FILE`) or the centre's handover file (`registry "
       "wallet import-key FILE`)"),
    N_("identity file {path} is unreadable or not JSON: restore it from a copy you kept (a new key would not be the "
       "one its DID and credentials name)"),
    N_("there is no wallet at {path}: make one with `registry wallet create`, or restore yours from its backup with "
       "`registry wallet import-backup FILE`"),
    N_("{path} already exists; not overwriting it"),
    N_("no such file: {path}"),
    N_("{path} is not a whole QR code's text ({rest}): scan the code again, or copy all of its text; no verdict "
       "is given on part of a code"),
    N_("{path} is not a whole QR code's text ({rest}): scan the code again, or copy all of its text"),
)  # fmt: skip
# Our other files as a refusal to read one as a credential names them (formats/holderfile.py's OTHER_FILES,
# held equal by tests/e2e/test_translations.py), said in the run's language inside that refusal.
OTHER_FILES = (
    N_("a key handover file: take it into a wallet with `registry wallet import-key FILE`"),
    N_("a wallet backup: restore it with `registry wallet import-backup FILE`"),
    N_("an identity's key file (keep it private)"),
    N_("an RPL credential's evidence manifest (`registry rpl disclose` reads it)"),
    N_("a registry's deployment file (--deployment, or `trust-list add --registry`)"),
    N_("a trust list (--trust-list)"),
    N_("a recognition decision (`registry recognition publish` takes it)"),
    N_("a learner's logbook (`registry logbook show` reads it; an employer checks the extract `registry logbook "
       "share` writes, with `registry logbook verify`)"),
    N_("a logbook entry (`registry logbook share` puts it in an extract, which `registry logbook verify` checks)"),
    N_("the proofs of a logbook's qualification (`registry logbook share` puts them in an extract; `registry verify "
       "qualification.json` checks the qualification)"),
)  # fmt: skip
# Our signed documents that are not credentials (formats/holderfile.py's OTHER_TOKENS, held equal by the same test).
OTHER_TOKENS = (
    N_("a logbook programme (`registry programme publish` signs it; the logbook commands read it)"),
    N_("a supervisor's authorisation (`registry logbook sign --authorisation` takes it)"),
    N_("a revocation record (`registry logbook verify --record FILE` takes it)"),
    N_("a logbook enrolment (in the learner's logbook and its extracts)"),
    N_("a logbook entry's signed part (in an extract, which `registry logbook verify` checks)"),
    N_("a logbook countersignature (in an extract, which `registry logbook verify` checks)"),
)
# The errors a learner meets most on `logbook add` (ops/logbook/book.py, formats/logbook/records.py,
# cli/commands/logbook.py), read back as `_ERRORS` are.
_LEARNER_ERRORS = (
    N_("a day must be YYYY-MM-DD, not {text}"),
    N_("an entry's hours must be more than 0 and at most 24"),
    N_("--hours must be a number of hours, such as 2.5 or 2,5, not {text}"),
    N_("the entries dated {date} would claim {hours} h, more than a day's {max} h: record the hours worked that day"),
    N_("the programme has no unit {text} (its units: {units})"),
    N_("the date {date} is in the future: an entry records work done"),
    N_("{who} is not the learner enrolled in this logbook"),
    N_("an entry needs an activity and a workplace"),
)
# Why a supervisor's or assessor's `logbook sign` leaves an entry, or signs none (ops/logbook/book.py).
_SIGNER_ERRORS = (
    N_("{path}: entry {id} not signed: unit {text} is signed off by an assessor, and {who} is a supervisor"),
    N_("{path}: entry {id} not signed: unit {text} is signed off by a supervisor, and {who} is an assessor"),
    N_("{path}: entry {id} not signed: unit {text} is signed off by an assessor, and {who} is a supervisor (and {n} "
       "more not hers to sign)"),
    N_("{path}: entry {id} not signed: unit {text} is signed off by a supervisor, and {who} is an assessor (and {n} "
       "more not hers to sign)"),
    N_("{path}: entry {id} not signed: {who} is authorised only at the workplace {text}, and it was recorded at "
       "{other}"),
    N_("{path}: the entry of {date} is outside {who}'s authorisation ({text}): not signed"),
    N_("{path}: entry {id} not signed: it claims {text} h, and an entry's hours are more than 0 and at most 24 (a "
       "verifier would find it not valid): the learner records the work again with `logbook add`"),
    N_("{path}: nothing signed: the entries of {did} dated {date} would claim {hours} h countersigned, more than a "
       "day's 24 h (a verifier would find none of them valid): sign only the entries of the hours worked that day, "
       "and ask the learner about the others"),
)  # fmt: skip
# A centre's `rpl` and `supervisor` commands refused (cli/commands: rpl.py, supervisor.py; ops/rpl: issuing, assessor).
_RPL_ERRORS = (
    N_("the assessment needs `skills`: a list of the ESCO skills recognised, each its uri and label"),
    N_("the assessment needs `name` (text) and `eqf` (the EQF level recognised, 1-8)"),
    N_("the assessment's skill {n} ({text}) needs a label (text): the skill's name as ESCO gives it, e.g. \"label\": "
       "\"apply arc welding techniques\""),
    N_("{path} is not an evidence manifest"),
    N_("{path} already exists; give a new directory"),
    N_("not in the manifest or not in {path}: {names} (the manifest's items, by file name: {text})"),
    N_("give one --occupation URI=label (the ESCO occupation worked in)"),
    N_("--evidence {path} is not a directory"),
    N_("the assessment is dated in the future"),
    N_("the assessor cannot sign off this assessment: {rest}"),
    N_("{path} is not a work-experience attestation (`registry attest` makes one): the assessment's `attestations` "
       "cite those only"),
    N_("{path} attests the work of {did}, not of the holder {other}: an assessment cites the holder's own "
       "attestations"),
    N_("the authorisation is not an assessor's: authorise her with `supervisor authorise --role assessor`"),
    N_("{option} is needed"),
    N_("a revocation for cause needs both --untrusted-from and --record (where its record goes)"),
    N_("--reason must be one of {text}"),
)  # fmt: skip
# A provider's `logbook complete` refused, or a revoked qualification set aside (ops/logbook/completion.py):
# {needed} lists each unit's missing hours and {why} the anchored entries that do not count, each part said
# back through its own table (`_PARTS`).
_PROVIDER_ERRORS = (
    N_("the logbook is complete already: its qualification is {path}"),
    N_("the logbook has no anchored entries: the standard is not met"),
    N_("the standard is not met: missing {needed} ({why}: `logbook verify` says why)"),
    N_("the standard is not met: missing {needed}"),
    N_("the qualification {path} was revoked (reason: {rest}): kept as {other}"),
    N_("the qualification {path} was revoked ({rest}): kept as {other}"),
)
_NEEDED = (N_("{unit}: {hours} h"),)
_WHY = (
    N_("{n} anchored entry does not count"),
    N_("{n} anchored entries do not count"),
    N_("{n} of them backdated beyond the programme's window"),
    N_("{n} of them dated before the enrolment ({date})"),
    N_("{n} of them {entries}..."),
    N_("{n} of them {entries}"),
)
_ENTRIES = (
    N_("{date} {unit} {hours} h revoked"),
    N_("{date} {unit} {hours} h not valid"),
    N_("{date} {unit} {hours} h could not determine"),
)
# A verifier's `trust-list add` and `remove` refused (ops/trust/trustlist.py, cli/commands/trustlist.py): {list}
# is the list as a noun phrase, said as the trust lines say it (words.trust_phrase); {how} what to do instead.
_TRUST_LIST_ERRORS = (
    N_("{did} is already in {list} as {name}: {how}"),
    N_("{did} is already in {list}: {how}"),
    N_("{did} is not in {list}"),
    N_("{path} already exists: add roots to it with `registry trust-list add`"),
    N_("{text} is neither a DID nor the name of one root in {path} (`registry trust-list show`)"),
)
_HOW = (
    N_("it is already pinned to that registry"),
    N_("to change its name, `registry trust-list remove` it first, then add it again"),
    N_("to accept it in another registry too, add it again with --registry DEPLOYMENT.json; to change its name, "
       "`registry trust-list remove` it first"),
)  # fmt: skip
# A clerk's or an authority's change of what is final (ops/statusplan.py, cli/commands/recognition.py).
_FINAL_ERRORS = (
    N_("{path} is revoked, and revocation is final: it cannot be reinstated"),
    N_("decision {id} is revoked, and a revocation is final: it cannot be reinstated (publish a new decision instead)"),
    N_("decision {id} is revoked, and a revocation is final: it cannot be suspended (publish a new decision instead)"),
    N_("there is no recognition decision {id} in this registry"),
)
# What an employer given a logbook extract alone meets first: no node named (cli/commands/logbook_show.py).
_VERIFIER_ERRORS = (
    N_("cannot reach the chain at {path}: connection refused or host unreachable; no node was named (--rpc URL, "
       "REGISTRY_RPC_URL, `registry config set rpc-url URL`), so the local default was asked: give a node of chain "
       "{n} (the extract's) with --rpc URL"),
    N_("cannot reach the chain at {path}: connection refused or host unreachable; no node was named (--rpc URL, "
       "REGISTRY_RPC_URL, `registry config set rpc-url URL`), so the local default was asked: give a node of chain "
       "{n} (the logbook's) with --rpc URL"),
)  # fmt: skip
# The errors a centre's clerk meets most (formats/credential.py, ops/statuschange.py).
_CENTRE_ERRORS = (
    N_("EQF level must be 1 to 8, not {text}"),
    N_("unknown reason code {n}; known: {text}"),
    # An identity named wrong (keystore.py, cli/options.py, cli/commands/passport.py), a DID mistyped (formats/did.py).
    N_("no identity named {name} in {path}: make it with `registry identity create {other}`, or name the home that "
       "holds it (`registry --home DIR`, or REGISTRY_HOME)"),
    N_("no identity named {name} in {path}: give her did:key as she reads it (`registry identity show NAME --did`, "
       "or her wallet); in a roster, a row with only her holder_name gets a key made for her and handed over"),
    N_("no identity named {name} in {path}, but your wallet ({other}) holds your key: use --from-wallet instead of "
       "--holder NAME"),
    N_("no identity named {name} in {path}: name the home that holds her key (`registry --home DIR`); if its file "
       "was lost, restore it from a copy (a new identity would be a new key, not the one her credentials name)"),
    # A name close to one of this home's (keystore.py's `_missing`): asked about before a new identity is offered.
    N_("no identity named {name} in {path}: did you mean {other} or {text}? (`registry identity show NAME`)"),
    N_("no identity named {name} in {path}: did you mean {other}? (`registry identity show NAME`)"),
    N_("identity name {text} must be 1-64 letters, digits, '.', '_' or '-'"),
    N_("the holder must be a person's did:key, not {did}"),
    N_("not a did:ebsi identifier: {text}: a character missing or mistyped? Copy the DID whole, as its owner "
       "published it"),
    N_("not a did:ebsi identifier: {text}: give the root's DID as its authority published it"),
)  # fmt: skip
# A file that is not what a command reads (formats/holderfile.py, safejson.py, logbook/records.py, ops/logbook/book.py).
_FILE_ERRORS = (
    N_("{path} is JSON but not a credential file (format {text})"),
    N_("{path} is neither a credential file (JSON) nor a JWT"),
    N_("backup {path} is not valid JSON (line {n})"),
    N_("{path} is not valid JSON (line {n})"),
    N_("no such file: the logbook in {path}"),
    N_("{path} is not a logbook extract ({text}): make one with `registry logbook share`"),
)
# A setting, a decision id or a default trust list that is not there (config.py, recognition/ids.py, trustlist.py).
_SETTING_ERRORS = (
    N_("{text} is not a node URL: write it as http://HOST:PORT (for example http://127.0.0.1:8545)"),
    N_("{text} is not a setting (known: {names})"),
    N_("{text} is not a decision id: give it whole (0x and 64 hex digits, as `registry recognition list` prints it) "
       "or its start, as `registry verify` prints it (0x1234abcd…)"),
    N_("no default trust list ({path}): `verify` then trusts no root; make one with `registry trust-list add`"),
)  # fmt: skip


# `registry serve`'s settings refused at start (service/config.py, cli.py) and the deployment file it is given
# (chain/deployment.py): {kind}, {bound} and {problem} each said back through its own table (`_PARTS`).
_SERVICE_ERRORS = (
    N_("{option} ({setting}) must be a number of {kind}, {bound}, not {text}"),
    N_("--logbook-dir {path}: it is not a directory; name a directory the service may write"),
    N_("--logbook-dir {path}: the service may not write there; name a directory it may write"),
    N_("--logbook-dir {path}: {text}; name a directory the service may write"),
    N_("cannot listen on {text} port {n}: {other} (--host must be an address of this machine, such as 127.0.0.1 or "
       "0.0.0.0)"),
    N_("cannot listen on {text} port {n}: {other} (a service from an earlier run still running? stop it, or give "
       "another --port)"),
    N_("cannot listen on {text} port {n}: {other} (give another --host or --port)"),
    N_("no deployment file at {path}: pass the registry's deployment file with --deployment FILE (or "
       "REGISTRY_DEPLOYMENT); only whoever runs a new registry writes one, with `registry deploy`"),
    N_("deployment file {path} {problem}; give the registry's deployment file, as whoever deployed it publishes it, "
       "with --deployment FILE (or REGISTRY_DEPLOYMENT)"),
    N_("cannot reach the chain at {path}: connection refused or host unreachable"),
    N_("the node at {path} gave no answer within {n} s"),
)  # fmt: skip
_KINDS = (
    N_("seconds"),
    N_("requests a second (0: no limit)"),
    N_("requests"),
    N_("bytes"),
    N_("seconds (0: ask on every request)"),
    N_("seconds (unset: no limit)"),
)
_BOUNDS = (N_("at least {n}"), N_("more than {n}"))
_PROBLEMS = (
    N_("is not valid JSON (line {n})"),
    N_("is a directory, not a file"),
    N_("is not UTF-8 text"),
    N_("is malformed: it has no {text} field"),
    N_("is malformed: a field has the wrong type or value"),
    N_("is not a registry deployment file (format {text})"),
)


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The patterns, compiled on the first error to translate (an English run compiles none)."""
    worker = _FILE_ERRORS + _ERRORS + _LEARNER_ERRORS + _SIGNER_ERRORS + _PROVIDER_ERRORS + _VERIFIER_ERRORS
    centre = _CENTRE_ERRORS + _RPL_ERRORS
    return _patterns(worker + centre + _TRUST_LIST_ERRORS + _FINAL_ERRORS + _SETTING_ERRORS + _SERVICE_ERRORS)


@cache
def _patterns(table: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern(message, _FIELDS), re.DOTALL), message) for message in table)


_DAY = r"\d{4}-\d{2}-\d{2}"
# The fields of these errors (words.py's, and those of the parts), as `pattern` reads them back.
_FIELDS = {**FIELDS, "needed": r"[^()]+", "names": r".+", "why": r".+", "how": r".+", "entries": r".+", "did": r"\S+",
           "date": _DAY, "hours": r"\d+(?:\.\d+)?", "unit": r"\S+", "option": r"--[a-z-]+",
           "setting": r"REGISTRY_[A-Z_]+", "kind": r"[^,]+", "bound": r"(?:at least|more than) \d+",
           "problem": r"is .+"}  # fmt: skip
# Fields that list parts, each said back through its own table; parts joined as the language writes a list.
_PARTS = {"needed": ("; ", _NEEDED), "why": (", ", _WHY), "entries": ("; ", _ENTRIES), "how": (None, _HOW),
          "kind": (None, _KINDS), "bound": (None, _BOUNDS), "problem": (None, _PROBLEMS)}  # fmt: skip


def error_message(message: str) -> str:
    """One of the commonest errors in the language of the run (any other as written): a reason in its
    words, a file of ours by what it is, hours as the language writes numbers."""
    return said_back(message, _compiled())


def said_back(message: str, compiled: tuple[tuple[re.Pattern[str], str], ...]) -> str:
    """`message` in the run's language when one of `compiled`'s English messages reads it back (any
    other as written): a reason in its words, a file of ours by what it is, hours as the language writes
    numbers. Shared by the error and the logbook-reason tables."""
    if current() == DEFAULT:
        return message
    for regex, said in compiled:
        if (match := regex.fullmatch(message)) is None:
            continue
        fields = match.groupdict()
        for name, (separator, parts) in _PARTS.items():
            if name in fields:
                listed = fields[name].split(separator) if separator else [fields[name]]
                said_parts = [said_back(part, _patterns(parts)) for part in listed]
                fields[name] = joined(said_parts, strong=separator == "; ")
        if "list" in fields:  # the trust list, as the trust lines name it
            fields["list"] = trust_phrase("lists", fields["list"])
        if "rest" in fields:
            fields["rest"] = reason_word(fields["rest"])
        if fields.get("other") in OTHER_FILES + OTHER_TOKENS:  # a file of ours that is not a credential, by what it is
            fields["other"] = _(fields["other"])
        if "hours" in fields and re.fullmatch(r"\d+(?:\.\d+)?", fields["hours"]):  # 2.5 as the language writes it
            fields["hours"] = number(float(fields["hours"]))
        return _(said).format(**fields)
    return message
