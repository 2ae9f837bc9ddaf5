"""registry.keyfiles: eth-keyfile imported with stand-ins for py_ecc's BLS modules (see its docstring).

Each check runs in a fresh interpreter, since what is measured is what an import leaves behind.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_keys_are_read_and_signed_without_building_the_bls_tables() -> None:
    out = run(
        "import sys\n"
        "limit = sys.getrecursionlimit()\n"
        "from registry.keyfiles import create_keyfile_json, decode_keyfile_json\n"
        "from registry.ethaccount import Account\n"
        "key = bytes(range(1, 33))\n"
        "kept = create_keyfile_json(key, b'pass', kdf='scrypt', iterations=2**10)\n"
        "assert decode_keyfile_json(kept, b'pass') == key\n"
        "Account.from_key(key).sign_message\n"
        "print(sorted(m for m in sys.modules if m.startswith('py_ecc.bls')), sys.getrecursionlimit() == limit)"
    )
    assert out == "[] True"


def test_the_stand_ins_are_the_real_curve_order_and_a_version_4_keystore_reaches_the_real_scheme() -> None:
    out = run(
        "import sys\n"
        "from registry import keyfiles\n"
        "import eth_keyfile.keyfile as kf\n"
        "from py_ecc.bls12_381 import curve_order\n"
        "assert hasattr(sys.modules['py_ecc.bls12_381'], 'G1')  # the real module, once asked for\n"
        "assert keyfiles.BLS12_381_CURVE_ORDER == curve_order and kf.MAX_V4_PRIVATE_KEY == curve_order - 1\n"
        "from py_ecc.bls import G2ProofOfPossession\n"
        "print(kf.bls.KeyGen(bytes(range(32))) == G2ProofOfPossession.KeyGen(bytes(range(32))))"
    )
    assert out == "True"
