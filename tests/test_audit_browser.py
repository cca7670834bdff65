"""The audit's HTML page as the teacher sees it: a class of thirty with history, opened from disk in
a real headless Chromium (Playwright), with every request outside the file itself refused."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import git, make_repo, run_installed
from test_audit import TAXI

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WEB = "https://github.com/class-org/class-airflow"

STUDENTS = [f"s{n:02d}" for n in range(1, 31)]
WRONG_PREFIX = {"s03": 2, "s17": 1}  # errors in the tree: dag_ids without the owner's prefix
HARD_CODED = {"s08", "s21", "s29"}  # a warning each (ETQ301)
VIOLATORS = {"s05": "s06", "s12": "s13", "s30": "s01"}  # clean trees, commits in a classmate's folder


def dag_file(owner: str, number: int = 0) -> str:
    text = TAXI.replace("taxi_pipeline", f"taxi_{number}")
    if number < WRONG_PREFIX.get(owner, 0):
        text = text.replace('f"{STUDENT}_taxi', 'f"taxi_{STUDENT}')
    if owner in HARD_CODED and number == 0:
        text += f'LEGACY = "airflow_{owner}"\n'
    return text


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    env = {**os.environ, "GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "shared@school.example"}
    env |= {"GIT_COMMITTER_NAME": "x", "GIT_COMMITTER_EMAIL": "shared@school.example"}
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, env=env, check=True)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (CI installs it): the page is not opened in a browser")
    tmp = tmp_path_factory.mktemp("browser")
    files = {".github/CODEOWNERS": "/.github/ @teacher-gh\n" + "".join(f"/dags/{s}/ @{s}-gh\n" for s in STUDENTS)}
    for owner in STUDENTS:
        for number in range(max(1, WRONG_PREFIX.get(owner, 0))):
            files[f"dags/{owner}/taxi_{number}.py"] = dag_file(owner, number)
    repo = make_repo(tmp / "class-airflow", files, config='shared-connections = ["azure_pg"]\n')
    shas = {"init": commit(repo, "init: thirty students")}
    for violator, victim in VIOLATORS.items():
        (repo / f"dags/{victim}/from_{violator}.txt").write_text("hi\n")
        shas[violator] = commit(repo, f"fix({violator}): help {victim} (#{len(shas) + 40})")
    git(repo, "remote", "add", "origin", "git@github.com:class-org/class-airflow.git")
    output = tmp / "audit.html"
    result = run_installed(
        "audit", "--format", "html", "-o", str(output), "--history", f"{shas['init']}..HEAD", cwd=repo
    )
    assert result.exit_code == 1, result.err
    return output, shas


def test_the_page_in_a_browser_is_worst_first_adds_up_links_and_asks_nothing_of_the_network(
    report: tuple[Path, dict[str, str]],
) -> None:
    from playwright.sync_api import Route, sync_playwright

    output, shas = report
    refused: list[str] = []

    def only_the_file(route: Route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", only_the_file)
            page.goto(output.as_uri())
            rows = page.eval_on_selector_all(
                "#owners tbody tr",
                """rows => rows.map(r => ({
                    owner: r.dataset.owner, status: r.dataset.status,
                    errors: +r.querySelector('[data-col=errors]').textContent,
                    warnings: +r.querySelector('[data-col=warnings]').textContent,
                    commits: +r.querySelector('[data-col=commits]').textContent,
                    top: r.getBoundingClientRect().top}))""",
            )
            card = "cards => cards.map(c => [c.dataset.status || c.dataset.total, +c.querySelector('b').textContent])"
            by_status = dict(page.eval_on_selector_all("#overview .card[data-status]", card))
            totals = dict(page.eval_on_selector_all("#overview .card[data-total]", card))
            hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
            chart = page.eval_on_selector_all("#status-chart rect", "rects => rects.map(r => r.dataset.status)")
            visible = page.is_visible("#overview") and page.is_visible("#owners")
        finally:
            browser.close()

    assert refused == []  # the page is whole: no stylesheet, script, font or image from anywhere
    assert visible
    order = [row["owner"] for row in rows]
    # The worst first: s03 (2 errors), s17 and the three who committed in a classmate's folder (1
    # error each, by name), then the three warnings, then the clean.
    expected_errors = ["s03", "s05", "s12", "s17", "s30"]
    clean = sorted(set(STUDENTS) - set(expected_errors) - HARD_CODED)
    assert order == [*expected_errors, "s08", "s21", "s29", *clean]
    assert [row["status"] for row in rows] == ["errors"] * 5 + ["warnings"] * 3 + ["clean"] * len(clean)
    tops = [row["top"] for row in rows]
    assert tops == sorted(tops)  # and the page shows them in that order
    first_clean = next(row["top"] for row in rows if row["status"] == "clean")
    assert all(row["top"] < first_clean and row["commits"] == 1 for row in rows if row["owner"] in VIOLATORS)

    assert totals["errors"] == sum(row["errors"] for row in rows) == 6
    assert totals["warnings"] == sum(row["warnings"] for row in rows) == 3
    assert totals["commits"] == sum(row["commits"] for row in rows) == 3
    for status in ("errors", "warnings", "clean", "no directory"):
        assert by_status[status] == sum(1 for row in rows if row["status"] == status), status
    assert sum(by_status.values()) == len(rows) == 30
    assert chart == ["errors", "warnings", "clean"]

    head = shas["s30"]
    assert f"{WEB}/blob/{head}/dags/s03/taxi_0.py#L12" in hrefs  # the wrong dag_id, at its line
    assert f"{WEB}/commit/{shas['s05']}" in hrefs and f"{WEB}/pull/41" in hrefs
    assert f"{WEB}/blob/{shas['s12']}/dags/s13/from_s12.txt#L1" in hrefs
    assert all(h == WEB or h.startswith((WEB + "/", output.as_uri() + "#")) for h in hrefs), hrefs
