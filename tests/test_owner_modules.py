"""Constants a DAG imports from its owner's own modules are read there (parsed, never imported)."""

from __future__ import annotations

from pathlib import Path

from conftest import git, make_repo, run_installed

COMMON = """\
from pathlib import Path

STUDENT = Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
TAGS = ["week11", f"student:{STUDENT}"]
WRONG_TAGS = ["week11"]
PUBLIC = "public"
from maria.more import AGAIN  # a cycle: more imports common
"""
MORE = "from maria.common import PUBLIC\nAGAIN = PUBLIC\n"
TAXI = """\
from airflow.sdk import dag
from maria.common import STUDENT, TAGS, WRONG_TAGS, SCHEMA, AGAIN
from common import SCHEMA as BESIDE
import dags.maria.common as common
from maria.nothere import SUFFIX
from sofia.helpers import SOFIAS_TAGS

@dag(dag_id=f"{STUDENT}_taxi", tags=TAGS)
def taxi():
    pass

@dag(dag_id=f"{STUDENT}_rides", tags=WRONG_TAGS)
def rides():
    pass

@dag(dag_id=f"{STUDENT}_{SUFFIX}", tags=common.TAGS)
def other():
    pass

@dag(dag_id=f"{STUDENT}_zones", tags=SOFIAS_TAGS)
def zones():
    pass

def load(df, engine):
    df.to_sql("t", engine, schema=SCHEMA)
    df.to_sql("t", engine, schema=BESIDE)
    df.to_sql("t", engine, schema=AGAIN)
"""


def found(result) -> list[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    return [(f["path"], f["line"], f["code"]) for f in result.findings]


def test_names_from_the_owners_modules_resolve_there(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "dags/maria/common.py": COMMON,
            "dags/maria/more.py": MORE,
            "dags/maria/taxi.py": TAXI,
            "dags/sofia/helpers.py": 'SOFIAS_TAGS = ["student:maria"]\n',  # another owner's: never read
        },
    )
    for _ in range(2):  # the second run from the cache, which must not keep the importing file's result
        result = run_installed("check", "--format", "json", cwd=root)
        assert found(result) == [
            ("dags/maria/taxi.py", 6, "ETQ501"),  # sofia's module
            ("dags/maria/taxi.py", 12, "ETQ102"),  # WRONG_TAGS, read in common.py
            ("dags/maria/taxi.py", 20, "ETQ103"),  # sofia's tags: not read, so undecided (a warning)
            ("dags/maria/taxi.py", 27, "ETQ302"),  # AGAIN is common.PUBLIC, through more.py
        ], result.out
    (root / "dags/maria/common.py").write_text(COMMON.replace('WRONG_TAGS = ["week11"]', "WRONG_TAGS = TAGS"))
    fixed = run_installed("check", "--format", "json", cwd=root)
    assert ("dags/maria/taxi.py", 12, "ETQ102") not in found(fixed)


def test_a_change_reads_the_modules_as_it_leaves_them(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r",
        {"CODEOWNERS": "/dags/maria/ @maria\n", "dags/maria/common.py": COMMON, "dags/maria/more.py": MORE},
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "maria/taxi")
    (root / "dags/maria/taxi.py").write_text(TAXI)
    (root / "dags/maria/common.py").write_text(COMMON.replace('WRONG_TAGS = ["week11"]', "WRONG_TAGS = TAGS"))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "taxi")
    (root / "dags/maria/common.py").write_text(COMMON)  # the work tree is not what is judged
    result = run_installed("check", "--base", "main", "--author", "maria", "--format", "json", cwd=root)
    assert ("dags/maria/taxi.py", 12, "ETQ102") not in found(result)
    assert ("dags/maria/taxi.py", 27, "ETQ302") in found(result)


def test_an_import_cycle_stays_unknown(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "dags/maria/a.py": "from maria.b import B as A\n",
            "dags/maria/b.py": "from maria.a import A as B\n",
            "dags/maria/taxi.py": 'from airflow.sdk import dag\nfrom maria.a import A\n\n@dag(dag_id=A, tags=["student:maria"])\ndef t():\n    pass\n',
        },
    )
    result = run_installed("check", "--format", "json", cwd=root)
    assert (result.exit_code, found(result)) == (0, [("dags/maria/taxi.py", 4, "ETQ103")]), result.err


