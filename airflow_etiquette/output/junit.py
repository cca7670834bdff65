"""JUnit XML, for CI test reports (GitLab's ``artifacts:reports:junit``, Jenkins, Azure).

One test suite; one test case per finding, named ``CODE path:line:column``. An error is a
``<failure>``; a warning is a passing case with the finding in its ``<system-out>``, because
test reports count every failure as a failed test and warnings must not fail anything. A clean
run is one passing case, so the report says what was checked. ElementTree escapes the markup;
characters that XML 1.0 cannot hold at all (control bytes a message may quote, lone surrogates
from undecodable file names) are written as ``\\xNN`` / ``\\udcNN`` text instead.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from airflow_etiquette.findings import Severity, severity_counts
from airflow_etiquette.output.report import CheckReport
from airflow_etiquette.output.text import summary

SUITE = "airflow-etiquette"
# Everything outside XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 forbids written out as its Python escape."""
    return _NOT_XML.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def render(report: CheckReport) -> str:
    errors, _ = severity_counts(report.findings)
    closing = summary(
        report.findings, report.files_checked, report.changed_paths, len(report.silenced), len(report.known)
    )
    cases = max(len(report.findings), 1)
    suites = ET.Element("testsuites", name=SUITE, tests=str(cases), failures=str(errors), errors="0")
    suite = ET.SubElement(
        suites, "testsuite", name=SUITE, tests=str(cases), failures=str(errors), errors="0", skipped="0"
    )
    for finding in report.findings:
        path = xml_text(report.located(finding.path))
        where = f"{path}:{finding.line}:{finding.column}"
        case = ET.SubElement(
            suite,
            "testcase",
            name=f"{finding.code} {where}",
            classname=path,
            file=path,
            line=str(finding.line),
        )
        message = xml_text(finding.message)
        text = f"{where}: {finding.code} ({finding.name}) {message}"
        if finding.severity is Severity.ERROR:
            failure = ET.SubElement(case, "failure", message=f"{finding.code} {message}", type=finding.code)
            failure.text = text
        else:
            ET.SubElement(case, "system-out").text = f"warning: {text}"
    if not report.findings:
        case = ET.SubElement(suite, "testcase", name="airflow-etiquette check", classname=SUITE)
        ET.SubElement(case, "system-out").text = closing
    out = ET.SubElement(suite, "system-out")
    out.text = "\n".join(xml_text(line) for line in (report.headline, closing) if line)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
