"""Accessors that register themselves from the layers above, as xarray's do.

The data model imports no layer above it: ``autarky.plan`` registers ``economy.plan``,
``autarky.reliance`` ``economy.reliance`` and ``autarky.monitor`` ``economy.monitor`` when they
are imported. The data model names these three (:data:`BUILTIN`, as module paths only), so the
first use of ``economy.plan`` imports its layer whichever module was imported first, and
importing the data model stays light. An extension package registers its own the same way.

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

import importlib
import inspect
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from autarky.checks import quoted

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


#: autarky's own accessors and the module whose import registers each.
BUILTIN: dict[str, str] = {"plan": "autarky.plan", "reliance": "autarky.reliance",
                           "monitor": "autarky.monitor", "uncertainty": "autarky.sweep"}


class _LazyAccessor:
    """Stands for a built-in accessor until first use, then imports the layer that registers
    the real one (which replaces this descriptor)."""

    def __init__(self, name: str, module: str) -> None:
        self._name = name
        self._module = module

    def __get__(self, obj: Any, cls: type) -> Any:
        importlib.import_module(self._module)
        if inspect.getattr_static(cls, self._name, None) is self:
            raise AttributeError(f"{self._module} did not register the {quoted(self._name)} accessor")
        return getattr(cls if obj is None else obj, self._name)


def declare_builtin() -> None:
    """Put a :class:`_LazyAccessor` for each of :data:`BUILTIN` on Economy and Scenario (where
    the real one is not registered yet)."""
    for target in _targets():
        for name, module in BUILTIN.items():
            if name not in target.__dict__:
                setattr(target, name, _LazyAccessor(name, module))


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
            existing = inspect.getattr_static(target, name, None)
            if existing is not None and name not in _REGISTERED and not isinstance(
                    existing, _LazyAccessor):
                warnings.warn(f"accessor {quoted(name)} overrides an attribute of {target.__name__}",
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
