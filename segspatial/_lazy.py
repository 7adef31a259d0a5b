"""Values built on first use: a frame the caller may never ask for costs nothing.

The engine works on numpy arrays; the pandas frames it returns besides the results
(the validated counts) are only built when someone reads them. A field of a (frozen)
dataclass declared with :class:`LazyField` accepts either its value or a
:class:`Deferred` recipe, and turns the recipe into the value on first access.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Deferred:
    """``func(*args)``, evaluated on first use of the field that holds it.

    A plain object (no closure), so results holding one can be pickled and copied;
    the arguments must be the engine's own arrays, never views of the caller's data
    (the caller may change its data after the call).
    """

    __slots__ = ("args", "func")

    def __init__(self, func: Callable[..., Any], *args: Any) -> None:
        self.func = func
        self.args = args

    def __call__(self) -> Any:
        return self.func(*self.args)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Deferred, (self.func, *self.args))


class LazyField:
    """A dataclass field holding a value or a :class:`Deferred` that builds it.

    Used as the field's default (a descriptor-typed field): the dataclass ``__init__``
    stores what it is given, and reading the attribute evaluates a :class:`Deferred`
    once and keeps the value. The field has no default (class access raises
    ``AttributeError``, which tells :mod:`dataclasses` so).
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.slot = f"_lazy_{name}"

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            raise AttributeError(self.name)
        value = obj.__dict__[self.slot]
        if isinstance(value, Deferred):
            value = value()
            obj.__dict__[self.slot] = value
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.slot] = value


def is_built(obj: Any, name: str) -> bool:
    """Whether the lazy field ``name`` of ``obj`` holds its value already."""
    return not isinstance(obj.__dict__.get(f"_lazy_{name}"), Deferred)
