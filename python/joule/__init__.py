"""joule: the energy (and carbon) of a piece of a Python program.

    import joule

    with joule.scope("epoch 1", unit="sample") as s:
        train_one_epoch()
        s.add_units(60000)
    print(s.result.energy_j, s.result.provenance, s.result.footprint())

    with joule.track(unit="sample") as t:              # a block, with phases
        for n in range(3):
            with t.phase(f"epoch {n}"):
                train_one_epoch()
                t.add_units(60000)
    print([p.energy_j for p in t.phases], t.result.to_dict())

    @joule.track("inference", unit="inference")
    def predict(x): ...

    b = joule.budget("examples/budget/cctv.toml", what_if=["region=FR"])
    print(b["co2e_g"], b["breakeven"], b["what_if_sentence"])   # a model's whole life

Under ``joule run`` (JOULE_CONTROL is set) nothing is measured twice: scopes
become the run's phases and units are counted by the run, which attributes
the machine's energy to the process tree and writes the record.
"""
from __future__ import annotations

import atexit
import functools
import json
import sys
import threading
from typing import Any, Callable, Dict, List, Optional, Sequence, TypeVar, overload

from ._joule import (  # noqa: F401  (re-exported)
    BudgetError,
    CarbonError,
    DataError,
    DomainEnergy,
    Estimate,
    Footprint,
    Result,
    Scope,
    Session,
    SessionShutDown,
    UsageError,
    __version__,
)

__all__ = [
    "BudgetError", "CarbonError", "DataError", "budget", "DomainEnergy", "Estimate", "Footprint", "Phase", "Result", "Scope",
    "Session", "SessionShutDown", "Track", "Tracked", "UsageError", "default_session", "scope",
    "shutdown", "track",
]

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


# A rank of a distributed job under ``joule run`` says goodbye at exit; one that
# dies without it is recorded as dead.
atexit.register(shutdown)


