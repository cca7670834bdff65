"""Regenerate ``airflow_etiquette/analysis/image_contents.py``: what the official Airflow image has.

Not a test and not run by the suite (it needs PyPI). Give it the pinned requirement lists of the
images, as ``uv pip compile`` resolves them for the image's default extras:

    echo 'apache-airflow[<the Dockerfile's AIRFLOW_EXTRAS>]==2.10.5' > r2.in
    uv pip compile --python-version 3.11 --python-platform x86_64-manylinux_2_28 \\
        --no-header --no-annotate r2.in -o u2.txt      # and the same for 3.x into u3.txt
    python tests/tools/image_contents.py 2=u2.txt 3=u3.txt > airflow_etiquette/analysis/image_contents.py

The extras are the Dockerfile's default ``AIRFLOW_EXTRAS`` (documented at
https://airflow.apache.org/docs/docker-stack/build-arg-ref.html): for "2" those of Airflow
2.10.2's Dockerfile (aiobotocore, amazon, async, celery, cncf-kubernetes, common-io, docker,
elasticsearch, fab, ftp, google, google-auth, graphviz, grpc, hashicorp, http, ldap,
microsoft-azure, mysql, odbc, openlineage, pandas, postgres, redis, sendgrid, sftp, slack,
snowflake, ssh, statsd, uv, virtualenv), for "3" those of 3.1.5's (the same, plus
common-messaging, git and standard). Airflow itself brings the providers it always carries
(common.compat, common.io, common.sql, smtp, ... ; in Airflow 3 through apache-airflow-core).
On 2026-12-07 uv resolved them for apache-airflow 2.10.5 and 3.1.5 with the newest providers that
fit, not the image's exact constraint pins (GitHub's constraints branches were not reachable).

For each pinned distribution it reads the file list of its wheel on PyPI (only the zip's central
directory, by HTTP range requests) and derives the import paths the wheel provides: its top-level
modules and packages, and below a namespace package (a folder without ``__init__.py``, such as
``google/cloud/``) the first regular package (``google.cloud.storage``).
"""

from __future__ import annotations

import io
import json
import sys
import urllib.parse
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import PurePosixPath

from airflow_etiquette.analysis.distributions import NAMESPACE_PACKAGES

PYPI = "https://pypi.org/pypi/{name}/json"
# Distributions PyPI has as an sdist only: their modules, read from the sdist by hand.
SDIST_ONLY = {
    "python-ldap": {"ldap", "ldapurl", "ldif", "slapdtest", "_ldap"},
    "python-nvd3": {"nvd3"},
}
# Never an answer by itself: a namespace that many distributions share, even where one of them
# ships an ``__init__.py`` for it (``azure/__init__.py`` would otherwise admit every ``azure.*``).
SHARED_ROOTS = frozenset({*NAMESPACE_PACKAGES, "airflow.providers"})


