"""SQL templates for my DAGs. No DAG in here, only strings.

The schema is a Jinja parameter so the same text works for everyone:
pass params={"schema": SCHEMA} on the operator.
"""

CREATE_DAILY = """
CREATE TABLE IF NOT EXISTS {{ params.schema }}.daily_revenue (
    day date PRIMARY KEY,
    trips bigint NOT NULL,
    revenue numeric(12, 2) NOT NULL
)
"""

DELETE_DAY = "DELETE FROM {{ params.schema }}.daily_revenue WHERE day = '{{ ds }}'"

INSERT_DAY = """
INSERT INTO {{ params.schema }}.daily_revenue (day, trips, revenue)
SELECT date(lpep_pickup_datetime), count(*), sum(total_amount)
FROM {{ params.schema }}.raw_trips
WHERE date(lpep_pickup_datetime) = '{{ ds }}'
GROUP BY 1
"""

TOP_PICKUP_ZONES = """
SELECT z.zone, count(*) AS trips
FROM {{ params.schema }}.raw_trips AS t
JOIN public.zones AS z ON z.location_id = t."PULocationID"
WHERE date(t.lpep_pickup_datetime) = '{{ ds }}'
GROUP BY z.zone
ORDER BY trips DESC
LIMIT 10
"""


def daily_statements() -> list[str]:
    """The three statements of the daily load, in order."""
    return [CREATE_DAILY, DELETE_DAY, INSERT_DAY]
