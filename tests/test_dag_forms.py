"""Every way real repositories define a DAG and compute its dag_id, Airflow 2 and 3.

Each case is a file in dags/lasse/ whose dag_id lacks the prefix: the finding's
message shows what the analyzer worked out, without running anything.
"""

from __future__ import annotations

import textwrap

import pytest

from airflow_etiquette.engine.examples import run_example as _run
from airflow_etiquette.rules.base import Example

PATH = "dags/lasse/pipeline.py"


def run_example(source: str, path: str, owners: tuple[str, ...], config: dict[str, object]) -> list:  # type: ignore[type-arg]
    return _run(Example(source, path, owners=owners, config=config))


def ids_reported(source: str, path: str = PATH) -> list[str]:
    findings = run_example(textwrap.dedent(source), path, ("lasse", "maria"), {})
    return [f.message.split(" must start")[0].removeprefix("dag_id ") for f in findings if f.code == "ETQ101"]


FORMS = {
    "positional arguments unpacked from a tuple": (
        'from airflow import DAG\nARGS = ("taxi",)\ndag = DAG(*ARGS, tags=["x"])\n',
        ['"taxi"'],
    ),
    "arguments unpacked from a call are unknown, not missing": (
        "from airflow import DAG\ndag = DAG(*load_args())\n",
        [],
    ),
    "airflow3 decorator": ('from airflow.sdk import dag\n@dag(dag_id="taxi")\ndef f(): pass\n', ['"taxi"']),
    "airflow2 decorator": ('from airflow.decorators import dag\n@dag(dag_id="taxi")\ndef f(): pass\n', ['"taxi"']),
    "models.dag decorator": ('from airflow.models.dag import dag\n@dag("taxi")\ndef f(): pass\n', ['"taxi"']),
    "bare decorator uses the function name": ("from airflow.sdk import dag\n@dag\ndef taxi(): pass\n", ['"taxi"']),
    "empty call uses the function name": ("from airflow.sdk import dag\n@dag()\ndef taxi(): pass\n", ['"taxi"']),
    "decorator alias": (
        'from airflow.sdk import dag as airflow_dag\n@airflow_dag(dag_id="taxi")\ndef f(): pass\n',
        ['"taxi"'],
    ),
    "module attribute decorator": (
        'import airflow.decorators\n@airflow.decorators.dag(dag_id="taxi")\ndef f(): pass\n',
        ['"taxi"'],
    ),
    "airflow3 asset: the function name": (
        'from airflow.sdk import asset\n@asset(schedule="@daily")\ndef raw_trips(): pass\n',
        ['"raw_trips"'],
    ),
    "airflow3 asset: name= names the DAG": (
        'from airflow.sdk import asset\n@asset(schedule=None, name="zones")\ndef f(): pass\n',
        ['"zones"'],
    ),
    "airflow3 asset: dag_id= wins over name=": (
        'from airflow.sdk import asset\n@asset(schedule=None, name="zones", dag_id="zones_dag")\ndef f(): pass\n',
        ['"zones_dag"'],
    ),
    "airflow3 bare asset": ("from airflow.sdk import asset\n@asset\ndef rides(): pass\n", ['"rides"']),
    "airflow3 multi-asset": (
        'from airflow.sdk import Asset, asset\n@asset.multi(schedule=None, outlets=[Asset("a"), Asset("b")])\n'
        "def both(): pass\n",
        ['"both"'],
    ),
    "airflow3 multi-asset ignores name=": (
        'import airflow.sdk as sdk\n@sdk.asset.multi(schedule=None, outlets=[], dag_id="pair")\ndef both(): pass\n',
        ['"pair"'],
    ),
    "assets in a loop": (
        'from airflow.sdk import asset\nfor city in ["ams", "rtm"]:\n'
        '    @asset(schedule=None, name=f"weather_{city}")\n    def weather(): pass\n',
        ['"weather_ams", "weather_rtm"'],
    ),
    "an asset is no DAG without the import": (
        "def asset(**kw):\n    return lambda f: f\n@asset(name='x')\ndef f(): pass\n",
        [],
    ),
    "from airflow import DAG": ('from airflow import DAG\nwith DAG("taxi") as dag:\n    pass\n', ['"taxi"']),
    "airflow.models.DAG keyword": ('from airflow.models import DAG\ndag = DAG(dag_id="taxi")\n', ['"taxi"']),
    "airflow.models.dag.DAG": ('from airflow.models.dag import DAG\ndag = DAG("taxi")\n', ['"taxi"']),
    "airflow.sdk.DAG": ('from airflow.sdk import DAG\nwith DAG(dag_id="taxi"):\n    pass\n', ['"taxi"']),
    "import airflow": ('import airflow\ndag = airflow.DAG("taxi")\n', ['"taxi"']),
    "import airflow.models": ('import airflow.models\ndag = airflow.models.DAG("taxi")\n', ['"taxi"']),
    "from airflow import models": ('from airflow import models\ndag = models.DAG("taxi")\n', ['"taxi"']),
    "class alias": ('from airflow import DAG as AirflowDAG\ndag = AirflowDAG("taxi")\n', ['"taxi"']),
    "airflow 2/3 compatibility import": (
        "try:\n    from airflow.sdk import DAG, dag\nexcept ImportError:\n    from airflow import DAG\n"
        '    from airflow.decorators import dag\n\nd = DAG("taxi")\n@dag(dag_id="rides")\ndef f(): pass\n',
        ['"taxi"', '"rides"'],
    ),
    "import inside a function": ('def make():\n    from airflow import DAG\n    return DAG("taxi")\n', ['"taxi"']),
    "constant defined after use": (
        'from airflow import DAG\ndef make():\n    return DAG(DAG_ID)\nDAG_ID = "taxi"\n',
        ['"taxi"'],
    ),
    "concatenation": ('from airflow import DAG\nNAME = "taxi"\ndag = DAG("nyc_" + NAME)\n', ['"nyc_taxi"']),
    "format": ('from airflow import DAG\ndag = DAG("{}_{city}".format("nyc", city="taxi"))\n', ['"nyc_taxi"']),
    "percent": ('from airflow import DAG\ndag = DAG("%s_taxi" % "nyc")\n', ['"nyc_taxi"']),
    "join": ('from airflow import DAG\ndag = DAG("_".join(["nyc", "taxi"]))\n', ['"nyc_taxi"']),
    "kwargs dict": (
        'from airflow import DAG\nARGS = {"dag_id": "taxi", "tags": ["student:lasse"]}\ndag = DAG(**ARGS)\n',
        ['"taxi"'],
    ),
    "dict() kwargs": ('from airflow import DAG\ndag = DAG(**dict(dag_id="taxi"))\n', ['"taxi"']),
    "loop over a literal": (
        'from airflow import DAG\nfor city in ["ams", "rtm"]:\n    DAG(f"{city}_weather")\n',
        ['"ams_weather", "rtm_weather"'],
    ),
    "loop over a constant tuple list": (
        'from airflow import DAG\nJOBS = [("ams", 1), ("rtm", 2)]\nfor city, hour in JOBS:\n    DAG(dag_id=city + "_x")\n',
        ['"ams_x", "rtm_x"'],
    ),
    "loop over dict items": (
        'from airflow import DAG\nCFG = {"ams": 1, "rtm": 2}\nfor city, _ in CFG.items():\n    DAG(city)\n',
        ['"ams", "rtm"'],
    ),
    "comprehension": ('from airflow import DAG\ndags = [DAG(c + "_x") for c in ("ams",)]\n', ['"ams_x"']),
    "file name as dag_id": (
        "import os\nfrom airflow import DAG\ndag = DAG(os.path.splitext(os.path.basename(__file__))[0])\n",
        ['"pipeline"'],
    ),
    "file stem as dag_id": (
        "from pathlib import Path\nfrom airflow import DAG\ndag = DAG(Path(__file__).stem)\n",
        ['"pipeline"'],
    ),
    "partial prefix decides": (
        'from airflow import DAG\nimport random\ndag = DAG(f"taxi_{random.random()}")\n',
        ['"taxi_{…}"'],
    ),
    "factory called with literals": (
        "from airflow import DAG\ndef make(dag_id, tags):\n    return DAG(dag_id, tags=tags)\n"
        'make("taxi", ["student:lasse"])\nmake(tags=["student:lasse"], dag_id="rides")\n',
        ['"taxi"', '"rides"'],
    ),
    "factory called in a loop": (
        'from airflow import DAG\ndef make(city, hour=3):\n    with DAG(f"{city}_report", tags=["student:lasse"]) as d:\n'
        '        return d\nfor c in ("ams", "rtm"):\n    make(c)\n',
        ['"ams_report", "rtm_report"'],
    ),
    "a constant built on itself": (
        'from airflow import DAG\nDAG_ID = "taxi"\nDAG_ID = "nyc_" + DAG_ID\nTAGS = ["a"]\nTAGS = TAGS + ["b"]\n'
        "dag = DAG(DAG_ID, tags=TAGS)\n",
        ['"nyc_taxi"'],
    ),
    "one-line helper": (
        'from airflow import DAG\ndef name(x): return "nyc_" + x\ndag = DAG(name("taxi"))\n',
        ['"nyc_taxi"'],
    ),
    "helper arguments bound per call": (
        "from airflow import DAG\ndef ident(x):\n    return x\n"
        'dag = DAG(ident("taxi"), tags=[ident("student:lasse")])\n',
        ['"taxi"'],
    ),
    "path idiom in a nested folder": (
        "import os\nfrom pathlib import Path\nfrom airflow import DAG\n"
        'STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\ndag = DAG(f"{STUDENT}_taxi")\n',
        ['"sub_taxi"'],
    ),
}


