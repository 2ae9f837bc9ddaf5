"""A package's re-exported names, each loaded from its module on first use (PEP 562).

Four packages (formats.merkle, formats.europass, ops.trust, ops.rpl) re-export their modules' names so
that callers import from the package, while a command that uses one name loads only the module
that holds it. Each keeps a `_MODULE_OF` table (name -> module) and gets its `__getattr__` and
`__dir__` from here; names for the type checker stay in its `if TYPE_CHECKING:` block.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_exports(
    package: str, module_of: Mapping[str, str], exported: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The `__getattr__` and `__dir__` for `package`: a name in `module_of` is imported from its
    module the first time it is asked for, then kept in the package's namespace."""
    names = tuple(exported)

    def __getattr__(name: str) -> Any:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *names})

    return __getattr__, __dir__
