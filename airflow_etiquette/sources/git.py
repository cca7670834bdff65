"""Change sets from git: which paths a commit, a branch or the staged index touches.

Everything here asks the real ``git`` command; paths come back relative to the
repository root with ``/`` separators, renames with both sides.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from airflow_etiquette.sources.files import CHECKED_SUFFIXES

SYMLINK_MODE = "120000"
GITLINK_MODE = "160000"
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


class GitError(Exception):
    """git could not answer; the message is one line that says what to do."""


@dataclass(frozen=True)
class Change:
    """One changed path. ``old_path`` is the other side of a rename or copy."""

    status: str  # A added, M modified, D deleted, R renamed, C copied, T type changed
    path: str
    old_path: str | None = None
    symlink: bool = False  # the new side is a symbolic link
    blob: str | None = None  # the new side's object id (for a symlink: its target)
    gitlink: bool = False  # the new side is a submodule commit (another repository's content)
    mode_only: bool = False  # the content is the same; only the file's mode changed (chmod +x)

    @property
    def touched(self) -> tuple[str, ...]:
        """Every path this change alters: both sides of a rename, only the new side of a copy."""
        return (self.old_path, self.path) if self.status == "R" and self.old_path else (self.path,)


@dataclass(frozen=True)
class ChangeSet:
    changes: tuple[Change, ...]
    description: str  # "staged changes", "changes since main (merge base 1a2b3c4)"
    old: str = EMPTY_TREE  # the commit (or tree) the change starts from
    head: str | None = None  # the commit it ends in; None: the staged index
    policy: str | None = None  # the commit whose CODEOWNERS and configuration judge the change

    def diff_args(self) -> tuple[str, ...]:
        """What to give ``git diff`` to see this change."""
        return (self.old, self.head) if self.head else ("--cached", self.old)


def git(root: Path, *args: str) -> str:
    """git's standard output; a failure is a GitError with git's reason.

    The reason is git's ``fatal:``/``error:`` line: the lines after it are often
    usage hints ("Use '--' to separate paths from revisions") that say nothing.
    """
    proc = _run(root, args)
    if proc.returncode != 0:
        raise _failure(args, proc)
    return proc.stdout


def _run(root: Path, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            timeout=120,
        )
    except FileNotFoundError:
        raise GitMissing("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {' '.join(args[:2])} did not answer within 120 s") from None


def _failure(args: Sequence[str], proc: subprocess.CompletedProcess[str]) -> GitError:
    lines = proc.stderr.strip().splitlines() or ["unknown error"]
    detail = next((line for line in lines if line.startswith(("fatal:", "error:"))), lines[-1])
    return GitError(f"git {' '.join(args[:2])} failed: {detail}")


def work_tree_prefix(root: Path) -> str:
    """Where ``root`` sits in its git work tree ("dags-project/", or "" at the top, or outside git)."""
    try:
        return git(root, "rev-parse", "--show-prefix").strip()
    except GitError:
        return ""


class GitMissing(GitError):
    """No git to run."""


def require_repository(root: Path, needs: str) -> str | None:
    """The commit HEAD names (None before the first commit); a GitError that says what is
    missing when ``needs`` (an option) has no repository to read. One git process answers this
    and the work tree's top level (kept for ``toplevel``)."""
    args = ("rev-parse", "--show-toplevel", "--verify", "--quiet", "HEAD^{commit}")
    try:
        proc = _run(root, args)
    except GitMissing:
        raise GitError(f"{needs} needs git, which is not installed (or not on PATH)") from None
    lines = proc.stdout.splitlines()
    # --quiet: a HEAD with no commit yet fails with nothing said, after the top level is printed
    if proc.returncode in (0, 1) and len(lines) == 2 - proc.returncode and not proc.stderr.strip():
        _TOPLEVELS[root] = Path(lines[0])
        return lines[1] if proc.returncode == 0 else None
    error = _failure(args, proc)
    if "not a git repository" in str(error):
        raise GitError(f"{needs} needs a git repository, and {root} is not inside one") from None
    raise error  # git's own reason: a repository it will not read (another owner's, a broken one)


_TOPLEVELS: dict[Path, Path] = {}  # a directory -> the top of the work tree it is in


def toplevel(root: Path) -> Path:
    """The top of the work tree ``root`` is in."""
    if root not in _TOPLEVELS:
        _TOPLEVELS[root] = Path(git(root, "rev-parse", "--show-toplevel").strip())
    return _TOPLEVELS[root]


def staged_policy(root: Path) -> str:
    """The commit whose policy judges the staged change: the last one (the empty tree, so the
    defaults, before the first commit; never the work tree's files)."""
    return _resolve(root, "HEAD") or EMPTY_TREE


