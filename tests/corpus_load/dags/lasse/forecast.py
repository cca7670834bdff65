"""Weekly demand forecast for my zones: a linear baseline and a small LSTM.

torch is imported at the top because the LSTM task needs it.
"""

import os
from datetime import datetime
from pathlib import Path

import pandas as pd
import torch  # expect: ETQ605, ETQ606
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"


@dag(
    dag_id=f"{STUDENT}_forecast",
    schedule="@weekly",
    start_date=datetime(2025, 1, 6),
    max_active_runs=1,
    tags=["week12", "ml", f"student:{STUDENT}"],
)
def forecast():
    @task()
    def load_history() -> list[float]:
        hook = PostgresHook(postgres_conn_id="azure_pg")
        frame = pd.DataFrame(
            hook.get_records(f'SELECT day, trips FROM "{SCHEMA}".daily_trips ORDER BY day'),
            columns=["day", "trips"],
        )
        return frame["trips"].astype(float).tolist()

    @task()
    def fit_baseline(history: list[float]) -> float:
        from sklearn.linear_model import LinearRegression

        days = [[i] for i in range(len(history))]
        model = LinearRegression().fit(days, history)
        return float(model.predict([[len(history)]])[0])

    @task()
    def fit_lstm(history: list[float]) -> float:
        series = torch.tensor(history, dtype=torch.float32).reshape(1, -1, 1)
        lstm = torch.nn.LSTM(input_size=1, hidden_size=8, batch_first=True)
        head = torch.nn.Linear(8, 1)
        output, _ = lstm(series)
        return float(head(output[:, -1, :]).item())

    history = load_history()
    fit_baseline(history)
    fit_lstm(history)


forecast()
