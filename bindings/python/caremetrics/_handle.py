"""Ownership of the library's heap objects (calendars, time zones, policies).

ctypes releases the GIL during every foreign call, so another thread can
call ``close()`` while a calendar is in the middle of ``elapsed_many``. Each
call therefore holds a use count on the object; ``close()`` marks the object
closed at once (new calls raise) and the C object is freed by whichever of
``close()`` or the last running call comes last, never under a call.
"""

from __future__ import annotations

import threading
from typing import Any, Iterable, List, Optional, Sequence

from .errors import invalid


class Handle:
    """Owns one C object and frees it exactly once, never while a call is using it."""

    __slots__ = ("_ptr", "_lock", "_users", "_closing", "__weakref__")
    _free: Any = None  # the library's free function, set by each subclass

    def _take(self, ptr: Any) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._closing = False
        self._ptr = ptr

    def _acquire(self) -> Any:
        lock = getattr(self, "_lock", None)
        if lock is None:
            raise invalid(f"{type(self).__name__} was never opened")
        with lock:
            if self._closing or not self._ptr:
                raise invalid(f"{type(self).__name__} is closed")
            self._users += 1
            return self._ptr

    def _release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._closing and self._users == 0:
                self._free_now()

    def _free_now(self) -> None:  # with the lock held
        ptr, self._ptr = self._ptr, None
        if ptr:
            type(self)._free(ptr)

    def _call(self, fn: Any, *args: Any) -> Any:
        """fn(pointer, *args) with the object held open for the duration of the call."""
        ptr = self._acquire()
        try:
            return fn(ptr, *args)
        finally:
            self._release()

    @property
    def closed(self) -> bool:
        """Whether close() has been called (the object can no longer be used)."""
        return getattr(self, "_closing", True) or not getattr(self, "_ptr", None)

    def close(self) -> None:
        """Frees the C object; calls running in other threads finish first.
        The Python object is unusable afterwards. Closing twice is harmless."""
        lock = getattr(self, "_lock", None)
        if lock is None:
            return
        with lock:
            if self._closing:
                return
            self._closing = True
            if self._users == 0:
                self._free_now()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Holding:
    """Holds several handles (None entries allowed) open for one call::

        with Holding([policy, *calendars]) as (p, *cals): ...
    """

    __slots__ = ("_handles", "_held")

    def __init__(self, handles: Sequence[Optional[Handle]]) -> None:
        self._handles = list(handles)
        self._held: List[Handle] = []

    def __enter__(self) -> List[Any]:
        ptrs = []
        try:
            for h in self._handles:
                if h is None:
                    ptrs.append(None)
                else:
                    ptrs.append(h._acquire())
                    self._held.append(h)
        except BaseException:
            self.__exit__()
            raise
        return ptrs

    def __exit__(self, *exc: Any) -> None:
        held, self._held = self._held, []
        for h in held:
            h._release()


def all_handles(items: Iterable[Any], cls: type, what: str) -> List[Optional[Handle]]:
    """The items as handles of `cls` (None kept), or InvalidArgumentError naming the bad one."""
    out: List[Optional[Handle]] = []
    for i, x in enumerate(items):
        if x is not None and not isinstance(x, cls):
            raise invalid(f"{what}[{i}] must be a {cls.__name__} or None, not {type(x).__name__}")
        out.append(x)
    return out
