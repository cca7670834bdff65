"""analysis.resolve and analysis.idioms: what a value is, from the source alone."""

from __future__ import annotations

import libcst as cst
import pytest

from airflow_etiquette.analysis.model import build_index
from airflow_etiquette.analysis.resolve import Resolver
from airflow_etiquette.analysis.values import Falsy, Seq, Text, Unknown


def value_of(source: str, path: str = "dags/maria/taxi.py") -> tuple[object, ...]:
    """The values of the module's last assignment's right-hand side."""
    module = cst.parse_module(source)
    index = build_index(module)

    class LastAssignment(cst.CSTVisitor):
        value: cst.BaseExpression | None = None

        def visit_Assign(self, node: cst.Assign) -> None:
            self.value = node.value

    finder = LastAssignment()
    module.visit(finder)
    assert finder.value is not None
    return Resolver(index, path).values(finder.value, index.module_scope)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('X = "maria_" + "taxi"', "maria_taxi"),
        ('A = "taxi"\nX = f"maria_{A}"', "maria_taxi"),
        ('X = "{}_{}".format("maria", "taxi")', "maria_taxi"),
        ('X = "%s_taxi" % "maria"', "maria_taxi"),
        ('X = "_".join(["maria", "taxi"])', "maria_taxi"),
        ("from pathlib import Path\nX = Path(__file__).parent.name", "maria"),
        ("import os\nX = os.path.basename(os.path.dirname(__file__))", "maria"),
        (
            'import os\nfrom pathlib import Path\nX = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name',
            "maria",
        ),
        ('import os\nX = os.getenv("AIRFLOW_STUDENT", "default")', "default"),
        ('X = str("taxi")', "taxi"),
        ('def f(x):\n    return x + "_taxi"\nX = f("maria")', "maria_taxi"),
    ],
)
def test_idioms_and_operators_resolve_to_the_exact_text(source: str, expected: str) -> None:
    assert [v.exact for v in value_of(source) if isinstance(v, Text)] == [expected]


def test_a_loop_variable_has_one_value_per_item_and_unknowns_stay_holes() -> None:
    assert {v.exact for v in value_of('for city in ["ams", "rtm"]:\n    X = f"maria_{city}"')} == {
        "maria_ams",
        "maria_rtm",
    }
    (partial,) = value_of("from airflow.models import Variable\nX = f\"maria_{Variable.get('c')}\"")
    assert isinstance(partial, Text) and partial.exact is None and partial.prefix == "maria_"


def test_what_cannot_be_known_is_said_so() -> None:
    (unknown,) = value_of('import base64\nX = base64.b64decode("bWFyaWE=").decode()')
    assert isinstance(unknown, Unknown) and "b64decode" in str(unknown.source)
    (unset,) = value_of('import os\nX = os.environ.get("AIRFLOW_STUDENT")')
    assert isinstance(unset, Falsy)  # the shared scheduler sets no per-student variable
    (items,) = value_of('X = list(["a", "b"])')
    assert isinstance(items, Seq) and [i.exact for i in items.items] == ["a", "b"]  # type: ignore[union-attr]