class Phase:
    """A phase of a tracked block: a scope of the same session nested in the
    tracked one, started by ``t.phase("epoch 3")``. With ``with`` it ends
    with its block; called as a plain statement it lasts until the next phase
    or the end of the tracked block, as ``joule mark`` does. Under ``joule
    run`` it is the run's current phase until it ends."""

    def __init__(self, owner: "Tracked", name: str, unit: Optional[str]) -> None:
        self._owner = owner
        self._name = name
        self._unit = unit
        self._scope: Optional[Scope] = None
        self._entered = False

    @property
    def name(self) -> str:
        return self._name

    @property
    def unit(self) -> str:
        """The unit that ``add_units`` without one counts."""
        return self._unit if self._unit is not None else self._owner.unit

    @property
    def open(self) -> bool:
        return self._scope is not None and self._scope.open

    @property
    def result(self) -> Result:
        if self._scope is None:
            raise UsageError(f"joule: phase '{self._name}' has not started")
        return self._scope.result

    def add_units(self, count: float, unit: Optional[str] = None) -> None:
        """Counts units in this phase and in the tracked block (the run gets them once)."""
        self._owner.add_units(count, unit if unit is not None else self._unit)

    def __enter__(self) -> "Phase":
        if self._entered or not self.open:
            raise UsageError(f"joule: phase '{self._name}' was already used; open a new one")
        self._entered = True
        self._owner._phase_entered(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        # A phase marked inside this block ends first, so scopes end innermost first.
        self._owner._end_marked_after(self)
        self._end(*exc)

    def _end(self, *exc: Any) -> None:
        assert self._scope is not None
        try:
            self._scope.__exit__(*(exc or (None, None, None)))
        finally:
            self._owner._phase_ended(self)

    def __repr__(self) -> str:
        return f"<joule.Phase '{self._name}' {'open' if self.open else 'not open'}>"


class Tracked:
    """What ``with joule.track(...) as t:`` gives: the block's scope, with
    ``t.add_units(n)``, ``t.phase(name)`` and, once the block has ended,
    ``t.result`` and ``t.phases`` (the phases' results, in order)."""

    def __init__(self, session: Session, name: str, unit: str) -> None:
        self._session = session
        self._requested_unit = unit
        self._scope = session.scope(name, unit)
        self._open_phases: List[Phase] = []
        self._phases: List[Result] = []
        # The phase started as a plain statement, which the next phase or the
        # end of the block ends.
        self._marked: Optional[Phase] = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._scope.name

    @property
    def unit(self) -> str:
        """The block's functional unit ("run" when none was given)."""
        return self._requested_unit or "run"

    @property
    def session(self) -> Session:
        return self._session

    @property
    def scope(self) -> Scope:
        """The underlying scope of the whole block."""
        return self._scope

    @property
    def open(self) -> bool:
        return self._scope.open

    @property
    def result(self) -> Result:
        return self._scope.result

    @property
    def phases(self) -> List[Result]:
        """Results of the phases that have ended, in the order they ended."""
        with self._lock:
            return list(self._phases)

    def add_units(self, count: float, unit: Optional[str] = None) -> None:
        """Counts units in the block and in each of its open phases. Under
        ``joule run`` they reach the run once (the phases' scopes only
        report, so they are not sent again)."""
        self._scope.add_units(count, unit)
        if self._session.reports_to_run:
            return
        with self._lock:
            open_phases = list(self._open_phases)
        for phase in open_phases:
            assert phase._scope is not None
            phase._scope.add_units(count, unit if unit is not None else self.unit)

    def phase(self, name: str, unit: Optional[str] = None) -> Phase:
        """Starts a phase of this block now: a nested scope named ``name``
        counting ``unit`` (the block's by default). ``with t.phase(...)``
        ends it with the ``with`` block; ``t.phase(...)`` alone marks the
        start of a phase that lasts until the next phase or the end of the
        tracked block. Under ``joule run`` it becomes the run's current
        phase, as nested scopes do."""
        self._end_marked()
        phase = Phase(self, name, unit)
        self._phase_started(phase)
        with self._lock:
            self._marked = phase
        return phase

    def to_dict(self) -> Dict[str, Any]:
        """``result.to_dict()`` with ``phases``: each phase's ``to_dict()``."""
        d = self.result.to_dict()
        d["phases"] = [r.to_dict() for r in self.phases]
        return d

    def _phase_started(self, phase: Phase) -> None:
        if not self._scope.open:
            raise UsageError(f"joule: cannot start phase '{phase.name}': "
                             f"'{self.name}' has ended")
        unit = phase._unit if phase._unit is not None else self._requested_unit
        phase._scope = self._session.scope(phase.name, unit)
        with self._lock:
            self._open_phases.append(phase)

    def _phase_entered(self, phase: Phase) -> None:
        with self._lock:
            if self._marked is phase:
                self._marked = None

    def _end_marked_after(self, phase: Phase) -> None:
        with self._lock:
            marked = self._marked
            inside = (marked is not None and phase in self._open_phases
                      and marked in self._open_phases
                      and self._open_phases.index(marked) > self._open_phases.index(phase))
        if inside:
            self._end_marked()

    def _end_marked(self) -> None:
        with self._lock:
            marked, self._marked = self._marked, None
        if marked is not None and marked.open:
            marked._end()

    def _phase_ended(self, phase: Phase) -> None:
        assert phase._scope is not None
        with self._lock:
            if self._marked is phase:
                self._marked = None
            self._open_phases.remove(phase)
            if not phase._scope.open:
                try:
                    self._phases.append(phase._scope.result)
                except UsageError:
                    pass

    def __repr__(self) -> str:
        return f"<joule.Tracked '{self.name}' {'open' if self.open else 'ended'}>"


class Track:
    """What ``joule.track(...)`` returns: a decorator (every call of the
    function runs in a scope) and a context manager (``with`` gives a
    ``Tracked``). One object may serve several blocks, also from several
    threads; each ``with`` opens its own scope."""

    def __init__(self, name: Optional[str], unit: str, session: Optional[Session]) -> None:
        self.name = name
        self.unit = unit
        self._session = session
        self._active = threading.local()

    def __call__(self, fn: F) -> F:
        label = self.name or fn.__qualname__
        unit, session = self.unit, self._session

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with (session or default_session()).scope(label, unit):
                return fn(*args, **kwargs)
        return wrapper  # type: ignore[return-value]

    def __enter__(self) -> Tracked:
        name = self.name
        if not name:
            # Named after the function holding the with-block, as the
            # decorator names its scope after the decorated function.
            code = sys._getframe(1).f_code
            name = getattr(code, "co_qualname", code.co_name)
            if name.startswith("<"):
                name = "track"
        tracked = Tracked(self._session or default_session(), name, self.unit)
        stack = getattr(self._active, "stack", None)
        if stack is None:
            stack = self._active.stack = []
        stack.append(tracked)
        return tracked

    def __exit__(self, *exc: Any) -> None:
        tracked = self._active.stack.pop()
        try:
            tracked._end_marked()
        finally:
            tracked._scope.__exit__(*exc)


@overload
def track(name: F) -> F: ...
@overload
def track(name: Optional[str] = None, *, unit: str = "",
          session: Optional[Session] = None) -> Track: ...


def track(name: Any = None, *, unit: str = "", session: Optional[Session] = None) -> Any:
    """Measures a block or every call of a function in a scope.

    ``with joule.track(unit="image") as t:`` (or ``joule.track("name", ...)``)
    measures the block: ``t.add_units(n)``, ``with t.phase("epoch 3"):`` (or
    ``t.phase("epoch 3")`` alone, until the next phase), then
    ``t.result`` and ``t.phases``. Unnamed, the scope is named after the
    function holding the block.

    As a decorator, ``@joule.track`` and ``@joule.track("name",
    unit="inference")`` run every call in a scope (named after the function
    unless ``name`` is given)."""
    if callable(name):
        return Track(None, unit, session)(name)
    return Track(name, unit, session)


def budget(
    scenario: str,
    what_if: Sequence[str] = (),
    *,
    ledger: Optional[str] = None,
    rank_what_ifs: bool = True,
    read_config_files: bool = True,
    guess_from_time_zone: bool = True,
) -> Dict[str, Any]:
    """The life-cycle budget of a scenario file, as `joule budget --json` writes it.

    ``what_if`` changes apply together ("region=FR", "model=mlp"); the result is
    plain dicts and lists (docs/budget.md lists the fields: parts, per_request,
    breakeven, what_ifs, inputs with their provenance...). Raises DataError
    (naming the file, line and key) or BudgetError (a bad what-if).
    """
    from ._joule import _budget_json

    return json.loads(
        _budget_json(str(scenario), list(what_if), None if ledger is None else str(ledger),
                     rank_what_ifs, read_config_files, guess_from_time_zone))
