// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// The floor: the cheapest possible on-chain record of a hash. One fresh storage slot written by
/// a contract call, no access control, no event, no duplicate check. Nothing that records a hash
/// per credential can cost less; anything above it is the price of features.
contract Floor {
    mapping(bytes32 => uint256) public recorded;

    function record(bytes32 value) external {
        recorded[value] = block.timestamp;
    }
}
