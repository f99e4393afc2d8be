"""Shared by the peer tables: keep the peers whose libraries are installed."""

from __future__ import annotations

import importlib


def available(candidates: list) -> dict:
    """``{name: function}`` for the ``(name, function, modules, attribute)`` candidates whose
    modules all import (and, when ``attribute`` is given, whose last module has it)."""
    peers = {}
    for name, function, modules, attribute in candidates:
        try:
            loaded = [importlib.import_module(m) for m in modules]
        except ImportError:
            continue
        if attribute is None or hasattr(loaded[-1], attribute):
            peers[name] = function
    return peers
