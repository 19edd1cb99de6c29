"""joule: the energy (and carbon) of a piece of a Python program.

    import joule

    with joule.scope("epoch 1", unit="sample") as s:
        train_one_epoch()
        s.add_units(60000)
    print(s.result.energy_j, s.result.provenance, s.result.footprint())

    @joule.track("inference", unit="inference")
    def predict(x): ...

Under ``joule run`` (JOULE_CONTROL is set) nothing is measured twice: scopes
become the run's phases and units are counted by the run, which attributes
the machine's energy to the process tree and writes the record.
"""
from __future__ import annotations

import functools
import threading
from typing import Any, Callable, Optional, TypeVar, overload

from ._joule import (  # noqa: F401  (re-exported)
    CarbonError,
    DomainEnergy,
    Estimate,
    Footprint,
    Result,
    Scope,
    Session,
    SessionShutDown,
    UsageError,
)

__all__ = [
    "CarbonError", "DomainEnergy", "Estimate", "Footprint", "Result", "Scope", "Session",
    "SessionShutDown", "UsageError", "default_session", "scope", "shutdown", "track",
]
__version__ = "0.1.0"

_default: Optional[Session] = None
_default_lock = threading.Lock()

F = TypeVar("F", bound=Callable[..., Any])


def default_session() -> Session:
    """The process-wide session (options from the environment), created on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Session()
        return _default


def scope(name: str, unit: str = "") -> Scope:
    """Opens a scope on the default session; use it with ``with``."""
    return default_session().scope(name, unit)


def shutdown() -> None:
    """Shuts the default session down (later scopes raise SessionShutDown)."""
    with _default_lock:
        if _default is not None:
            _default.shutdown()


@overload
def track(name: F) -> F: ...
@overload
def track(name: Optional[str] = None, *, unit: str = "",
          session: Optional[Session] = None) -> Callable[[F], F]: ...


def track(name: Any = None, *, unit: str = "", session: Optional[Session] = None) -> Any:
    """Decorator: every call of the function runs in a scope (named after the
    function unless ``name`` is given). ``@joule.track`` and
    ``@joule.track("name", unit="inference")`` both work."""
    def decorate(fn: F, scope_name: Optional[str]) -> F:
        label = scope_name or fn.__qualname__

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with (session or default_session()).scope(label, unit):
                return fn(*args, **kwargs)
        return wrapper  # type: ignore[return-value]

    if callable(name):
        return decorate(name, None)
    return lambda fn: decorate(fn, name)
