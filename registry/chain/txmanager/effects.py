"""What the journal asks of the contracts, which it does not know itself: is a write already
on-chain, does a refusal of a resubmission mean "done", what is left of a status change, which
list a change or a publication touches. `registry.contracts.effects.DeploymentEffects` answers for
the registry's contracts; `NoEffects` knows nothing, so every write is simply sent.

An intent's `Builder` makes the call to send from the journaled one when the row is driven (a
status-list publication, signed with the issuer's key from the chain as it is then).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from registry.chain.client import Call

# An intent's builder: (the issuer's identity, the journaled call) -> the call to send now.
Builder = Callable[[Any, Call], Call]


class EffectCheck(Protocol):
    """What only the contracts know about a write; the journal is given one (see
    `registry.contracts.effects`) and knows no contract itself."""

    def done(self, sender: str, call: Call) -> bool | None:
        """Whether `call`'s effect is on-chain, from contract state; None when it cannot tell."""

    def refused_as_done(self, sender: str, call: Call, error: str | None) -> bool:
        """Whether a *resubmission* refused with contract error `error` means it is done."""

    def still_to_change(self, sender: str, call: Call) -> Call:
        """`call` narrowed to what is not yet on-chain (as is when all of it, or when unknown)."""

    def changes(self, call: Call) -> int | None:
        """The resource (a status list) `call` changes, for batches whose later steps depend on it."""

    def publishes(self, call: Call) -> int | None:
        """The resource a publication intent publishes (skipped when no change of its batch to it landed)."""


class NoEffects:
    """The effect check that knows nothing: every write is sent until its receipt says otherwise."""

    def done(self, sender: str, call: Call) -> bool | None:
        return None

    def refused_as_done(self, sender: str, call: Call, error: str | None) -> bool:
        return False

    def still_to_change(self, sender: str, call: Call) -> Call:
        return call

    def changes(self, call: Call) -> int | None:
        return None

    def publishes(self, call: Call) -> int | None:
        return None
