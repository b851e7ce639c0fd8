"""Calls into a profile's own code, contained: what goes wrong is the plugin's error.

A Python plugin's staffing rule (:meth:`StaffingRule.required
<cssp.rules.profile.StaffingRule.required>`, ``required_columns``) and a
measure it computes itself (:attr:`Measure.compute
<cssp.model.measures.Measure.compute>`) run once per community. The engines
call them through :class:`Contained`, which turns every way such a call can go
wrong — an exception, ``sys.exit()``, a result of the wrong type, NaN, a
negative number of workers, a call that overruns its time limit — into a
:class:`~cssp.errors.PluginError` naming the profile and the plugin
(distribution and version) that provided it.

The time limit (:data:`LIMIT`, set by the plugin host from
``CSSP_PLUGIN_TIMEOUT``) is enforced with ``SIGALRM`` when the call is made in
the main thread of a process on a POSIX system — the ``cssp`` command's case.
Elsewhere (another thread, Windows) a call is not interrupted: ``SECURITY.md``
says so.
"""

from __future__ import annotations

import math
import signal
import threading
from collections.abc import Callable
from typing import Any, Final

from cssp.errors import PluginError
from cssp.model.measures import Skip

__all__ = ["LIMIT", "Contained", "check_measured", "check_required", "set_limit"]

#: The time limit of one call, in seconds (``None``: none). Set by :func:`set_limit`.
LIMIT: list[float | None] = [30.0]


def set_limit(seconds: float | None) -> None:
    """Set the time limit of each contained call (``None`` or 0: no limit)."""
    LIMIT[0] = seconds or None


class _Overran(BaseException):
    """Raised by the alarm in a call that overran its time limit."""


def _alarm(signum: int, frame: object) -> None:
    raise _Overran


_CAN_ALARM: Final = hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")


class Contained:
    """A plugin's function, called so that its failures are a :class:`~cssp.errors.PluginError`.

    :param function: the plugin's function of one argument.
    :param source: who provides it: ``"cssp-beijing 0.1.0"`` (or a file).
    :param what: what it is, for messages: ``"profile 'beijing': the staffing rule"``.
    :param check: checks what it returned: a message when it is wrong, else ``None``.
    """

    __slots__ = ("check", "function", "source", "what")

    def __init__(
        self,
        function: Callable[[Any], Any],
        source: str,
        what: str,
        check: Callable[[Any], str | None],
    ) -> None:
        self.function = function
        self.source = source
        self.what = what
        self.check = check

    def __call__(self, argument: Any) -> Any:
        limit = LIMIT[0]
        timed = (
            limit is not None
            and _CAN_ALARM
            and threading.current_thread() is threading.main_thread()
        )
        previous: Any = None
        try:
            if timed:
                assert limit is not None
                previous = signal.signal(signal.SIGALRM, _alarm)
                signal.setitimer(signal.ITIMER_REAL, limit)
            try:
                result = self.function(argument)
            finally:
                if timed:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, previous)
        except _Overran:
            raise self._error(f"did not finish within {limit:g} s") from None
        except KeyboardInterrupt:
            raise  # the user's Ctrl-C
        except SystemExit as error:
            raise self._error(f"called sys.exit({error.code!r})") from None
        except BaseException as error:  # whatever the plugin raised is the plugin's
            raise self._error(f"raised {type(error).__name__}: {error}") from None
        problem = self.check(result)
        if problem is not None:
            raise self._error(problem)
        return result

    def _error(self, problem: str) -> PluginError:
        return PluginError(self.source, f"{self.what} {problem}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Contained):
            return NotImplemented
        return (self.function, self.source, self.what) == (
            other.function,
            other.source,
            other.what,
        )

    def __hash__(self) -> int:
        return hash((self.function, self.source, self.what))

    def __reduce__(self) -> tuple[Any, ...]:
        return (Contained, (self.function, self.source, self.what, self.check))


def _describe(value: object) -> str:
    text = repr(value)
    return f"{text[:60]}…" if len(text) > 60 else text


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_required(value: object) -> str | None:
    """What a staffing rule's ``required()`` must return: ``None`` or a number ≥ 0."""
    if value is None:
        return None
    if not _number(value):
        return f"returned {_describe(value)} ({type(value).__name__}), not a number of workers"
    number = float(value)  # type: ignore[arg-type]
    if math.isnan(number) or math.isinf(number) or number < 0:
        return f"returned {_describe(value)}, not a number of workers (finite, not negative)"
    return None


def check_measured(value: object) -> str | None:
    """What a measure's ``compute()`` must return: a ``Skip`` or two finite numbers."""
    if isinstance(value, Skip):
        return None
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and all(_number(v) and math.isfinite(float(v)) for v in value)
    ):
        if value[1] < 0:
            return f"returned a negative denominator {_describe(value)}"
        return None
    return (
        f"returned {_describe(value)} ({type(value).__name__}), "
        "not (numerator, denominator) as two finite numbers, or a Skip"
    )
