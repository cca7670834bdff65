"""ETQ202 escaping-symlink: a change rule (the links a change adds) that also looks at the tree."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from airflow_etiquette.config import Config
from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.rules.base import ChangeExample, ChangeRule, ChangeView, Link, TreeView
from airflow_etiquette.sources.files import in_dags_folder, owner_of
from airflow_etiquette.sources.links import links_in_tree, links_on_disk, resolve_link


class EscapingSymlink(ChangeRule):
    code = "ETQ202"
    name = "escaping-symlink"
    severity = Severity.ERROR
    summary = (
        "A symlink in the dags folder that leads outside its owner's directory, to a folder, to a file no "
        "check reads, or nowhere."
    )
    what = (
        "Reports a symbolic link in `dags/<owner>/` that the scheduler would follow somewhere the checks\n"
        "do not: a target outside `dags/<owner>/` (`helpers.py -> ../maria/helpers.py`, an absolute path,\n"
        "or a way out through another link: `here -> .` then `mine.py -> here/../sofia/x.py`, resolved\n"
        "component by component as the OS does), a link to a folder (`loop -> .` makes the scheduler's\n"
        "walk of the whole dags folder fail), and a `.py` link to a file that is not Python\n"
        "(`dag.py -> notes.txt`: loaded by the scheduler, read by no check). In a change, a link to\n"
        'nothing in the tree it ends in too (on disk, that is ETQ002\'s "broken symlink"). A link to\n'
        "a `.py` file in the same directory is fine: that file is checked. `check` looks at every\n"
        "symlink in the dags folder; with `--base`/`--staged` at the changed ones, resolved in the\n"
        "tree the change ends in."
    )
    why = (
        "The ownership rules look at paths. A symlink lets a change inside your own directory alter\n"
        "what runs from someone else's file (or lets their edits change your DAG), hides code from the\n"
        "checks, or traps the dag-processor in a loop, and the dag-processor follows it. Copy what you\n"
        "need instead."
    )
    INVALID = [
        ChangeExample(
            base={
                ".github/CODEOWNERS": "/dags/lasse/  @lasse\n",
                "dags/lasse/taxi.py": "X = 1\n",
                "dags/maria/helpers.py": "X = 1\n",
            },
            change={
                "dags/lasse/helpers.py": Link("../maria/helpers.py"),
                "dags/lasse/here": Link("."),
                "dags/lasse/mine.py": Link("here/../maria/helpers.py"),
            },
            author="lasse",
            expect=(
                (
                    "dags/lasse/helpers.py",
                    1,
                    "dags/lasse/helpers.py is a symlink to ../maria/helpers.py, outside "
                    "dags/lasse/; copy what you need into dags/lasse/ instead",
                ),
                ("dags/lasse/here", 1, "dags/lasse/here is a symlink to the folder ."),
                (
                    "dags/lasse/mine.py",
                    1,
                    "dags/lasse/mine.py is a symlink to here/../maria/helpers.py, outside dags/lasse/",
                ),
            ),
        ),
        ChangeExample(
            base={".github/CODEOWNERS": "/dags/lasse/  @lasse\n", "dags/lasse/taxi.py": "X = 1\n"},
            change={"dags/lasse/current.py": Link("taxi_v2.py")},
            author="lasse",
            expect=(
                (
                    "dags/lasse/current.py",
                    1,
                    "dags/lasse/current.py is a symlink to taxi_v2.py, which does not exist: the scheduler "
                    "cannot load it; remove it",
                ),
            ),
        ),
    ]
    VALID = [
        ChangeExample(
            base={".github/CODEOWNERS": "/dags/lasse/  @lasse\n", "dags/lasse/taxi_pipeline.py": "X = 1\n"},
            change={"dags/lasse/current.py": Link("taxi_pipeline.py")},
            author="lasse",
        ),
        ChangeExample(  # the teacher's top-level link to a shared module outside the dags folder
            base={".github/CODEOWNERS": "* @teacher\n", "include/helpers.py": "X = 1\n"},
            change={"dags/helpers.py": Link("../include/helpers.py")},
            author="teacher",
            config={"admins": ["teacher"]},
        ),
    ]

    def check(self, change: ChangeView) -> Iterator[Finding]:
        """The symlinks a change adds, resolved in the tree the change ends in (read from git,
        never from the work tree: in a pull_request_target run that is the base)."""
        config = change.config
        added = [
            c.path for c in change.change.changes if c.symlink and c.status != "D" and in_dags_folder(c.path, config)
        ]
        if not added:
            return
        links, folders, paths = links_in_tree(config.root, change.change.head, config.dags_folder)
        # on disk a broken link is ETQ002 (cannot read the file); in a change nothing reads it
        yield from self._findings(added, links, folders.__contains__, config, lambda p: p in paths or p in folders)

    def check_tree(self, tree: TreeView) -> Iterator[Finding]:
        """Every symlink under the parts of the dags folder asked for, on disk."""
        config = tree.config
        roots = _roots(config, tree.paths)
        if not roots:
            return
        links = links_on_disk(config.root, config.dags_path)
        prefixes = [Path(os.path.abspath(r)).relative_to(config.root).as_posix() for r in roots]
        # the links under a path asked for, and the linked folders a path asked for is reached through
        # (`check dags/ahmed/x.py` with `dags/ahmed -> /elsewhere`: nothing of it is read, and ETQ202 says why)
        asked = [
            p
            for p in links
            if any(p == prefix or p.startswith(prefix + "/") or prefix.startswith(p + "/") for prefix in prefixes)
        ]

        def is_dir(path: str) -> bool:
            full = config.root / path
            return os.path.isdir(full) and not os.path.islink(full)

        yield from self._findings(asked, links, is_dir, config)

    def _findings(
        self,
        paths: Iterable[str],
        links: Mapping[str, str],
        is_dir: Callable[[str], bool],
        config: Config,
        exists: Callable[[str], bool] | None = None,
    ) -> Iterator[Finding]:
        for path in sorted(set(paths)):
            message = _problem(path, links, is_dir, config, exists) if path in links else None
            if message:
                yield self.finding(path, 1, 1, message)


def _problem(
    path: str,
    links: Mapping[str, str],
    is_dir: Callable[[str], bool],
    config: Config,
    exists: Callable[[str], bool] | None = None,
) -> str | None:
    """ETQ202's message for the symlink at ``path`` in the dags folder, or None when it is harmless:
    a link to a regular file inside its owner's folder, which is checked where it is. ``exists``
    (in a change): whether a path of the dags folder is in the tree the change ends in."""
    owner = owner_of(path, config)
    if owner in config.admins:
        return None
    target = links[path]
    own = f"{config.dags_folder}/{owner}/" if owner else f"{config.dags_folder}/"
    resolved = resolve_link(path, links)
    if resolved == "loop":
        return f"{path} is a symlink to {target}, which leads back to itself (a loop); remove it"
    if isinstance(resolved, str):
        return f"{path} is a symlink to {target}, outside {own}; copy what you need into {own} instead"
    where = "/".join(resolved)
    if owner is not None and not (where + "/").startswith(own):
        return f"{path} is a symlink to {target}, outside {own}; copy what you need into {own} instead"
    inside = (where + "/").startswith(config.dags_folder + "/")  # what the tree listing covers
    if exists is not None and inside and not exists(where):
        return f"{path} is a symlink to {target}, which does not exist: the scheduler cannot load it; remove it"
    if is_dir(where):
        return (
            f"{path} is a symlink to the folder {target}; the scheduler walks into it (a link to . or a parent "
            "makes a loop that breaks the dags folder for everyone) and no check follows it; remove it"
        )
    kind = _kind(path)
    if owner is not None and kind is not None and _kind(where) != kind:
        return (
            f"{path} is a symlink to {target}, which the scheduler loads as {kind} but no check reads; "
            "make it a regular file"
        )
    return None


def _kind(path: str) -> str | None:
    """What the scheduler takes a file for by its name: Python, a shell script, a zip bundle."""
    for suffixes, kind in (((".py",), "Python"), ((".sh", ".bash"), "a shell script"), ((".zip",), "a zip bundle")):
        if path.endswith(suffixes):
            return kind
    return None


def _roots(config: Config, paths: Sequence[Path]) -> list[Path]:
    """Where to look for escaping symlinks (ETQ202): the dags folder, or the parts of it given."""
    dags = config.dags_path.resolve()
    if not paths:
        return [dags]
    roots = []
    for given in paths:
        absolute = Path(os.path.abspath(given))  # the link itself, not what it points to
        if dags.is_relative_to(absolute.resolve()):
            roots.append(dags)
        elif os.path.islink(absolute) and absolute.parent.resolve().is_relative_to(dags):
            roots.append(absolute.parent.resolve() / absolute.name)
        elif absolute.resolve().is_relative_to(dags) and os.path.isdir(absolute):
            roots.append(absolute.resolve())
        elif absolute.is_relative_to(Path(os.path.abspath(config.dags_path))):
            roots.append(absolute)  # a path in the dags folder as named: the linked folders on its way count
    return roots
