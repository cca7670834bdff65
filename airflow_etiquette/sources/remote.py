"""Where a repository lives on the web, from its ``origin`` remote: its name (``org/class-airflow``)
and, on GitHub or GitLab, links to a file at a line, a commit and a pull (merge) request.

Only the host, an optional web port and the repository path are taken from the remote URL: a
user name or token in it (``https://user:token@host/...``) never reaches a link or a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from airflow_etiquette.sources.git import GitError, git

# One path segment of a repository name as the platforms allow it (GitHub and GitLab both keep
# to letters, digits, "-", "_" and "."); anything else gives a name but no links.
_SEGMENT = re.compile(r"[A-Za-z0-9_.-]+")
# [user@]host:path, git's "scp-like" syntax: a colon before any slash.
_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?!//)(?P<path>.+)$")
_WEB_SCHEMES = ("https", "http")
_REMOTE_SCHEMES = (*_WEB_SCHEMES, "ssh", "git", "git+ssh", "ssh+git")
# The hosts GitHub and GitLab offer for ssh over port 443 are not where their web pages are.
_SSH_ALIASES = {"ssh.github.com": "github.com", "altssh.gitlab.com": "gitlab.com"}


@dataclass(frozen=True)
class Remote:
    """A repository's name on its host and, where the host is GitHub or GitLab, its web address."""

    name: str  # "org/class-airflow"; "group/sub/project" on GitLab
    host: str
    kind: str | None = None  # "github", "gitlab", or None: no links
    web: str | None = None  # "https://github.com/org/class-airflow", never with credentials

    def blob(self, commit: str, path: str, line: int | None = None) -> str | None:
        """The file ``path`` (relative to the repository's top) at ``commit``, at ``line``."""
        if self.web is None:
            return None
        anchor = f"#L{line}" if line else ""
        blob = "blob" if self.kind == "github" else "-/blob"
        return f"{self.web}/{blob}/{commit}/{quote(path, safe='/', errors='surrogateescape')}{anchor}"

    def commit(self, sha: str) -> str | None:
        if self.web is None:
            return None
        return f"{self.web}/{'commit' if self.kind == 'github' else '-/commit'}/{sha}"

    def pull_request(self, reference: str) -> str | None:
        """``#12`` (GitHub's pull request) or ``!12`` (GitLab's merge request), as each platform
        writes them; a reference of the other platform is not linked (on GitLab ``#12`` is an issue)."""
        if self.web is None or len(reference) < 2 or not reference[1:].isdigit():
            return None
        if self.kind == "github" and reference[0] == "#":
            return f"{self.web}/pull/{reference[1:]}"
        if self.kind == "gitlab" and reference[0] == "!":
            return f"{self.web}/-/merge_requests/{reference[1:]}"
        return None


def parse_remote(url: str) -> Remote | None:
    """The repository a remote URL names (https, http, ssh, git, or ``git@host:org/name.git``);
    None for a local path or a URL that names no repository."""
    url = url.strip()
    port: int | None = None
    web_scheme = "https"
    if "://" in url:
        try:
            parts = urlsplit(url)
            host, scheme, port = (parts.hostname or ""), parts.scheme.lower(), parts.port
        except ValueError:  # a port that is no number
            return None
        if scheme not in _REMOTE_SCHEMES:
            return None  # file://, a local path in disguise
        path = parts.path
        if scheme in _WEB_SCHEMES:
            web_scheme = scheme
        else:
            port = None  # an ssh port is not the web server's
    else:
        match = _SCP_LIKE.match(url)
        if match is None or len(match.group("host")) == 1:  # C:/repo is a Windows path, not a host
            return None
        host, path = match.group("host").lower(), match.group("path")
    segments = [s for s in path.strip("/").split("/") if s]
    if segments and segments[-1].endswith(".git"):
        segments[-1] = segments[-1][: -len(".git")]
    if not host or len(segments) < 2 or not all(_SEGMENT.fullmatch(s) and s not in (".", "..") for s in segments):
        return None
    host = _SSH_ALIASES.get(host, host)
    name = "/".join(segments)
    labels = host.split(".")
    kind = "github" if "github" in labels else "gitlab" if "gitlab" in labels else None
    if kind == "github" and len(segments) != 2:
        kind = None  # GitHub has no subgroups: this is not a repository page
    if kind is None or not re.fullmatch(r"[a-z0-9.-]+", host):
        return Remote(name, host)
    default_port = {"https": 443, "http": 80}[web_scheme]
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    return Remote(name, host, kind, f"{web_scheme}://{netloc}/{name}")


def origin_remote(root: Path) -> Remote | None:
    """The ``origin`` remote of the repository at ``root`` (as git resolves it, ``insteadOf``
    rewrites applied); None without git, a repository, an origin or a URL naming a repository."""
    try:
        url = git(root, "remote", "get-url", "origin")
    except GitError:
        return None
    return parse_remote(url)


def repository_name(root: Path, remote: Remote | None) -> str:
    """What to call the repository in a report: its name on the remote, else its folder's name
    (never the local path)."""
    if remote is not None:
        return remote.name
    return root.resolve().name or "repository"