class RangeFile(io.RawIOBase):
    """A remote file read by HTTP range requests, enough for ``zipfile`` to list its members."""

    def __init__(self, url: str) -> None:
        self.url = url
        request = urllib.request.Request(url, method="HEAD")
        with urllib.request.urlopen(request, timeout=60) as response:
            self.size = int(response.headers["Content-Length"])
        self.position = 0

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.position, 2: self.size}[whence]
        self.position = base + offset
        return self.position

    def read(self, size: int = -1) -> bytes:
        end = self.size if size < 0 else min(self.size, self.position + size)
        if end <= self.position:
            return b""
        request = urllib.request.Request(self.url, headers={"Range": f"bytes={self.position}-{end - 1}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            data: bytes = response.read()
        self.position += len(data)
        return data


def wheel_url(name: str, version: str) -> str | None:
    with urllib.request.urlopen(PYPI.format(name=name), timeout=60) as response:
        files = json.load(response)["releases"].get(version, [])
    wheels = [f for f in files if f["filename"].endswith(".whl")]
    # any wheel lists the same modules; prefer a pure or a manylinux x86_64 one
    wheels.sort(key=lambda f: ("none-any" not in f["filename"], "manylinux" not in f["filename"]))
    return urllib.parse.urljoin(PYPI.format(name=name), wheels[0]["url"]) if wheels else None


def import_paths(names: list[str]) -> set[str]:
    """The import paths a wheel with these members provides."""
    modules: set[tuple[str, ...]] = set()
    packages: set[tuple[str, ...]] = set()
    for member in names:
        path = PurePosixPath(member)
        parts = path.parts
        if not parts or parts[0].endswith(".dist-info"):
            continue
        if parts[0].endswith(".data"):
            if len(parts) < 3 or parts[1] not in ("purelib", "platlib"):
                continue
            parts = parts[2:]
        stem = parts[-1]
        if stem.endswith(".py"):
            stem = stem[: -len(".py")]
        elif stem.endswith((".so", ".pyd")):
            stem = stem.split(".", 1)[0]
        else:
            continue
        if not all(part.isidentifier() for part in parts[:-1]) or not stem.isidentifier():
            continue
        if stem == "__init__":
            packages.add(tuple(parts[:-1]))
        else:
            modules.add((*parts[:-1], stem))
    found: set[str] = set()
    for module in modules | packages:
        if ".".join(module) in SHARED_ROOTS:
            continue
        # the shortest prefix that is a regular package or the module itself
        for end in range(1, len(module) + 1):
            prefix = module[:end]
            if (prefix in packages and ".".join(prefix) not in SHARED_ROOTS) or end == len(module):
                found.add(".".join(prefix))
                break
    return found


def contents(line: str) -> tuple[str, set[str]] | None:
    name, _, version = line.partition(";")[0].strip().partition("==")
    try:
        url = wheel_url(name, version)
    except OSError as exc:
        print(f"# {name}=={version}: {exc}", file=sys.stderr)
        return None
    if url is None:
        if name in SDIST_ONLY:
            return name, SDIST_ONLY[name]
        print(f"# no wheel: {name}=={version}", file=sys.stderr)
        return None
    with zipfile.ZipFile(RangeFile(url)) as wheel:
        return name, import_paths(wheel.namelist())


def main(arguments: list[str]) -> None:
    images: dict[str, tuple[set[str], set[str]]] = {}
    for argument in arguments:
        major, _, path = argument.partition("=")
        pins = [line.strip() for line in open(path) if "==" in line and not line.startswith("#")]
        with ThreadPoolExecutor(16) as pool:
            results = [r for r in pool.map(contents, pins) if r is not None]
        distributions = {line.partition("==")[0] for line in pins}
        paths = set().union(*(found for _, found in results))
        images[major] = (distributions, paths)
    print(render(images), end="")


def render(images: dict[str, tuple[set[str], set[str]]]) -> str:
    """The module's text: for each table, what every image has, then what each has besides."""
    out = [
        '"""What the official ``apache/airflow`` image installs, by Airflow major version: generated by',
        "``tests/tools/image_contents.py`` (read it for how); do not edit by hand.",
        "",
        "IMAGE_DISTRIBUTIONS: every distribution (canonical name) the image's default extras install.",
        "IMAGE_MODULES: the import paths those distributions provide: top-level modules, and below a",
        'namespace package the first regular package (``google.cloud.storage``)."""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Mapping",
        "",
    ]
    for title, index in (("IMAGE_DISTRIBUTIONS", 0), ("IMAGE_MODULES", 1)):
        shared = set.intersection(*(data[index] for data in images.values()))
        prefix = "_" + title.split("_")[1]
        out += _frozenset(f"{prefix}_IN_EVERY_IMAGE", shared)
        for major, data in sorted(images.items()):
            out += _frozenset(f"{prefix}_ONLY_IN_{major}", data[index] - shared)
        out.append(f"{title}: Mapping[str, frozenset[str]] = {{")
        out += [f'    "{major}": {prefix}_IN_EVERY_IMAGE | {prefix}_ONLY_IN_{major},' for major in sorted(images)]
        out += ["}", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _frozenset(name: str, items: set[str]) -> list[str]:
    return [f"{name} = frozenset(", "    {", *(f'        "{item}",' for item in sorted(items)), "    }", ")", ""]


if __name__ == "__main__":
    main(sys.argv[1:])
