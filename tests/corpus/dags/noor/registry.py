"""A tiny step registry I use to unit-test my transformation functions
without Airflow. `@dag` here is my own decorator, not Airflow's.
"""

from collections import OrderedDict
from typing import Callable

PIPELINES: "OrderedDict[str, list[Callable]]" = OrderedDict()


def dag(name: str | None = None, tags: list[str] | None = None):
    """Register the decorated function as a step of pipeline ``name``."""

    def register(fn: Callable) -> Callable:
        key = name or fn.__name__
        PIPELINES.setdefault(key, []).append(fn)
        fn.pipeline_tags = tags or []
        return fn

    return register


@dag("weather")
def celsius_to_fahrenheit(rows: list[dict]) -> list[dict]:
    return [{**r, "temperature_f": r["temperature"] * 9 / 5 + 32} for r in rows]


@dag("weather")
def drop_missing(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r.get("temperature") is not None]


@dag()
def taxi_cleanup(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r.get("fare_amount", 0) >= 0]


def run(name: str, rows: list[dict]) -> list[dict]:
    for step in PIPELINES[name]:
        rows = step(rows)
    return rows


if __name__ == "__main__":
    print(run("weather", [{"temperature": 21.5}, {"temperature": None}]))