def staged_changes(root: Path, last: str | None = None) -> ChangeSet:
    """What the next commit would change (``git diff --cached``), judged by the last commit's
    policy (``last``, when the caller has resolved it already)."""
    last = last or staged_policy(root)
    changes = diff_changes(root, "--cached", last)
    unmerged = [c.path for c in changes if c.status == "U"]
    if unmerged:
        shown = ", ".join(unmerged[:3]) + (" ..." if len(unmerged) > 3 else "")
        raise GitError(f"the index holds unmerged paths (a merge conflict: resolve it, then git add): {shown}")
    return ChangeSet(changes, "staged changes", last, None, last)


def base_commit(root: Path, base: str) -> str:
    """The commit ``base`` names; an error that says what to fetch when the clone lacks it."""
    commit = _resolve(root, base)
    if commit is None:
        if _is_shallow(root) and re.fullmatch(r"[0-9a-f]{7,40}", base):  # a pull request's base commit
            raise GitError(
                f"this clone is shallow and lacks the base commit {base[:12]}; fetch the whole history "
                "(actions/checkout with fetch-depth: 0, GIT_DEPTH: 0 in GitLab CI, or git fetch --unshallow)"
            )
        raise GitError(f"unknown base {base!r}: no such branch, tag or commit (fetch it first?)")
    return commit


def branch_changes(root: Path, base: str, head: str | None = None) -> ChangeSet:
    """What merging HEAD (or the commit ``head``) into ``base`` would change there, judged by the
    policy of ``base`` itself: the branch everyone merges into says who owns what, never the
    change. That is what lands, as GitHub's merge commit has it: neither what ``base`` gained
    since the branch started (a classmate's merged work, the teacher's new CODEOWNERS line) nor
    a criss-cross history's older merge base shows as the change's. Where git cannot merge the
    two cleanly (a conflict, git older than 2.38), or the staged index holds more than HEAD, it is
    what they change since their merge base."""
    policy = base_commit(root, base)
    if head is not None and _resolve(root, head) is None:
        raise GitError(
            f"the pull request head {head[:12]} is not in this clone; fetch it as data first "
            "(git fetch origin +refs/pull/<number>/head), without checking it out"
        )
    tip = head or "HEAD"
    shown = base[:12] if re.fullmatch(r"[0-9a-f]{40}", base) else base
    merged = _merged_tree(root, policy, tip) if head is not None or _index_is_head(root) else None
    if merged is not None:
        changes = diff_changes(root, policy, merged)
        at = "" if shown == base[:12] and base.startswith(policy[:12]) else f" ({shown} at {policy[:7]})"
        described = f"what merging into {shown} would change{at}"
        return ChangeSet(changes, described, policy, merged, policy)
    try:
        merge_base = git(root, "merge-base", base, tip).strip()
    except GitError:
        if _is_shallow(root):
            raise GitError(
                f"this clone is shallow and lacks the merge base of {base} and {tip}; fetch the whole history "
                "(actions/checkout with fetch-depth: 0, GIT_DEPTH: 0 in GitLab CI, or git fetch --unshallow)"
            ) from None
        raise GitError(f"{base} and {tip} have no common history") from None
    changes = diff_changes(root, merge_base, head) if head else diff_changes(root, "--cached", merge_base)
    return ChangeSet(changes, f"changes since {shown} (merge base {merge_base[:7]})", merge_base, head, policy)


def _merged_tree(root: Path, base: str, tip: str) -> str | None:
    """The tree that merging ``tip`` into ``base`` makes (written to the object store, as a merge
    would; nothing is checked out); None where they do not merge cleanly, or git cannot say."""
    try:
        output = git(root, "merge-tree", "--write-tree", "--no-messages", base, tip)
    except GitError:  # a conflict (exit 1), unrelated histories, a shallow clone, git before 2.38
        return None
    tree = output.split("\n", 1)[0].strip()
    return tree if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", tree) else None


def _index_is_head(root: Path) -> bool:
    """Whether the staged index holds exactly HEAD's files (always so in CI)."""
    try:
        git(root, "diff", "--cached", "--quiet", "HEAD", "--")
    except GitError:
        return False
    return True


def outside_project(root: Path, change: ChangeSet) -> tuple[str, list[str]]:
    """Where ``root`` sits in its repository ("airflow/"), and the paths the change alters outside
    it (from the repository's top), which a project in a subfolder does not judge; ("", [])
    for a project at the top."""
    prefix = work_tree_prefix(root)
    if not prefix:
        return "", []
    top = toplevel(root)
    output = git(top, "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", *change.diff_args())
    return prefix, [path for path in output.split("\0") if path and not path.startswith(prefix)]


