"""The transaction manager under every write: a durable journal, one writer per account, nonces,
idempotent resubmission, confirmation depth and reconciliation.

Every write is first recorded as *intended* in a SQLite journal, then signed; the signed bytes are
recorded (*sent*) before they are broadcast; the receipt, once deep enough, marks it *confirmed*.
A crash at any point therefore leaves a row that says what was meant and, from *sent* on, the exact
transaction. `reconcile()` (run when a process first writes for an account, and by
`registry journal reconcile`) brings every row to the chain's truth:

- the operation's effect is already on-chain (checked from the contracts' state, not from a
  receipt: the anchor exists, the status bits are set, the published list is current) ->
  confirmed, nothing resent. The journal knows no contract: what "on-chain" means for a call is
  asked of the `EffectCheck` it is given (`registry.contracts.effects.DeploymentEffects`);
- the signed transaction is known to the node -> wait for it;
- otherwise (lost in a crash, dropped by a restarted node, removed by a reorg) -> rebroadcast the
  same signed bytes if its nonce is still free, else sign it again with a fresh nonce.

What a row covers is recorded with it, before anything else happens:

- the holder files it anchors (`files`): the row is written first, then the files, then
  `files_state` becomes `written`, and only then is the transaction sent. A row whose files were
  never completely written (the process died in between) is never sent: reconciliation marks it
  failed ("abandoned") and removes the staging directory or temporary file it named;
- its batch (`batch`, `seq`): every transaction of one command (the (reason, list) changes of a
  revocation list and the status-list publications that follow) is recorded in one SQLite
  transaction before the first is sent, so a kill leaves all of it or none of it to finish;
- its owner (`owner_pid`, `owner_start`: a lease): reconciliation takes over only rows whose
  owner is this process or is gone, never a write another live process is driving;
- its deployment (`deployment`: chain id, deployment block hash, credential registry address):
  rows of another deployment (a chain reset, then a new deployment at the same addresses) are
  never sent, and are not counted for nonces.

A status-list publication's content depends on the chain when it is sent, so it is journaled as
an *intent* (`intent = 'publish-status-list'`) and signed with the issuer's key when it is driven
(by the command itself, or by a reconciliation that holds the issuer's identity).

Writes of one account run one process at a time (`registry/chain/writer.py`: a lock file beside
the journal), held from status-entry allocation to the last confirmation.


The package, one module per concern (callers import from the package):

- `rows`: a row (`Operation`, its holder `Files`, `deployment_key`) and how its call is stored;
- `journal`: the SQLite database (`Journal`: schema, upgrades, its own faults);
- `effects`: what the journal asks of the contracts (`EffectCheck`, `NoEffects`, `Builder`);
- `sending`: one row signed, recorded, broadcast and confirmed (`Sender`);
- `reconcile`: the rows left behind brought to the chain's truth (`Reconciler`, `REORG_WINDOW`);
- `manager`: the writes callers ask for (`TxManager`: `submit`, `writing`, `record`, `drive`);
- `holderfiles`: the holder files a row covers, checked, cleaned up, removed;
- `crash`: the crash points of the fault tests (`crash_point`, `REGISTRY_CRASH_AT`).
"""

from __future__ import annotations

from registry.chain.txmanager.crash import CRASH_ENV, crash_point
from registry.chain.txmanager.effects import Builder, EffectCheck, NoEffects
from registry.chain.txmanager.journal import Journal
from registry.chain.txmanager.manager import TxManager
from registry.chain.txmanager.reconcile import REORG_WINDOW
from registry.chain.txmanager.rows import Files, Operation, deployment_key

__all__ = [
    "CRASH_ENV",
    "REORG_WINDOW",
    "Builder",
    "EffectCheck",
    "Files",
    "Journal",
    "NoEffects",
    "Operation",
    "TxManager",
    "crash_point",
    "deployment_key",
]
