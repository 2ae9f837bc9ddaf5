"""The worker's wallet (`registry wallet ...`): `store` her keys and credentials in a directory of
their own, `backup` one file under a passphrase she gives, `status` what each credential
certifies and its status now."""

from registry.ops.wallet.store import Entry, Wallet, credential_id, read_sources

__all__ = ["Entry", "Wallet", "credential_id", "read_sources"]
