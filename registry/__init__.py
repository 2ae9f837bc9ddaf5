"""Blockchain-anchored skills credential registry, EBSI-style."""

import os

__version__ = "0.1.0"

# eth-hash (under web3, eth-abi and eth-utils) picks its Keccak backend on first use, pycryptodome
# first. We depend on safe-pysha3, whose C Keccak is ten times faster per call and skips
# pycryptodome's cffi start-up; both compute the same Keccak-256. An explicit choice wins.
os.environ.setdefault("ETH_HASH_BACKEND", "pysha3")
