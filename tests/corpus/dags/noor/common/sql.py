"""SQL statements for the weather DAGs. Imported, never run on its own.

Statements that take the schema as a Jinja parameter need
params={"schema": SCHEMA} on the operator.
"""

CREATE_WEATHER_DAILY = """
CREATE TABLE IF NOT EXISTS {{ params.schema }}.weather_daily (
    day date PRIMARY KEY,
    avg_temp numeric,
    precipitation numeric
)
"""

# expect-below: ETQ301
INSERT_WEATHER_DAILY = """
INSERT INTO airflow_noor.weather_daily (day, avg_temp, precipitation)
VALUES (%(day)s, %(avg_temp)s, %(precipitation)s)
ON CONFLICT (day) DO UPDATE
SET avg_temp = EXCLUDED.avg_temp, precipitation = EXCLUDED.precipitation
"""

# the dashboard wants the weather in a table everyone can read
CREATE_SHARED_WEATHER = "CREATE TABLE IF NOT EXISTS public.noor_weather (day date, avg_temp numeric, precipitation numeric)"  # expect: ETQ302

DAILY_WEATHER_WITH_TRIPS = """
SELECT w.day, w.avg_temp, w.precipitation, count(*) AS trips
FROM {{ params.schema }}.weather_daily w
JOIN {{ params.schema }}.raw_trips t ON date(t.lpep_pickup_datetime) = w.day
JOIN public.zones z ON z.location_id = t."PULocationID"
WHERE z.borough = '{{ params.borough }}'
GROUP BY 1, 2, 3
ORDER BY 1
"""


def statements_for_daily_load() -> list[str]:
    """The statements of the daily weather load, in order."""
    return [CREATE_WEATHER_DAILY, INSERT_WEATHER_DAILY]
