"""Symbolic links as the OS follows them: listed from the work tree or from a git tree, and
resolved component by component."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from airflow_etiquette.sources.git import symlink_targets, tree_entries

MAX_LINK_HOPS = 40  # what Linux allows before ELOOP


def resolve_link(path: str, links: Mapping[str, str]) -> tuple[str, ...] | str:
    """Where the symlink ``path`` (relative to the root) leads, component by component as the
    OS resolves it: ``here/../x`` with ``here -> .`` goes up from where ``here`` leads, not from
    ``here`` on paper. ``links`` maps every symlink of the tree to its target. A string says
    why there is no such place: "outside" (an absolute path, or above the root) or "loop"."""
    resolved: list[str] = path.split("/")[:-1]
    pending = links[path].split("/")
    if links[path].startswith("/"):
        return "outside"
    hops = 0
    while pending:
        part = pending.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if not resolved:
                return "outside"  # above the root
            resolved.pop()
            continue
        resolved.append(part)
        here = "/".join(resolved)
        if here in links:
            hops += 1
            if hops > MAX_LINK_HOPS:
                return "loop"
            if links[here].startswith("/"):
                return "outside"
            resolved.pop()
            pending = links[here].split("/") + pending
    return tuple(resolved)


def links_in_tree(root: Path, head: str | None, folder: str) -> tuple[dict[str, str], set[str], set[str]]:
    """Every symlink under ``folder`` in the commit ``head`` (None: the index) with its target,
    every folder there and every path; read from git, never from the work tree."""
    entries = tree_entries(root, head, folder)
    folders = {"/".join(p.split("/")[:n]) for p in entries for n in range(1, p.count("/") + 1)}
    return symlink_targets(root, entries), folders, set(entries)


def links_on_disk(root: Path, folder: Path) -> dict[str, str]:
    """Every symlink under ``folder`` on disk (relative to ``root``) with its target; hidden
    folders are not walked and no link is followed."""
    links: dict[str, str] = {}
    for current, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in (*dirnames, *filenames):
            full = os.path.join(current, name)
            if os.path.islink(full):
                links[Path(full).relative_to(root).as_posix()] = os.readlink(full)
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
    return links
