"""The hand-written ABI codec gives eth_abi's bytes and values for every type our contracts use, and
whatever it does not take exactly (odd values, non-canonical answers) is eth_abi's to encode,
decode or refuse as it always did."""

from __future__ import annotations

import random
from typing import Any

import eth_abi
import pytest
from eth_abi.exceptions import DecodingError

from registry.chain import codec
from registry.chain.abi import Abi
from registry.chain.artifacts import ALL_CONTRACTS, abi
from registry.chain.errors import _abi_type


def _signatures() -> set[tuple[str, ...]]:
    """Every list of types our ABIs encode or decode: inputs, outputs, events' fields, errors."""
    found: set[tuple[str, ...]] = set()
    for contract in ALL_CONTRACTS:
        for item in abi(contract):
            for side in ("inputs", "outputs"):
                if side in item:
                    found.add(tuple(_abi_type(i) for i in item[side]))
                    found.update((_abi_type(i),) for i in item[side])
    return found


SIGNATURES = [*sorted(_signatures()), ("int64", "bytes", "bool[2]", "(string,uint8[])[]")]


def _value(kind: str, rng: random.Random) -> Any:
    if kind.endswith("]"):
        inner, size = kind[: kind.rindex("[")], kind[kind.rindex("[") + 1 : -1]
        return [_value(inner, rng) for _ in range(int(size) if size else rng.randrange(4))]
    if kind.startswith("("):
        return tuple(_value(part, rng) for part in codec._split_top(kind[1:-1]))
    if kind.startswith("uint"):
        return rng.choice([0, 1, (1 << int(kind[4:] or 256)) - 1, rng.getrandbits(int(kind[4:] or 256))])
    if kind.startswith("int"):
        bits = int(kind[3:] or 256)
        return rng.choice([0, -1, -(1 << (bits - 1)), (1 << (bits - 1)) - 1])
    if kind == "address":
        return "0x" + rng.randbytes(20).hex()
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "string":
        return rng.choice(["", "did:ebsi:z22XdB14kHwANQ5oqpsit5cg", "é" * rng.randrange(40)])
    if kind == "bytes":
        return rng.randbytes(rng.randrange(70))
    return rng.randbytes(int(kind[5:]))  # bytesN


def _outcome(call: Any) -> Any:
    try:
        return call()
    except (DecodingError, codec.AbiDecodingError) as exc:
        return ("refused", str(exc))
    except Exception as exc:  # eth_abi raises OverflowError and others too: the same, either way
        return (type(exc).__name__, str(exc))


@pytest.mark.parametrize("types", SIGNATURES, ids=",".join)
def test_every_abi_type_encodes_and_decodes_as_eth_abi_does(types: tuple[str, ...]) -> None:
    rng = random.Random(",".join(types))
    for _ in range(6):
        values = [_value(t, rng) for t in types]
        data = eth_abi.encode(list(types), values)
        assert codec.encode(types, values) == data
        assert codec.decode(types, data) == eth_abi.decode(list(types), data)
        # A byte flipped, cut or added: the same values or the same refusal as eth_abi's.
        for mangled in (data[:-1], data + bytes(1), data + bytes(32), *_flipped(data, rng)):
            assert _outcome(lambda m=mangled: codec.decode(types, m)) == _outcome(
                lambda m=mangled: tuple(eth_abi.decode(list(types), m))
            )


def _flipped(data: bytes, rng: random.Random) -> list[bytes]:
    out = []
    for _ in range(3 if data else 0):
        spot = rng.randrange(len(data))
        out.append(data[:spot] + bytes([data[spot] ^ (1 << rng.randrange(8))]) + data[spot + 1 :])
    return out


@pytest.mark.parametrize(
    ("types", "args"),
    [
        (["address"], ["5fbdb2315678afecb367f032d93f642f64180aa3"]),  # no 0x: eth_abi takes it
        (["address"], [bytearray(20)]),
        (["bytes32"], [b"short"]),  # eth_abi right-pads it
        (["uint8"], [True]),  # eth_abi refuses a boolean
        (["uint8"], [256]),
        (["string"], ["\ud800"]),
        (["address"], ["0x" + "zz" * 20]),
    ],
)
def test_what_it_does_not_take_exactly_is_left_to_eth_abi(types: list[str], args: list[Any]) -> None:
    assert _outcome(lambda: codec.encode(types, args)) == _outcome(lambda: eth_abi.encode(types, args))


def test_an_enum_argument_encodes_as_its_number() -> None:
    from registry.contracts.statusword import Purpose

    assert codec.encode(["uint8"], [Purpose(1)]) == eth_abi.encode(["uint8"], [1])


def test_a_huge_array_length_is_refused_without_building_it() -> None:
    data = (32).to_bytes(32, "big") + (2**200).to_bytes(32, "big")
    with pytest.raises(codec.AbiDecodingError):
        codec.decode(["uint256[]"], data)


def test_selectors_and_topics_are_the_keccak_of_the_signature() -> None:
    from eth_utils import keccak

    tir = Abi("TrustedIssuersRegistry")
    assert tir.selector("trustChainOf") == keccak(text="trustChainOf(bytes32,uint256)")[:4]