@pytest.mark.parametrize("source,expected", FORMS.values(), ids=FORMS.keys())
def test_dag_forms_and_values(source: str, expected: list[str]) -> None:
    path = "dags/lasse/sub/pipeline.py" if "nested" in source or "STUDENT" in source else PATH
    assert ids_reported(source, path) == expected


OWNER_IDIOMS = [
    'STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name',
    'STUDENT = os.getenv("AIRFLOW_STUDENT") or Path(__file__).resolve().parent.name',
    'STUDENT = os.getenv("AIRFLOW_STUDENT", Path(__file__).absolute().parent.name)',
    "STUDENT = os.path.basename(os.path.dirname(__file__))",
    "STUDENT = os.path.basename(os.path.dirname(os.path.abspath(__file__)))",
    "STUDENT = Path(__file__).parents[0].name",
    "STUDENT = pathlib.Path(__file__).parent.name",
    "def _owner():\n    return Path(__file__).parent.name\nSTUDENT = _owner()",
    'STUDENT = __file__.split("/")[-2]',
    "STUDENT = str(Path(__file__).resolve()).split(os.sep)[-2]",
    "STUDENT = Path(__file__).parent.parts[-1]",
    "STUDENT = os.path.split(os.path.dirname(os.path.abspath(__file__)))[-1]",
    "STUDENT = os.path.split(os.path.dirname(__file__))[1]",
    'STUDENT = os.environ["AIRFLOW_STUDENT"] if "AIRFLOW_STUDENT" in os.environ else Path(__file__).parent.name',
]