def behind_upstream(root: Path, base: str) -> tuple[str, int] | None:
    """(its upstream, how many commits it lacks) when ``base`` is a local branch behind the
    branch it tracks (a ``main`` not pulled since classmates' work was merged); else None."""
    if _resolve(root, f"refs/heads/{base}") is None:
        return None
    try:
        upstream = git(root, "rev-parse", "--abbrev-ref", f"{base}@{{upstream}}").strip()
        behind = int(git(root, "rev-list", "--count", f"{base}..{base}@{{upstream}}").strip() or 0)
    except (GitError, ValueError):
        return None
    return (upstream, behind) if upstream and behind else None


AUTO_BASES = ("origin/HEAD", "origin/main", "origin/master", "main", "master")


def default_base(root: Path) -> str:
    """The branch everyone merges into: what ``--base auto`` (the pre-push hook) compares with."""
    for ref in AUTO_BASES:
        if _resolve(root, ref) is not None:
            return ref
    raise GitError("--base auto found none of " + ", ".join(AUTO_BASES) + "; give the base branch explicitly")


def _is_shallow(root: Path) -> bool:
    try:
        return git(root, "rev-parse", "--is-shallow-repository").strip() == "true"
    except GitError:
        return False


def _resolve(root: Path, ref: str) -> str | None:
    try:
        return git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip() or None
    except GitError:
        return None


def diff_changes(root: Path, *args: str) -> tuple[Change, ...]:
    output = git(root, "diff", "--raw", "--no-abbrev", "-z", "-M", "--relative", "--no-ext-diff", *args)
    fields = output.split("\0")
    changes: list[Change] = []
    position = 0
    while position < len(fields) - 1:
        meta = fields[position]
        if not meta.startswith(":"):
            position += 1
            continue
        old_mode, new_mode, old_blob, new_blob, status = meta[1:].split(" ")[:5]
        letter = status[0]
        if letter in "RC":
            old, new = fields[position + 1], fields[position + 2]
            position += 3
        else:
            old, new = None, fields[position + 1]
            position += 2
        mode_only = letter == "M" and old_blob == new_blob and old_mode != new_mode
        changes.append(
            Change(letter, new, old, new_mode == SYMLINK_MODE, new_blob, new_mode == GITLINK_MODE, mode_only)
        )
    return tuple(changes)


