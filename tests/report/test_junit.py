import xml.etree.ElementTree as ET

from golden_cases import check_golden, clean_report, report

from steplint.report import render


def test_junit_golden():
    check_golden("junit.xml", render("junit", report()))


def test_junit_is_well_formed_with_one_failure_per_finding():
    root = ET.fromstring(render("junit", report()))
    assert root.tag == "testsuites" and root.get("failures") == "5"
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 5 and all(c.find("failure") is not None for c in cases)
    assert cases[0].get("name") == "steplint.SL001"


def test_clean_run_has_one_passing_case():
    root = ET.fromstring(render("junit", clean_report()))
    assert root.get("failures") == "0" and len(root.findall("./testsuite/testcase")) == 1
