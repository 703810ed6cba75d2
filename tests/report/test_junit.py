import xml.etree.ElementTree as ET

from golden_cases import check_golden, clean_report, report

from steplint.report import render


def test_junit_golden():
    check_golden("junit.xml", render("junit", report()))


def test_junit_fails_only_findings_at_or_above_the_threshold():
    root = ET.fromstring(render("junit", report()))
    assert root.tag == "testsuites" and root.get("failures") == "4"
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 5 and cases[0].get("name") == "steplint.SL001"
    failing = [c.get("name") for c in cases if c.find("failure") is not None]
    assert failing == ["steplint.SL001", "steplint.SL301", "steplint.SL302", "steplint.SL006"]
    info = cases[-1]
    assert "SL003 info" in info.find("system-out").text
    assert {p.get("name"): p.get("value") for p in info.iter("property")} == {"code": "SL003", "severity": "info"}


def test_junit_threshold_error_leaves_warnings_passing():
    from steplint.diagnostics import Severity

    root = ET.fromstring(render("junit", report(fail_on=Severity.ERROR)))
    assert root.get("failures") == "2" and len(root.findall(".//failure")) == 2


def test_clean_run_has_one_passing_case():
    root = ET.fromstring(render("junit", clean_report()))
    assert root.get("failures") == "0" and len(root.findall("./testsuite/testcase")) == 1
