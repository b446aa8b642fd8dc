"""Accessors that register themselves from the layers above, as xarray's do.

The data model imports no layer above it: ``autarky.plan`` registers ``economy.plan`` and
``autarky.reliance`` registers ``economy.reliance`` when they are imported (``import autarky``
imports both). An extension package registers its own the same way.

Examples
--------
>>> from autarky import Economy
>>> @register_accessor("demo_total")
... class Total:
...     def __init__(self, obj):
...         self._obj = obj
...     def __call__(self):
...         return float(self._obj.final_demand.to_numpy().sum())
>>> Economy.from_coefficients([[0.1]], [5.0]).demo_total()
5.0
>>> unregister_accessor("demo_total")
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_REGISTERED: dict[str, Any] = {}


class _CachedAccessor:
    """A descriptor building the accessor once per object (on first use)."""

    def __init__(self, name: str, accessor: type) -> None:
        self._name = name
        self._accessor = accessor

    def __get__(self, obj: Any, cls: type) -> Any:
        if obj is None:
            return self._accessor
        cache = obj.__dict__.setdefault("_accessors", {})
        if self._name not in cache:
            cache[self._name] = self._accessor(obj)
        return cache[self._name]


def _targets() -> tuple[type, ...]:
    from autarky.economy.model import Economy
    from autarky.economy.scenario import Scenario

    return (Economy, Scenario)


def register_accessor(name: str) -> Callable[[type[T]], type[T]]:
    """Register ``cls(obj)`` as ``obj.<name>`` on :class:`Economy` and :class:`Scenario`.

    A Scenario passes itself, so the accessor sees the plan settings; an Economy passes itself
    and the accessor uses default settings.
    """

    def decorator(cls: type[T]) -> type[T]:
        for target in _targets():
            if hasattr(target, name) and name not in _REGISTERED:
                warnings.warn(f"accessor {name!r} overrides an attribute of {target.__name__}",
                              stacklevel=2)
            setattr(target, name, _CachedAccessor(name, cls))
        _REGISTERED[name] = cls
        return cls

    return decorator


def unregister_accessor(name: str) -> None:
    """Remove an accessor registered with :func:`register_accessor`."""
    for target in _targets():
        if isinstance(target.__dict__.get(name), _CachedAccessor):
            delattr(target, name)
    _REGISTERED.pop(name, None)


def registered() -> dict[str, Any]:
    """Accessor names and classes registered so far."""
    return dict(_REGISTERED)
