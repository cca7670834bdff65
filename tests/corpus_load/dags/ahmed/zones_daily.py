"""Daily zone demand, normalised, into my schema (Airflow 3).

No catchup argument: on Airflow 3 catchup is off unless a DAG asks for it,
so the 2020 start date (copied from the course template) only means "today on".
"""

import os
from datetime import datetime
from pathlib import Path

import pandas as pd
import yaml
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import Variable, dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
SETTINGS = """
boroughs: [Manhattan, Brooklyn, Queens]
min_trips: 10
"""


@dag(
    dag_id=f"{STUDENT}_zones_daily",
    schedule="@daily",
    start_date=datetime(2020, 1, 1),
    max_active_runs=2,
    default_args={"retries": 3},
    tags=["week11", "zones", f"student:{STUDENT}"],
)
def zones_daily():
    @task(pool=f"{STUDENT}_pool")
    def demand(ds=None) -> int:
        from sklearn.preprocessing import StandardScaler

        settings = yaml.safe_load(SETTINGS)
        threshold = int(Variable.get("ahmed_min_trips", default=settings["min_trips"]))
        hook = PostgresHook(postgres_conn_id="azure_pg")
        frame = pd.read_sql(
            f'SELECT z.borough, z.zone, count(*) AS trips FROM "{SCHEMA}".raw_trips t '
            'JOIN public.zones z ON z.location_id = t."PULocationID" '
            "WHERE t.tpep_pickup_datetime::date = %(day)s GROUP BY 1, 2",
            hook.get_sqlalchemy_engine(),
            params={"day": ds},
        )
        frame = frame[frame["borough"].isin(settings["boroughs"]) & (frame["trips"] >= threshold)]
        frame["scaled"] = StandardScaler().fit_transform(frame[["trips"]]).ravel()
        frame["day"] = ds
        frame.to_sql("zone_demand", hook.get_sqlalchemy_engine(), schema=SCHEMA, if_exists="append", index=False)
        return len(frame)

    demand()


zones_daily()
