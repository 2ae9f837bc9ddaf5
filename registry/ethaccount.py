"""eth-account, imported with the interpreter's recursion limit left as it was.

eth-account imports py_ecc (through eth-keys), and py_ecc's package `__init__` raises the
recursion limit to 100,000 for its recursive pairing code, which we never call. Under that limit,
C code that recurses once per nesting level (the json decoder that FastAPI parses request bodies
with, among others) exhausts the C stack and kills the process before Python can raise
RecursionError: one request of 90,000 `[` took `registry serve` down. Every runtime import of
eth-account in this package goes through this module, which puts the limit back once py_ecc has
been imported (a module's `__init__` runs only once, so it stays back).
"""

from __future__ import annotations

import sys

import registry.keyfiles  # noqa: F401  (eth-keyfile first, without py_ecc's BLS tables)

_limit = sys.getrecursionlimit()
try:
    from eth_account import Account
    from eth_account._utils.legacy_transactions import Transaction
    from eth_account.messages import encode_typed_data
    from eth_account.typed_transactions import TypedTransaction
finally:
    sys.setrecursionlimit(_limit)

__all__ = ["Account", "Transaction", "TypedTransaction", "encode_typed_data"]
