"""The project's exception hierarchy.

Each class is one thing a caller can act on. "Could not reach the chain" and "the credential is
invalid" are different types and are never folded into one another: a verifier turns the first
into the verdict "could not determine", never into "invalid".
"""

from __future__ import annotations


class RegistryError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(RegistryError):
    """Settings, a deployment file or a key file are missing or inconsistent."""


class SettingsError(ConfigError):
    """A setting's value cannot be used (an option, a REGISTRY_* environment variable, the home's
    config.json): how the command was run is wrong, so exit 64 (EX_USAGE), as for a bad option."""


class InputError(RegistryError):
    """A file or value given by the user is not what it should be (not a credential, bad DID...)."""


class StateError(RegistryError):
    """Local state (the journal, the status allocation, holder files) cannot be read or written:
    a full disk, a read-only or damaged file. The command exits 74 and names the file."""


class WriterBusy(RegistryError):
    """Another process kept the issuer account's writer lock longer than the wait allowed."""


class KeyStoreError(RegistryError):
    """A key could not be loaded or saved (wrong passphrase, unreadable file)."""


class ChainUnavailable(RegistryError):
    """The JSON-RPC endpoint could not be reached or did not answer in time."""


class DeploymentMismatch(RegistryError):
    """The deployment file does not describe contracts on this chain (chain id, missing code)."""


class TransactionReverted(RegistryError):
    """A transaction or call was refused by a contract; the message names the custom error."""

    def __init__(self, message: str, error_name: str | None = None, args: tuple[object, ...] = ()):
        super().__init__(message)
        self.error_name = error_name
        self.error_args = args


class TransactionRefused(RegistryError):
    """The node refused a signed transaction outright (too little ether for its gas, a fee below
    the base fee): it was never broadcast, will not be retried, and the sender has to act."""


class NodeError(RegistryError):
    """The local anvil node could not be started, stopped or found."""
