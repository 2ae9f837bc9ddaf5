"""eth-keyfile (Web3 Secret Storage) imported without building py_ecc's BLS pairing tables.

eth-keyfile reads and writes two kinds of keystore: version 3 (secp256k1 keys, scrypt and
AES-128-CTR), the only kind we write or read, and version 4 (BLS12-381 keys, for Ethereum
validators). For the second it imports `py_ecc.bls` and `py_ecc.bls12_381` at module level, and
importing them computes pairing constants in pure Python: about 0.4 s of CPU on every command
that opens or signs with a key, half the cost of importing eth-account.

While eth-keyfile is imported, those two modules are stand-ins: the BLS scheme is a proxy that
imports the real one the first time anything is asked of it, and the curve order is the real
constant (tests/formats/test_keyfiles.py compares it with py_ecc's and checks that a version 4
operation still reaches the real scheme). Once eth-keyfile is loaded the stand-ins leave
`sys.modules`, so any later `import py_ecc.bls` gets the real module. eth-account imports
eth-keyfile too; `registry.ethaccount` imports this module first so the saving holds there.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types
from typing import Any

# The order of BLS12-381's prime subgroup (py_ecc.bls12_381.curve_order).
BLS12_381_CURVE_ORDER = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
_STAND_INS = ("py_ecc.bls", "py_ecc.bls12_381")
_lock = threading.Lock()


class _DeferredBls:
    """`py_ecc.bls.G2ProofOfPossession`, imported on first use."""

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module("py_ecc.bls").G2ProofOfPossession, name)


def _import_eth_keyfile() -> types.ModuleType:
    with _lock:
        limit = sys.getrecursionlimit()  # py_ecc's __init__ raises it: see registry.ethaccount
        stand_in = "eth_keyfile" not in sys.modules and not any(name in sys.modules for name in _STAND_INS)
        if stand_in:
            bls = types.ModuleType("py_ecc.bls")
            bls.G2ProofOfPossession = _DeferredBls()  # type: ignore[attr-defined]
            order = types.ModuleType("py_ecc.bls12_381")
            order.curve_order = BLS12_381_CURVE_ORDER  # type: ignore[attr-defined]
            sys.modules.update({"py_ecc.bls": bls, "py_ecc.bls12_381": order})
        try:
            return importlib.import_module("eth_keyfile")
        finally:
            sys.setrecursionlimit(limit)
            if stand_in:
                for name in _STAND_INS:
                    sys.modules.pop(name, None)


_eth_keyfile = _import_eth_keyfile()
create_keyfile_json = _eth_keyfile.create_keyfile_json
decode_keyfile_json = _eth_keyfile.decode_keyfile_json

__all__ = ["BLS12_381_CURVE_ORDER", "create_keyfile_json", "decode_keyfile_json"]
