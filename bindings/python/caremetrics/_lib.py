"""Loading libcaremetrics and declaring its C prototypes.

The shared library is looked up, in order:

1. at the path in the ``CAREMETRICS_LIBRARY`` environment variable (only
   there, when it is set);
2. next to this package (``libcaremetrics.so``), where a wheel built by
   ``pip install .`` puts it;
3. in the ``build/lib`` directory of the source tree this package sits in;
4. where ``meson install`` put it (``_paths.py``, written at install time);
5. through the system loader (``libcaremetrics.so.0``).

Every C function is declared once, with its argument and result types, in
the tables of the modules that wrap it.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path
from typing import Any, Iterable, Sequence, Tuple

SONAME = "libcaremetrics.so.0"

Prototype = Tuple[str, Any, Sequence[Any]]


def _candidates() -> Iterable[str]:
    env = os.environ.get("CAREMETRICS_LIBRARY")
    if env:
        yield env
        return
    here = Path(__file__).resolve().parent  # <root>/bindings/python/caremetrics
    bundled = here / "libcaremetrics.so"
    if bundled.exists():
        yield str(bundled)
    if len(here.parents) >= 3:
        built = here.parents[2] / "build" / "lib" / SONAME
        if built.exists():
            yield str(built)
    try:
        from ._paths import LIBRARY  # type: ignore[import]
    except ImportError:
        pass
    else:
        if Path(LIBRARY).exists():
            yield LIBRARY
    yield SONAME


def _load() -> ctypes.CDLL:
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as exc:
            errors.append(f"{path}: {exc}")
    raise ImportError(
        "caremetrics: cannot load libcaremetrics; install it, build it with Meson, "
        "or set CAREMETRICS_LIBRARY to its path (" + "; ".join(errors) + ")"
    )


lib = _load()


def declare(prototypes: Iterable[Prototype]) -> None:
    """Sets restype and argtypes of each (name, restype, argtypes) on the library."""
    for name, restype, argtypes in prototypes:
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = list(argtypes)


c_status = ctypes.c_int

declare(
    [
        ("cm_strerror", ctypes.c_char_p, [c_status]),
        ("cm_status_name", ctypes.c_char_p, [c_status]),
        ("cm_version", ctypes.c_uint32, []),
        ("cm_version_string", ctypes.c_char_p, []),
    ]
)


def check_layouts(sizeof: Any, structs: Iterable[Tuple[str, Any]]) -> None:
    """Fails the import if a mirrored struct's size differs from the library's (sizeof query)."""
    for name, struct in structs:
        if sizeof(name.encode()) != ctypes.sizeof(struct):
            raise ImportError(f"caremetrics: {name} layout differs from the loaded library")
