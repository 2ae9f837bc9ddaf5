"""`make contracts`: compile contracts/ with the pinned solc and write the package's artifacts."""

from __future__ import annotations

import sys

from registry.chain.compiler import compile_contracts, solc_binary, write_artifacts
from registry.errors import RegistryError


def main() -> int:
    try:
        print(f"compiling with {solc_binary()}")
        for path in write_artifacts(compile_contracts()):
            print(f"wrote {path}")
    except RegistryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