@pytest.mark.parametrize("idiom", OWNER_IDIOMS)
def test_owner_idioms_resolve_to_the_owner_and_stay_quiet(idiom: str) -> None:
    source = (
        "import os\nimport pathlib\nfrom pathlib import Path\nfrom airflow.sdk import dag\n"
        f"{idiom}\nSCHEMA = f'airflow_{{STUDENT}}'\n\n"
        '@dag(dag_id=f"{STUDENT}_taxi", tags=[f"student:{STUDENT}"])\n'
        "def taxi():\n    pass\n"
    )
    assert run_example(source, PATH, ("lasse",), {}) == []


NOT_DAGS = {
    "local function named dag": 'def dag(dag_id):\n    return dag_id\n@dag(dag_id="taxi")\ndef f(): pass\n',
    "local class named DAG": 'class DAG:\n    def __init__(self, dag_id): pass\nDAG("taxi")\n',
    "DAG from another library": 'from prefect import DAG\nDAG("taxi")\n',
    "shadowed import": 'from airflow import DAG\nDAG = dict\nDAG(dag_id="taxi")\n',
    "unimported name": 'DAG("taxi")\n',
    "fallback to another library": 'try:\n    from airflow import DAG\nexcept ImportError:\n    from mylib import DAG\nDAG("taxi")\n',
}