def test_a_change_to_a_module_alone_is_checked_in_the_dags_that_import_it(tmp_path: Path) -> None:
    fixed = COMMON.replace('WRONG_TAGS = ["week11"]', "WRONG_TAGS = TAGS")
    root = make_repo(
        tmp_path / "r",
        {
            "CODEOWNERS": "/dags/maria/ @maria\n",
            "dags/maria/common.py": fixed,
            "dags/maria/more.py": MORE,
            "dags/maria/taxi.py": TAXI,
            "dags/maria/unrelated.py": 'from airflow.sdk import dag\n\n@dag(dag_id="bad_id")\ndef u():\n    pass\n',
        },
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    (root / "dags/maria/common.py").write_text(COMMON)  # WRONG_TAGS loses the owner tag again
    git(root, "add", "-A")
    result = run_installed("check", "--staged", "--author", "maria", "--format", "json", cwd=root)
    assert ("dags/maria/taxi.py", 12, "ETQ102") in found(result)
    assert not [path for path, _, _ in found(result) if path == "dags/maria/unrelated.py"]  # imports nothing of it


FACTORIES = """\
from pathlib import Path
from airflow import DAG

STUDENT = Path(__file__).parent.name

def make_dag(name):
    return DAG(dag_id=f"{STUDENT}_{name}", tags=[f"student:{STUDENT}"])

def make_bad(name):
    return DAG(dag_id=name, tags=["taxi"])


def make_flow(name):
    from airflow.sdk import dag

    @dag(dag_id=name, tags=[f"student:{STUDENT}"])
    def flow():
        pass

    return flow()
"""


def test_a_factory_from_the_owners_module_is_followed_at_each_call(tmp_path: Path) -> None:
    """Evaluated with the call's arguments, which are resolved where they are written: the
    __file__ of Path(__file__).stem is the DAG file's, not the factory's."""
    root = make_repo(
        tmp_path / "r",
        {
            "dags/maria/common.py": FACTORIES,
            "dags/maria/taxi.py": (
                "from pathlib import Path\nfrom maria.common import make_dag, make_bad, make_flow\n\n"
                'good = make_dag("taxi")\nbad = make_bad("rides")\nsame = make_dag(Path(__file__).stem)\n'
                'flow = make_flow("weather")\n'
            ),
            "dags/maria/zones.py": "from pathlib import Path\nfrom maria.common import make_dag\n\nz = make_dag(Path(__file__).stem)\n",
        },
    )
    result = run_installed("check", "--format", "json", cwd=root)
    reported = [(f["path"], f["line"], f["code"]) for f in result.findings]
    assert reported == [  # common.py only defines the factories: no ETQ103 for what their callers pass
        ("dags/maria/common.py", 10, "ETQ102"),  # but tags written wrong in the factory are wrong for every call
        ("dags/maria/taxi.py", 4, "ETQ104"),  # maria_taxi, twice: make_dag("taxi") and the stem of taxi.py
        ("dags/maria/taxi.py", 5, "ETQ101"),
        ("dags/maria/taxi.py", 5, "ETQ102"),
        ("dags/maria/taxi.py", 6, "ETQ104"),
        ("dags/maria/taxi.py", 7, "ETQ101"),  # the @dag inside make_flow, named "weather"
    ], result.out  # zones.py's stem makes maria_zones: no clash, no finding


def test_a_helper_from_the_owners_module_gives_its_value(tmp_path: Path) -> None:
    helpers = (
        "from pathlib import Path\n\nSTUDENT = Path(__file__).parent.name\n\n"
        'def table(name):\n    return f"airflow_{STUDENT}.{name}"\n\n'
        'def dag_name(suffix):\n    return f"{suffix}_pipeline"\n'
    )
    root = make_repo(
        tmp_path / "r",
        {
            "dags/maria/helpers.py": helpers,
            "dags/maria/taxi.py": (
                "from airflow.sdk import dag\nfrom maria.helpers import table, dag_name\n\n"
                '@dag(dag_id=dag_name("taxi"), tags=["student:maria"])\ndef taxi():\n    pass\n\n'
                "def load(cur):\n"
                "    cur.execute(f\"INSERT INTO {table('raw_trips')} SELECT 1\")\n"
                "    cur.execute(f\"DELETE FROM public.{table('x').split('.')[1]}\")\n"
            ),
        },
    )
    result = run_installed("check", "--format", "json", cwd=root)
    # dag_name("taxi") is "taxi_pipeline"; table("raw_trips") is maria's own: only the DELETE is out
    assert found(result) == [("dags/maria/taxi.py", 4, "ETQ101"), ("dags/maria/taxi.py", 10, "ETQ302")], result.out
    assert result.findings[0]["message"].startswith('dag_id "taxi_pipeline" must start with "maria_"')
    assert result.findings[1]["message"].startswith("DELETE from public.… writes outside your schema")


def test_a_factory_used_where_the_resolver_cannot_follow_still_warns(tmp_path: Path) -> None:
    """A star import hides the calls; a decorator may call the factory: ETQ102 and ETQ103 stay."""
    root = make_repo(
        tmp_path / "r",
        {
            "dags/lasse/common.py": (
                'from airflow import DAG\n\ndef make_dag(dag_id):\n    return DAG(dag_id, tags=["student:maria"])\n'
            ),
            "dags/lasse/pipelines.py": 'from lasse.common import *\n\ndag = make_dag("maria_p")\n',
            "dags/lasse/registered.py": (
                "from airflow import DAG\nFACTORIES = {}\n\ndef register(f):\n    FACTORIES[f.__name__] = f\n"
                "    return f\n\n@register\ndef make(dag_id):\n    return DAG(dag_id, tags=['student:lasse'])\n\n"
                "for name, factory in FACTORIES.items():\n    globals()[name] = factory('x_' + name)\n"
            ),
        },
    )
    result = run_installed("check", "--format", "json", cwd=root)
    assert [(f["path"], f["line"], f["code"]) for f in result.findings] == [
        ("dags/lasse/common.py", 4, "ETQ102"),
        ("dags/lasse/registered.py", 10, "ETQ103"),
    ]
