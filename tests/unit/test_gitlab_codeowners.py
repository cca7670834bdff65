"""GitLab's CODEOWNERS: its locations and its sections, read as GitLab reads them."""

from __future__ import annotations

from pathlib import Path

from conftest import make_repo

from airflow_etiquette.config import load_config
from airflow_etiquette.people.authors import Author
from airflow_etiquette.people.ownership import Ownership
from airflow_etiquette.rules import RULES_BY_CODE

SECTIONS = """\
# Before any heading: a section of its own, always required.
/pyproject.toml @teacher-gl

[Class infrastructure][2] @teacher-gl @ops-gl
/.gitlab-ci.yml
/.gitlab/
/requirements.txt @ops-gl

[Students] @teacher-gl
/dags/
/dags/maria/ @maria-gl
/dags/lasse/ @lasse-gl @class/tas lasse@school.example
!/dags/scratch/
/notes/ @@developer

^[Reviews] @ta-gl
/dags/lasse/
/docs/

[STUDENTS]
/dags/sofia/ @sofia-gl
"""


def ownership_of(tmp_path: Path, files: dict[str, str]) -> Ownership:
    owners = ("maria", "lasse", "sofia")
    repo = make_repo(tmp_path / "class", {**files, **{f"dags/{o}/a.py": "x = 1\n" for o in owners}})
    return Ownership(load_config(repo, RULES_BY_CODE), owners)


def test_gitlab_locations_in_gitlabs_order(tmp_path: Path) -> None:
    only_gitlab = ownership_of(tmp_path / "a", {".gitlab/CODEOWNERS": "/dags/maria/ @maria-gl\n"})
    assert only_gitlab.codeowners_path == ".gitlab/CODEOWNERS"
    assert only_gitlab.owner_of_login("maria-gl") == "maria"
    both = ownership_of(
        tmp_path / "b", {".gitlab/CODEOWNERS": "/dags/maria/ @maria-gl\n", "CODEOWNERS": "/dags/maria/ @m2\n"}
    )
    assert both.codeowners_path == "CODEOWNERS" and both.owner_of_login("m2") == "maria"
    docs = ownership_of(tmp_path / "c", {".gitlab/CODEOWNERS": "* @a\n", "docs/CODEOWNERS": "* @b\n"})
    assert docs.codeowners_path == "docs/CODEOWNERS"


def test_section_headings_default_owners_and_approval_counts(tmp_path: Path) -> None:
    ownership = ownership_of(tmp_path, {".gitlab/CODEOWNERS": SECTIONS})
    # An entry without owners takes its section's defaults; the approval count is not a path.
    assert ownership.codeowners_of(".gitlab-ci.yml") == ["@teacher-gl", "@ops-gl"]
    assert ownership.codeowners_of("requirements.txt") == ["@ops-gl"]
    assert ownership.codeowners_of("dags/example.py") == ["@teacher-gl"]
    # Within a section the last match wins; the students' lines map logins to folders.
    assert ownership.codeowners_of("dags/maria/a.py") == ["@maria-gl"]
    assert ownership.owner_of_login("maria-gl") == "maria"
    assert ownership.owner_of_login("sofia-gl") == "sofia"  # [STUDENTS] continues [Students]
    # Groups and e-mails stay owners as on GitHub; an optional section's owner is one too.
    assert ownership.codeowners_of("dags/lasse/a.py") == ["@lasse-gl", "@class/tas", "lasse@school.example", "@ta-gl"]
    assert ownership.codeowners_of("docs/guide.md") == ["@ta-gl"]
    # An exclusion leaves the path without owners in its section; a role names nobody here.
    assert ownership.codeowners_of("dags/scratch/x.py") == []
    assert ownership.codeowners_of("notes/a.md") == []
    assert ownership.recognise("developer") is None
    # Who owns the policy (the CI file, CODEOWNERS) is the admin.
    assert ownership.policy_logins == {"teacher-gl", "ops-gl"}
    assert ownership.is_admin_login("ops-gl") and not ownership.is_admin_login("maria-gl")


def test_every_required_section_must_agree_and_optional_ones_give_nothing(tmp_path: Path) -> None:
    ownership = ownership_of(tmp_path, {".gitlab/CODEOWNERS": SECTIONS})
    ta = Author("ta", "ta-gl", "test")
    lasse = Author("lasse", "lasse-gl", "test")
    maria = Author("maria", "maria-gl", "test")
    # /docs/ is only in an optional section: GitLab asks nobody's approval there, so it is
    # nobody's path (an optional "peer review" section must not make every student an owner).
    assert not ownership.may_change(ta, "docs/guide.md")
    # dags/lasse/ is in [Students] (required) and ^[Reviews]: the required owner decides.
    assert not ownership.may_change(ta, "dags/lasse/a.py")
    assert ownership.may_change(lasse, "dags/lasse/notes.md")
    # requirements.txt: @ops-gl in the infrastructure section; the teacher is not named there.
    teacher = Author("teacher", "teacher-gl", "test")
    assert not ownership.may_change(maria, "requirements.txt")
    assert ownership.may_change(Author("ops", "ops-gl", "test"), "requirements.txt")
    assert ownership.describe_owner("requirements.txt") == "is owned by @ops-gl"
    two = ownership_of(
        tmp_path / "two", {"CODEOWNERS": "* @teacher-gl\n[Docs]\n/docs/ @teacher-gl\n/docs/maria.md @maria-gl\n"}
    )
    # The unnamed section and [Docs] are both required: maria alone is not enough.
    assert not two.may_change(maria, "docs/maria.md")
    assert two.may_change(teacher, "docs/index.md")
    assert two.describe_owner("docs/maria.md") == "is owned by @teacher-gl, @maria-gl"


def test_a_file_without_sections_keeps_githubs_last_match(tmp_path: Path) -> None:
    plain = ownership_of(tmp_path, {".github/CODEOWNERS": "* @teacher-gh\n/dags/maria/ @maria-gh\n"})
    assert plain.codeowners_of("dags/maria/a.py") == ["@maria-gh"]
    assert plain.may_change(Author("maria", "maria-gh", "test"), "dags/maria/notes.md")


def test_an_optional_section_makes_nobody_an_owner_or_an_admin(tmp_path: Path) -> None:
    text = "[Students]\n/dags/maria/ @maria-gh\n/dags/sofia/ @sofia-gh\n^[Peer review]\n* @maria-gh @sofia-gh\n"
    ownership = ownership_of(tmp_path, {".gitlab/CODEOWNERS": text})
    maria = Author("maria", "maria-gh", "test")
    assert not ownership.may_change(maria, "dags/sofia/taxi.py")
    assert not ownership.may_change(maria, "requirements.txt")
    assert not ownership.may_change(maria, ".gitlab-ci.yml")
    assert ownership.policy_logins == set() and not ownership.is_admin_login("maria-gh")
    assert ownership.may_change(maria, "dags/maria/taxi.py")


def test_an_exclusion_takes_its_section_out_of_the_match(tmp_path: Path) -> None:
    text = "[Teacher] @teacher\n/include/\n!/include/maria/\n[Students]\n/include/maria/ @maria-gh\n"
    ownership = ownership_of(tmp_path, {".gitlab/CODEOWNERS": text})
    maria = Author("maria", "maria-gh", "test")
    assert ownership.may_change(maria, "include/maria/x.sql")
    assert not ownership.may_change(maria, "include/sofia/x.sql")
    assert ownership.codeowners_of("include/maria/x.sql") == ["@maria-gh"]