@pytest.mark.parametrize("source", NOT_DAGS.values(), ids=NOT_DAGS.keys())
def test_things_named_dag_that_are_not_airflow_dags(source: str) -> None:
    assert run_example(source, PATH, ("lasse",), {}) == []


def test_the_path_idiom_in_a_subfolder_gets_a_hint() -> None:
    source = (
        "import os\nfrom pathlib import Path\nfrom airflow import DAG\n"
        'STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\n'
        'dag = DAG(f"{STUDENT}_taxi", tags=[f"student:{STUDENT}"])\n'
    )
    (finding, *_) = [
        f for f in run_example(source, "dags/lasse/experiments/x.py", ("lasse",), {}) if f.code == "ETQ101"
    ]
    assert finding.message == (
        'dag_id "experiments_taxi" must start with "lasse_" (file is in dags/lasse/); in a '
        'subfolder Path(__file__).parent.name is "experiments", not "lasse"'
    )


def test_a_literal_id_in_a_subfolder_gets_no_hint_about_the_path_idiom() -> None:
    source = 'from airflow.sdk import DAG\n\nwith DAG(dag_id="reports_weekly", tags=["student:lasse"]):\n    pass\n'
    (finding, *_) = [f for f in run_example(source, "dags/lasse/reports/x.py", ("lasse",), {}) if f.code == "ETQ101"]
    assert finding.message == 'dag_id "reports_weekly" must start with "lasse_" (file is in dags/lasse/)'


def test_a_factory_and_a_helper_resolve_quietly_when_right() -> None:
    source = textwrap.dedent("""
        import os
        from pathlib import Path
        from airflow.sdk import DAG

        STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name

        def tag(owner): return f"student:{owner}"

        def make_dag(name, schedule="@daily"):
            return DAG(dag_id=f"{STUDENT}_{name}", schedule=schedule, tags=[tag(STUDENT)])

        daily = make_dag("taxi")
        hourly = make_dag("rides", schedule="@hourly")
    """)
    assert run_example(source, PATH, ("lasse",), {}) == []


def test_a_factory_is_checked_per_call_and_reported_at_the_call() -> None:
    source = textwrap.dedent("""
        import os
        from pathlib import Path
        from airflow.sdk import DAG

        STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name

        def make_dag(name, tags=None, full_id=False):
            return DAG(name if full_id else f"{STUDENT}_{name}", tags=tags or [f"student:{STUDENT}"])

        daily = make_dag("daily")
        legacy = make_dag("taxi_legacy", full_id=True)
        weekly = make_dag("weekly", tags=["week11"])
    """)
    findings = run_example(source, PATH, ("lasse",), {})
    assert [(f.line, f.code, f.message) for f in findings] == [
        (12, "ETQ101", 'dag_id "taxi_legacy" must start with "lasse_" (file is in dags/lasse/)'),
        (13, "ETQ102", 'tags must include "student:lasse" (found "week11")'),
    ]


def test_a_function_without_parameters_reports_at_its_dag() -> None:
    source = 'from airflow import DAG\n\ndef build():\n    return DAG("taxi", tags=["student:lasse"])\n\nbuild()\n'
    assert [(f.line, f.code) for f in run_example(source, PATH, ("lasse",), {})] == [(4, "ETQ101")]


