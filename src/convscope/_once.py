"""A property computed on first use and kept, once per object even under threads."""

from __future__ import annotations

import threading


class computed_once:
    """A property computed on first use and kept: once per object even when several threads
    (the app's handlers) ask at the same time. ``forget(obj, name)`` drops the value."""

    def __init__(self, compute):
        self.compute, self.name = compute, compute.__name__
        self.__doc__ = compute.__doc__

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        values = obj.__dict__
        if self.name in values:
            return values[self.name]
        lock = values.setdefault("_locks", {}).setdefault(self.name, threading.Lock())
        with lock:
            if self.name not in values:
                values[self.name] = self.compute(obj)
            return values[self.name]

    def __set__(self, obj, value):
        obj.__dict__[self.name] = value


def forget(obj, name: str) -> None:
    obj.__dict__.pop(name, None)
