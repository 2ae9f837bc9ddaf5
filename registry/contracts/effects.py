"""The effect check the journal is given for a deployment's contracts.

The journal (`registry.chain.txmanager`) keeps the generic machinery (record, sign, send, await,
reconcile) and asks this object what only the contracts know: is a write already on-chain, does a
refusal mean "already done", what is still left of a status change, which status list a change or a
publication touches (a batch's publication is skipped when none of its changes landed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from registry.chain.client import Call
from registry.contracts.credentials import CredentialEffects, CredentialRegistry
from registry.contracts.deployed import BINDINGS
from registry.contracts.recognition import RecognitionEffects, RecognitionRegistry

if TYPE_CHECKING:
    from registry.chain.client import ChainClient

_ALREADY_DONE = {name: kind.ALREADY_DONE for name, kind in BINDINGS.items()}


class DeploymentEffects:
    """`registry.chain.txmanager.EffectCheck` for the registry's contracts."""

    def __init__(self, client: ChainClient) -> None:
        self.credentials = CredentialEffects(client)
        self.recognition = RecognitionEffects(client)

    def done(self, sender: str, call: Call) -> bool | None:
        if call.contract == RecognitionRegistry.NAME:
            return self.recognition.done(call)
        return self.credentials.done(sender, call) if call.contract == CredentialRegistry.NAME else None

    def refused_as_done(self, sender: str, call: Call, error: str | None) -> bool:
        if call.contract == CredentialRegistry.NAME:
            return self.credentials.refused_as_done(sender, call, error)
        return error in _ALREADY_DONE.get(call.contract, frozenset())

    def still_to_change(self, sender: str, call: Call) -> Call:
        return self.credentials.still_to_change(sender, call) if call.contract == CredentialRegistry.NAME else call

    def changes(self, call: Call) -> int | None:
        return CredentialRegistry.list_changed(call) if call.contract == CredentialRegistry.NAME else None

    def publishes(self, call: Call) -> int | None:
        return CredentialRegistry.list_published(call) if call.contract == CredentialRegistry.NAME else None