def test_reassigned_parameters_and_several_calls_are_not_mixed_up() -> None:
    source = textwrap.dedent("""
        import os
        from pathlib import Path
        from airflow.sdk import DAG
        from airflow.providers.postgres.hooks.postgres import PostgresHook

        STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
        SCHEMA = f"airflow_{STUDENT}"

        def make_dag(name):
            if not name.startswith(f"{STUDENT}_"):
                name = f"{STUDENT}_{name}"
            return DAG(name, tags=[f"student:{STUDENT}"])

        weekly = make_dag("weekly")

        def run_sql(statement, schema):
            PostgresHook(postgres_conn_id="azure_pg").run(statement.format(schema=schema))

        run_sql("SELECT count(*) FROM {schema}.zones", "public")
        run_sql("TRUNCATE {schema}.trips", SCHEMA)
    """)
    findings = run_example(source, PATH, ("lasse",), {})
    # The reassigned name may or may not carry the prefix: a warning at most, never an error;
    # and TRUNCATE never meets "public" in one call.
    assert [(f.line, f.code) for f in findings] == [(15, "ETQ103")]


def test_tags_changed_in_place_are_a_warning_not_an_error() -> None:
    source = textwrap.dedent("""
        from airflow.sdk import DAG

        TAGS = ["taxi"]
        TAGS.append("student:lasse")
        MORE = ["rides"]
        MORE += ["student:lasse"]
        a = DAG("lasse_a", tags=TAGS)
        b = DAG("lasse_b", tags=MORE)
    """)
    findings = run_example(source, PATH, ("lasse",), {})
    assert [(f.line, f.code) for f in findings] == [(8, "ETQ103"), (9, "ETQ103")]
    assert findings[0].message == (
        "tags cannot be determined statically (they depend on TAGS changed in place); "
        'make sure they include "student:lasse"'
    )


def test_unresolvable_ids_warn_and_partial_knowledge_is_enough() -> None:
    source = textwrap.dedent("""
        from airflow.sdk import DAG, Variable
        from settings import PREFIX

        a = DAG(Variable.get("dag_id"), tags=["student:lasse"])
        b = DAG(PREFIX + "_taxi", tags=["student:lasse"])
        c = DAG(f"lasse_{Variable.get('x')}", tags=["student:lasse"])
    """)
    findings = run_example(source, PATH, ("lasse",), {"select": ["ETQ1"]})
    assert [(f.line, f.code, f.severity.value) for f in findings] == [
        (5, "ETQ103", "warning"),
        (6, "ETQ103", "warning"),
    ]
    assert findings[1].message == (
        'dag_id cannot be determined statically (it depends on PREFIX); make sure it starts with "lasse_"'
    )


def test_teacher_and_admin_files_skip_owner_rules() -> None:
    teacher = 'from airflow.sdk import dag\n@dag(dag_id="class_demo_hello", tags=["teacher"])\ndef hello(): pass\n'
    assert run_example(teacher, "dags/example_class_demo.py", ("lasse",), {}) == []
    assert run_example(teacher, "dags/teacher/demo.py", ("lasse",), {"admins": ["teacher"]}) == []
    assert [f.code for f in run_example(teacher, "dags/teacher/demo.py", ("lasse",), {})] == ["ETQ101", "ETQ102"]


def test_escape_sequences_are_read_as_python_reads_them() -> None:
    r"""``\x``, ``\u``, ``\U``, ``\N{...}`` and octal escapes stand for the characters Python puts
    in the string (a ``\x6c`` is the owner's "l", not a wrong prefix); one Python keeps as written
    (``\d``) stays."""
    quiet = r"""
        from airflow import DAG
        a = DAG("\x6casse_taxi", tags=["student:\u006casse"])
        b = DAG(f"\154asse_{'x'}", tags=["student:\U0000006casse"])
    """
    assert run_example(textwrap.dedent(quiet), PATH, ("lasse", "maria"), {}) == []
    wrong = "from airflow import DAG\n" + r'dag = DAG("caf\N{LATIN SMALL LETTER E WITH ACUTE}\x21\d\q")' + "\n"
    assert ids_reported(wrong) == [r'"café!\d\q"']
