"""The language server: diagnostics and fixes in the editor (``airflow-etiquette server``).

Importing this package imports pygls, the ``lsp`` extra: the command says how to install it
when it is missing.
"""

from __future__ import annotations

from airflow_etiquette.server.language_server import serve

__all__ = ["serve"]
