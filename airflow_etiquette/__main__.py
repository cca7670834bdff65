"""``python -m airflow_etiquette``."""

from airflow_etiquette.cli import run

run()
