"""Emit Qt signals from Python without corrupting the interpreter.

PySide6 6.12.0's ``SignalInstance.emit()`` returns ``True`` without owning a reference to
it. On Python versions where ``True`` is not immortal (before 3.12) every emit from Python
then releases one reference too many, and after a few thousand signals the interpreter
aborts ("bool_dealloc: deallocating True or False"). Every emit in the app goes through
:func:`emit`, which gives that reference back when (and only when) the running PySide6
is found to take it.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal, SignalInstance


class _Probe(QObject):
    sig_probe = Signal()
    """Emitted only to test the running PySide6."""


def _emit_takes_a_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(16):
        probe.sig_probe.emit()
    return sys.getrefcount(True) <= before - 16


EMIT_TAKES_TRUE = _emit_takes_a_reference()


def emit(signal: SignalInstance, *args: object) -> None:
    """``signal.emit(*args)``, minus the reference leak of the running PySide6 if it has one."""
    result = signal.emit(*args)
    if EMIT_TAKES_TRUE and result is True:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
