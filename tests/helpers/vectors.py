"""Location of the shared external test vectors (../shared/vectors from the project root)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors"


def load_json(rel: str) -> Any:
    """Parse a vector file given by its path relative to VECTORS."""
    return json.loads((VECTORS / rel).read_text(encoding="utf-8"))
