// Hardhat's node for tests/chain/test_hardhat.py: a second EVM implementation. Nothing to compile, no plugins.
// By default Hardhat gives every automined block a timestamp one second past its parent's, so a
// burst of transactions runs the chain clock ahead of the wall clock (see the xfail in the test);
// here blocks keep the wall-clock time, as on a network with synchronised clocks.
module.exports = {
  networks: { hardhat: { allowBlocksWithSameTimestamp: true } },
};
