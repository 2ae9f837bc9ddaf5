"""What to do about a refusal: one line added to the error `run` prints (registry/cli/exits.py).

A node refuses a transaction in words of its own (anvil, geth, Besu and Nethermind each word it
differently), and a contract in a custom error (registry/chain/errors.py names them): each known
refusal gets a hint naming the command or setting that fixes it. The error's own message stays
first, unchanged; the hint follows it after a colon. Unknown refusals keep their message alone.
"""

from __future__ import annotations

import re
from contextvars import ContextVar

from registry.errors import ChainUnavailable, RegistryError, TransactionRefused, TransactionReverted

FUND = (
    "the paying account has no ether for gas; on a local chain give it some with `registry node fund NAME`, "
    "elsewhere send some to its controller account (`registry identity show NAME`)"
)
RECONCILE = (
    "the node misses an earlier transaction of this account (a node restarted without its state?): "
    "run `registry journal reconcile --issuer NAME`, then the command again"
)
# The identities this run loaded (cli/options.py `load_identity`), in order: the hint about an
# account without ether names the one the command used, not "NAME". Reset by every run (exits.py).
ACTING: ContextVar[tuple[str, ...]] = ContextVar("acting_identities", default=())


def acting(name: str) -> None:
    """Note that this run uses the identity `name` (its key was loaded to sign or pay)."""
    names = ACTING.get()
    if name not in names:
        ACTING.set((*names, name))


def _named(text: str) -> str:
    """A hint whose NAME is the identity that sent, naming the one the command used (with several,
    each is named); unchanged when the command loaded none."""
    names = ACTING.get()
    if len(names) == 1:
        return text.replace("NAME", names[0])
    if names:
        return f"{text} (NAME: the one that sent, of {', '.join(names)})"
    return text


# (words any node may use, lower case; the hint). First match wins.
NODE_REFUSALS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("insufficient funds", "insufficient balance"), FUND),
    (
        ("nonce too low", "nonce has already been used", "already known", "oldnonce"),
        "another transaction of this account took that nonce (a copy of the key sending from another "
        "home?): run the command again; `registry journal status` shows what this home sent",
    ),
    (("nonce too high", "nonce gap"), RECONCILE),
    (
        ("underpriced", "fee cap", "feecap", "less than block base fee", "max fee per gas less than"),
        "the fee offered is below what the node accepts now (or below a pending transaction's it would "
        "replace): wait for the next block and run the command again; `registry journal status` shows pending ones",
    ),
    (
        ("intrinsic gas too low", "out of gas"),
        "the gas limit given is below what the transaction needs: let the node estimate it (run the command "
        "again without a gas limit of your own)",
    ),
    (
        ("gas limit", "intrinsic gas too high", "gas required exceeds", "exceeds block gas"),
        "the transaction needs more gas than the node allows: split the roster into smaller cohorts, "
        "or raise the node's block gas limit",
    ),
    (
        ("chain id", "chainid", "invalid sender"),
        "the node is not on the chain the transaction was signed for: check the node URL "
        "(`registry config show`) and the deployment file (--deployment)",
    ),
)
# A contract's custom error (registry/chain/errors.py SENTENCES): what to do about it.
CONTRACT_REFUSALS: dict[str, str] = {
    "DIDNotRegistered": "register the DID first: `registry did register NAME`",
    "DIDAlreadyRegistered": "nothing to do: `registry did resolve DID` shows it",
    "NotController": "run the command with the identity that registered this DID (--issuer NAME)",
    "AlreadyAnchored": "it is already on-chain: `registry issued --issuer NAME` lists what was issued",
    "StatusAlreadySet": "already in that state: `registry issued --issuer NAME` shows each credential's",
    "StatusNotSet": "it is not suspended: nothing to reinstate",
    "RevocationIsFinal": "a revoked credential stays revoked: issue a new one",
    "AccessControlUnauthorizedAccount": "pass --governance NAME (the identity holding the governance role) or set "
    "REGISTRY_GOVERNANCE_KEY",
    "ParentNotActive": "`registry issuer check DID` shows which accreditation in the chain is not active",
    "NotParent": "run it as the party that granted the accreditation (`registry issuer history DID`)",
    "AccreditationNotAllowed": "`registry issuer check DID` shows what each party in the chain is",
    "EmptyCohort": "the roster named nobody: give at least one row",
    "InvalidValidity": "give a validity window that starts now or later and ends after it",
    "TooManyAttributes": "revoke an accreditation this DID no longer needs first",
    "NotAccreditedForRecognition": "ask your Root TAO to accredit you for recognition decisions: "
    "`registry trust accredit --parent ROOT --child YOU --as tao --types RecognitionDecision`",
}
# The hints whose NAME is the identity that sent the transaction.
_SENDERS = (FUND, RECONCILE)
_SENDER_ERRORS = ("AlreadyAnchored", "StatusAlreadySet")
_NOT_REACHED = "connection refused or host unreachable"


def hint(exc: RegistryError) -> str | None:
    """What to do about `exc`, if it is a refusal this module knows; else None."""
    message = str(exc)
    if isinstance(exc, ChainUnavailable) and message.endswith(_NOT_REACHED) and "registry service" in message:
        return "is the service running there? Check the URL given with --service, or try again when it is up"
    if isinstance(exc, ChainUnavailable) and re.search(r"^the node at \S+ gave no answer within [\d.]+ s$", message):
        return (
            "is the node running and keeping up? Run the command again when it answers (`registry journal status` "
            "shows anything left pending; REGISTRY_RPC_TIMEOUT waits longer)"
        )
    if isinstance(exc, ChainUnavailable) and message.endswith(_NOT_REACHED):
        return (
            "is a node running there? Start a local one with `registry node start`, or name another with "
            "--rpc URL, REGISTRY_RPC_URL or `registry config set rpc-url URL`"
        )
    if isinstance(exc, TransactionReverted):
        advice = CONTRACT_REFUSALS.get(exc.error_name or "")
        return _named(advice) if exc.error_name in _SENDER_ERRORS and advice else advice
    if isinstance(exc, TransactionRefused | ChainUnavailable):
        lowered = message.lower()
        found = next((text for words, text in NODE_REFUSALS if any(w in lowered for w in words)), None)
        return _named(found) if found in _SENDERS else found
    return None


def with_advice(exc: RegistryError) -> str:
    """The error's line, and after it (when known) what to do about it."""
    advice = hint(exc)
    return f"{exc}: {advice}" if advice else str(exc)
