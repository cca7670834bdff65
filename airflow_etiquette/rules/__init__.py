"""The rule registry: every rule, in code order. Codes are stable and never reused."""

from __future__ import annotations

from airflow_etiquette.rules.analysis_failed import AnalysisFailed
from airflow_etiquette.rules.base import Example, Rule
from airflow_etiquette.rules.dag_id_prefix import DagIdPrefix
from airflow_etiquette.rules.duplicate_dag_id import DuplicateDagId
from airflow_etiquette.rules.escaping_symlink import EscapingSymlink
from airflow_etiquette.rules.foreign_schema import ForeignSchema
from airflow_etiquette.rules.hard_coded_schema import HardCodedSchema
from airflow_etiquette.rules.outside_own_directory import OutsideOwnDirectory
from airflow_etiquette.rules.owner_tag import OwnerTag
from airflow_etiquette.rules.parse_error import ParseError
from airflow_etiquette.rules.shared_connection_change import SharedConnectionChange
from airflow_etiquette.rules.submodule_in_dags import SubmoduleInDags
from airflow_etiquette.rules.unowned_dag_file import UnownedDagFile
from airflow_etiquette.rules.unresolved import Unresolved

ALL_RULES: tuple[type[Rule], ...] = (
    ParseError,
    AnalysisFailed,
    DagIdPrefix,
    OwnerTag,
    Unresolved,
    DuplicateDagId,
    OutsideOwnDirectory,
    EscapingSymlink,
    UnownedDagFile,
    SubmoduleInDags,
    HardCodedSchema,
    ForeignSchema,
    SharedConnectionChange,
)
RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}
# Rules that look inside a parsed file (the engine reports ETQ001/ETQ002; ETQ2xx look at changes).
CONTENT_RULES: tuple[type[Rule], ...] = tuple(r for r in ALL_RULES if r.kind == "content")

__all__ = ["ALL_RULES", "CONTENT_RULES", "RULES_BY_CODE", "Example", "Rule"]