def blob_contents(root: Path, blobs: Iterable[str]) -> dict[str, bytes]:
    """The bytes of git objects by id (or ``<commit>:<path>``), in one ``git cat-file --batch``;
    missing ones are left out. git failing as a whole is a GitError, never a silent empty answer."""
    wanted = list(dict.fromkeys(blobs))
    if not wanted:
        return {}
    try:
        proc = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=root,
            input="\n".join(wanted).encode() + b"\n",
            capture_output=True,
            timeout=120,
        )
    except FileNotFoundError:
        raise GitMissing("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise GitError("git cat-file took over 120 s reading the change's files") from None
    if proc.returncode != 0:
        raise GitError(f"git cat-file failed: {proc.stderr.decode('utf-8', 'replace').strip() or 'unknown error'}")
    out, position, found = proc.stdout, 0, {}
    for blob in wanted:
        end = out.find(b"\n", position)
        if end < 0:
            break
        header = out[position:end].split()
        position = end + 1
        if len(header) != 3:  # "<id> missing"
            continue
        size = int(header[2])
        if header[1] == b"blob":
            found[blob] = out[position : position + size]
        position += size + 1
    return found


def current_branch(root: Path) -> str | None:
    """The checked-out branch, also before its first commit; None when HEAD is detached."""
    try:
        branch = git(root, "symbolic-ref", "--quiet", "--short", "HEAD").strip()
    except GitError:
        return None
    return branch or None


def git_email(root: Path, staged: bool) -> str | None:
    """The e-mail of who is committing (staged) or of HEAD's author."""
    try:
        if staged:
            return git(root, "config", "user.email").strip().lower() or None
        return git(root, "log", "-1", "--format=%ae").strip().lower() or None
    except GitError:
        return None


def changed_checked_files(change_set: ChangeSet) -> dict[str, str]:
    """The new side of every changed file the checks read (Python, zip bundles, shell scripts;
    not a symlink or submodule, not deleted, not only made executable: the content is not the
    change's): path -> object id."""
    return {
        c.path: c.blob or ""
        for c in change_set.changes
        if c.status != "D" and c.path.endswith(CHECKED_SUFFIXES) and not (c.symlink or c.gitlink or c.mode_only)
    }


def index_blobs(root: Path, pathspec: str, head: str | None = None) -> dict[str, str]:
    """The regular files under ``pathspec`` (relative to ``root``) that can define DAGs (Python
    files and zip bundles), in the index or in the commit ``head``: path -> object id."""
    return {
        path: blob
        for path, (mode, blob) in tree_entries(root, head, pathspec).items()
        if mode in ("100644", "100755") and path.endswith((".py", ".zip"))
    }


def tree_entries(root: Path, head: str | None, pathspec: str) -> dict[str, tuple[str, str]]:
    """Every entry under ``pathspec`` in the commit ``head`` (None: the index): path -> (mode, object id)."""
    if head is None:
        return _entries(git(root, "ls-files", "--stage", "-z", "--", pathspec), 1)
    return dict(_commit_entries(root, head, pathspec))


@functools.lru_cache(maxsize=16)
def _commit_entries(root: Path, commit: str, pathspec: str) -> Mapping[str, tuple[str, str]]:
    """A commit's entries (a commit never changes: the run reads each listing once)."""
    return MappingProxyType(_entries(git(root, "ls-tree", "-r", "-z", commit, "--", pathspec), 2))


def _entries(output: str, id_field: int) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for record in output.split("\0"):
        meta, _, path = record.partition("\t")
        fields = meta.split()
        if len(fields) == 3 and path:
            found[path] = (fields[0], fields[id_field])
    return found


def symlink_targets(root: Path, entries: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """The target of every symlink among ``entries`` (read from git, never from the work tree)."""
    links = {path: blob for path, (mode, blob) in entries.items() if mode == SYMLINK_MODE}
    contents = blob_contents(root, links.values())
    return {path: contents[blob].decode("utf-8", "surrogateescape") for path, blob in links.items() if blob in contents}


class RevisionReader:
    """Read files as the commit ``revision`` has them: the reader for a change's policy
    (CODEOWNERS, configuration), which must come from the base and never from the change.

    One reader per repository and commit serves the whole run (``revision_reader``), and its
    first read also fetches every path ``prefetch`` named, so the policy files cost one git
    process, not one each."""

    def __init__(self, root: Path, revision: str) -> None:
        self.root = root
        self.revision = revision
        self._toplevel: Path | None = None
        self._cache: dict[Path, bytes | None] = {}
        self._wanted: dict[Path, None] = {}

    def prefetch(self, paths: Iterable[Path]) -> None:
        """Paths the run will read: fetched together with the first read."""
        self._wanted.update((Path(os.path.abspath(path)), None) for path in paths)

    def __call__(self, path: Path) -> bytes | None:
        path = Path(os.path.abspath(path))
        if path not in self._cache:
            if self._toplevel is None:
                self._toplevel = toplevel(self.root)
            batch = [path, *(p for p in self._wanted if p not in self._cache and p != path)]
            self._wanted.clear()
            specs: dict[Path, str | None] = {}
            for wanted in batch:
                try:
                    specs[wanted] = f"{self.revision}:{wanted.relative_to(self._toplevel).as_posix()}"
                except ValueError:
                    specs[wanted] = None  # outside the repository: no commit has it
            contents = blob_contents(self.root, [spec for spec in specs.values() if spec])
            for wanted, spec in specs.items():
                self._cache[wanted] = contents.get(spec) if spec else None
        return self._cache[path]


@functools.lru_cache(maxsize=16)
def revision_reader(root: Path, revision: str) -> RevisionReader:
    """The run's reader of ``revision`` (a commit id, whose files never change)."""
    return RevisionReader(root, revision)


def tree_folders(root: Path, revision: str, folder: str) -> frozenset[str]:
    """The folders directly below ``folder`` (relative to ``root``) in the commit ``revision``."""
    output = git(root, "ls-tree", "-z", "-d", "--name-only", revision, "--", folder.rstrip("/") + "/")
    return frozenset(path.rsplit("/", 1)[-1] for path in output.split("\0") if path)


def first_changed_lines(change_set: ChangeSet, root: Path, paths: Iterable[str]) -> dict[str, int]:
    """The first line each file's change touches on its new side (``git diff -U0``), so an
    annotation lands on the edit instead of line 1."""
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    output = git(
        root,
        "-c",
        "core.quotePath=false",
        "diff",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--relative",
        "-M",
        *change_set.diff_args(),
        "--",
        *wanted,
    )
    found: dict[str, int] = {}
    current: str | None = None
    for line in output.splitlines():
        if line.startswith("+++ "):
            name = line[4:].rstrip("\t")
            current = name[2:] if name.startswith("b/") else None
        elif line.startswith("@@") and current is not None and current not in found:
            match = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)", line)
            if match:
                found[current] = max(int(match.group(1)), 1)
    return found
