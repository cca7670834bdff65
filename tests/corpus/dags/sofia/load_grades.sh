#!/usr/bin/env bash
# Loads one week of grades into my own schema. Run by course_grades' BashOperator.
# Never run `airflow connections delete azure_pg` here: ask the teacher.
# And never TRUNCATE public.grades.
set -euo pipefail
echo "reminder: airflow connections delete azure_pg breaks the whole class"
psql "$PG_URI" -v ON_ERROR_STOP=1 <<SQL
CREATE SCHEMA IF NOT EXISTS "${SCHEMA}";
DELETE FROM "${SCHEMA}".grades WHERE week = '$1';
INSERT INTO "$SCHEMA".grades SELECT * FROM "${SCHEMA}".grades_stage;
SQL
