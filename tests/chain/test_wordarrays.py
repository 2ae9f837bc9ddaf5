"""The hand encoding of one-word arrays gives eth_abi's bytes and values, and leaves to eth_abi
whatever it does not take exactly as eth_abi would."""

from __future__ import annotations

import random

import pytest
from eth_abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_utils import to_checksum_address

from registry.chain.abi import Abi
from registry.chain.wordarrays import decode_array, encode_arrays

RNG = random.Random(12)


def _account() -> str:
    return "0x" + RNG.randbytes(20).hex()


@pytest.mark.parametrize("count", [0, 1, 7, 300])
def test_the_bulk_calls_encode_as_eth_abi_does(count: int) -> None:
    accounts = [to_checksum_address(_account()) if n % 2 else _account() for n in range(count)]
    values = [RNG.randbytes(32) for _ in range(count)]
    types = ["address[]", "bytes32[]"]
    assert encode_arrays(types, [accounts, values]) == encode(types, [accounts, values])
    words = ["address[]", "uint8[]", "uint32[]", "uint256[]"]
    args = [accounts, [RNG.randrange(256) for _ in accounts], [RNG.randrange(2**32) for _ in accounts],
            [RNG.randrange(2**256) for _ in accounts]]  # fmt: skip
    assert encode_arrays(words, args) == encode(words, args)
    assert encode_arrays(words, [tuple(a) for a in args]) == encode(words, args)


@pytest.mark.parametrize(
    ("types", "args"),
    [
        (["address[]"], [["0x" + "zz" * 20]]),  # not hex: eth_abi refuses it
        (["address[]"], [["0x" + "ab" * 21]]),
        (["address[]"], [[bytes(20)]]),  # bytes eth_abi takes: left to it
        (["bytes32[]"], [[bytes(31)]]),  # eth_abi pads it: left to it
        (["uint8[]"], [[256]]),
        (["uint8[]"], [[True]]),
        (["uint256[]"], [[-1]]),
        (["string[]"], [["a"]]),
        (["uint8"], [1]),
        (["uint8[]"], [{1}]),
        (["uint8[]", "uint8[]"], [[1]]),
    ],
)
def test_what_it_does_not_take_exactly_is_left_to_eth_abi(types: list[str], args: list[object]) -> None:
    assert encode_arrays(types, args) is None


@pytest.mark.parametrize("count", [0, 1, 5, 200])
def test_the_bulk_answers_decode_as_eth_abi_does(count: int) -> None:
    words = [RNG.randrange(2**256) for _ in range(count)]
    data = encode(["uint256[]"], [words])
    assert decode_array(["uint256[]"], data) == tuple(decode(["uint256[]"], data))
    records = [(RNG.randrange(2**48), RNG.randrange(2**48), RNG.randrange(2**32)) for _ in range(count)]
    kind = ["(uint48,uint48,uint32)[]"]
    data = encode(kind, [records])
    assert decode_array(kind, data) == tuple(decode(kind, data))


def test_an_answer_eth_abi_refuses_or_reads_another_way_is_left_to_it() -> None:
    kind = ["(uint48,uint48,uint32)[]"]
    data = bytearray(encode(kind, [[(1, 2, 3)]]))
    data[-32] = 1  # a padding byte of the uint32 set: eth_abi refuses the answer
    assert decode_array(kind, bytes(data)) is None
    with pytest.raises(DecodingError):
        decode(kind, bytes(data))
    canonical = encode(["uint256[]"], [[1, 2]])
    assert decode_array(["uint256[]"], canonical + bytes(32)) is None  # trailing bytes
    assert decode_array(["uint256[]"], canonical[:-1]) is None  # truncated
    moved = (64).to_bytes(32, "big") + bytes(32) + canonical[32:]  # a valid but non-canonical offset
    assert decode_array(["uint256[]"], moved) is None
    assert tuple(decode(["uint256[]"], moved)) == ((1, 2),)
    assert decode_array(["uint256[]", "uint256[]"], canonical) is None
    assert decode_array(["address[]"], canonical) is None


def test_the_registry_binding_answers_as_before() -> None:
    registry = Abi("CredentialRegistry")
    records = [(10, 20, 30), (2**48 - 1, 0, 2**32 - 1)]
    data = "0x" + encode(["(uint48,uint48,uint32)[]"], [records]).hex()
    assert registry.decode_output("anchorsOf", data) == ((tuple(records)),)
    pairs = ([_account(), _account()], [RNG.randbytes(32), RNG.randbytes(32)])
    assert registry.encode_call("anchorsOf", pairs)[10:] == encode(["address[]", "bytes32[]"], list(pairs)).hex()
