"""The language server: diagnostics and fixes in the editor (placeholder until it lands)."""

from __future__ import annotations


def serve() -> int:
    raise NotImplementedError("the language server is not written yet")
