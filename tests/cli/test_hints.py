"""Every known node refusal gets one line saying what to do (registry/cli/hints.py).

Each refusal is caused for real on anvil (a signed transaction the node turns down, a write the
contract reverts) and the exception the client raised is rendered as `registry` renders it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from registry.chain.client import ChainClient
from registry.cli.hints import CONTRACT_REFUSALS, hint, with_advice
from registry.contracts.did import did_hash
from registry.errors import ChainUnavailable, RegistryError, TransactionReverted
from registry.ethaccount import Account
from registry.ops.registry import Registry


def _refusal(send: Callable[[], Any]) -> RegistryError:
    with pytest.raises(RegistryError) as caught:
        send()
    return caught.value


def _signed(client: ChainClient, account: Any, to: str, **changes: Any) -> str:
    nonce = int(client.request("eth_getTransactionCount", [account.address, "pending"]), 16)
    tx = {"to": to, "value": 0, "gas": 21000, "chainId": client.chain_id, "type": 2,
          "maxFeePerGas": 10**11, "maxPriorityFeePerGas": 0, "nonce": nonce} | changes  # fmt: skip
    return "0x" + bytes(account.sign_transaction(tx).raw_transaction).hex()


@pytest.fixture
def sender(registry: Registry) -> Callable[..., RegistryError]:
    """Sends a transaction changed as asked, and returns the node's refusal of it."""
    client: ChainClient = registry.client
    rich = Account.from_key("0x" + "5a" * 32)
    client.request("anvil_setBalance", [rich.address, hex(10**18)])
    first = client.request("eth_sendRawTransaction", [_signed(client, rich, rich.address)])  # so nonce 0 is taken
    # Wait until it is mined: while it is still pending, sending nonce 0 again is refused as
    # "already imported" (the same transaction) rather than "nonce too low" (CI saw this once).
    deadline = time.monotonic() + 30
    while client.request("eth_getTransactionReceipt", [first]) is None:
        assert time.monotonic() < deadline, "the node did not mine the first transaction in 30 s"
        time.sleep(0.05)

    def send(account: Any = rich, **changes: Any) -> RegistryError:
        raw = _signed(client, account, rich.address, **changes)
        return _refusal(lambda: client.request("eth_sendRawTransaction", [raw]))

    return send


@pytest.mark.parametrize(
    ("changes", "words", "advice"),
    [
        ({"nonce": 0, "value": 1}, "nonce too low", "`registry journal status`"),
        ({"maxFeePerGas": 0}, "base fee", "wait for the next block"),
        ({"gas": 10**9}, "gas", "split the roster"),
        ({"gas": 20_000}, "intrinsic gas too low", "let the node estimate"),
        ({"chainId": 1}, "chain id", "`registry config show`"),
        ({"poor": True}, "insufficient funds", "`registry node fund NAME`"),
    ],
)
def test_each_node_refusal_says_what_to_do(
    sender: Callable[..., RegistryError], changes: dict[str, Any], words: str, advice: str
) -> None:
    from registry.cli.hints import ACTING

    ACTING.set(())  # as `exits.run` starts each run: an earlier test's in-process command named its identity
    if changes.pop("poor", False):
        exc = sender(Account.from_key("0x" + "6b" * 32), value=10**18)
    else:
        exc = sender(**changes)
    assert isinstance(exc, ChainUnavailable) and words in str(exc).lower(), exc
    line = with_advice(exc)
    assert line.startswith(str(exc) + ": ") and advice in line and "\n" not in line


def test_a_contract_refusal_names_its_fix(registry: Registry) -> None:
    # A key expired on a DID nobody registered: the DID registry reverts with its custom error.
    stranger = Account.from_key("0x" + "7c" * 32)
    call = registry.dids.expire_verification_method(did_hash("did:ebsi:zNobodyRegisteredThis"), 0, int(time.time()))
    exc = _refusal(lambda: registry.client.build_transaction(stranger.address, call))
    assert isinstance(exc, TransactionReverted) and exc.error_name in {"DIDNotRegistered", "NotController"}
    assert exc.error_name is not None and hint(exc) == CONTRACT_REFUSALS[exc.error_name]
    assert with_advice(exc) == f"{exc}: {CONTRACT_REFUSALS[exc.error_name]}"


def test_a_write_only_governance_may_make_says_so_without_role_hashes(registry: Registry) -> None:
    # It read "account 0x… lacks the role 0x7184… (only governance may do this): only governance may: …".
    stranger = Account.from_key("0x" + "7d" * 32)
    call = registry.tir.call("onboardRoot", did_hash("did:ebsi:zNobodyRegisteredThis"), b"\x01" * 32, "x", 0, 2**40)
    exc = _refusal(lambda: registry.client.build_transaction(stranger.address, call))
    assert isinstance(exc, TransactionReverted) and exc.error_name == "AccessControlUnauthorizedAccount"
    line = with_advice(exc)
    assert f"account {stranger.address.lower()} is not the registry's governance" in line.lower()
    assert "pass --governance NAME" in line and line.count("0x") == 1, line


def test_an_unknown_refusal_keeps_its_words_alone() -> None:
    # Not a refusal anyone can cause on anvil: a node's own wording we do not know.
    exc = ChainUnavailable("eth_sendRawTransaction failed at http://node: some words no node we know says")
    assert hint(exc) is None and with_advice(exc) == str(exc)


def test_a_hint_names_the_identity_the_command_used() -> None:
    """Pure: the funding and nonce hints name the identity the run loaded (cli/options.py
    `load_identity`), every one when it loaded several, and keep NAME when it loaded none."""
    from registry.cli.hints import ACTING, acting

    poor = ChainUnavailable("insufficient funds for gas * price + value: have 0 want 21000")
    token = ACTING.set(())
    try:
        assert "`registry node fund NAME`" in with_advice(poor)
        acting("school")
        acting("school")
        line = with_advice(poor)
        assert "`registry node fund school`" in line and "`registry identity show school`" in line, line
        gap = with_advice(ChainUnavailable("nonce too high"))
        assert "`registry journal reconcile --issuer school`" in gap, gap
        acting("governance")
        assert with_advice(poor).endswith("(NAME: the one that sent, of school, governance)")
    finally:
        ACTING.reset(token)


def test_a_node_that_accepts_and_never_answers_says_what_to_do(tmp_path: Any) -> None:
    """A node that takes the connection and never answers (a real listening socket that reads nothing: a
    stopped or wedged node) was one bare line, `the node at URL gave no answer within 1 s`, naming nothing
    to do (seen replaying a SIGSTOPped anvil by hand; checked on the old hints.py: no advice)."""
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")} | {"REGISTRY_RPC_TIMEOUT": "1"}
        ran = subprocess.run([sys.executable, "-m", "registry", "--home", str(tmp_path), "deploy", "--rpc",
                              url], capture_output=True, text=True,
                             env=env, timeout=60)  # fmt: skip
    assert ran.returncode == 2, ran.stderr
    assert ran.stderr == (
        f"error: the node at {url} gave no answer within 1 s: is the node running and keeping up? Run the command "
        "again when it answers (`registry journal status` shows anything left pending; REGISTRY_RPC_TIMEOUT waits "
        "longer)\n"
    )
