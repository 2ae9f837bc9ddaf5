"""Benchmarks: gas side by side with the peers on one anvil, throughput, cold start, memory.

Entry point: `python scripts/bench/run.py [--smoke] [--out-dir DIR]` (see run.py).
"""
