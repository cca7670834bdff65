"""Open-Meteo client used by my weather DAGs. No DAG in this module."""

import time
from dataclasses import dataclass

import requests
from airflow.hooks.base import BaseHook

ARCHIVE_URL = "https://archive-api.open-meteo.com/v1/archive"


@dataclass(frozen=True)
class City:
    name: str
    latitude: float
    longitude: float


CITIES = [
    City("new_york", 40.71, -74.01),
    City("newark", 40.74, -74.17),
]


def daily_weather(city: City, day: str, retries: int = 3) -> dict:
    """Mean temperature and total precipitation for one city and day."""
    params = {
        "latitude": city.latitude,
        "longitude": city.longitude,
        "start_date": day,
        "end_date": day,
        "daily": "temperature_2m_mean,precipitation_sum",
    }
    for attempt in range(retries):
        resp = requests.get(ARCHIVE_URL, params=params, timeout=30)
        if resp.status_code == 429:
            time.sleep(2 ** attempt)
            continue
        resp.raise_for_status()
        daily = resp.json()["daily"]
        return {
            "city": city.name,
            "day": day,
            "avg_temp": daily["temperature_2m_mean"][0],
            "precipitation": daily["precipitation_sum"][0],
        }
    raise RuntimeError(f"Open-Meteo kept rate limiting us for {city.name} on {day}")


def pg_target() -> str:
    """Human-readable description of where the data goes (for logs)."""
    conn = BaseHook.get_connection("azure_pg")
    return f"{conn.login}@{conn.host}/{conn.schema}"
