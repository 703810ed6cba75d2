import json
from pathlib import Path

import jsonschema

from golden_cases import check_golden, clean_report, report

from steplint.report import render
from steplint.rules.registry import all_rules

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"


def test_sarif_golden():
    """The golden file keeps rule ids only (and no ruleIndex): the rules' help text belongs to each rule's
    module (and is checked below), not to this reporter's snapshot."""
    doc = json.loads(render("sarif", report()))
    driver = doc["runs"][0]["tool"]["driver"]
    driver["rules"] = [r["id"] for r in driver["rules"] if r["id"] in {"SL001", "SL003", "SL006", "SL301", "SL302"}]
    for result in doc["runs"][0]["results"]:
        result.pop("ruleIndex")  # shifts whenever a rule is registered
    check_golden("sarif.json", json.dumps(doc, indent=2) + "\n")


def test_sarif_validates_against_the_official_schema():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for r in (report(), clean_report()):
        jsonschema.validate(json.loads(render("sarif", r)), schema)


def test_schema_check_can_fail():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    doc = json.loads(render("sarif", report()))
    doc["runs"][0]["results"][0]["level"] = "fatal"
    try:
        jsonschema.validate(doc, schema)
    except jsonschema.ValidationError:
        return
    raise AssertionError("the schema accepted level 'fatal'")


def test_what_github_code_scanning_reads():
    run = json.loads(render("sarif", report()))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.code for r in all_rules()]
    assert all(r["help"]["text"] and r["help"]["markdown"] and r["shortDescription"]["text"] for r in rules)
    result = run["results"][1]
    assert result["ruleId"] == "SL301" and result["level"] == "warning"
    assert rules[result["ruleIndex"]]["id"] == "SL301"
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "configs/gpt.yaml"},
        "region": {"startLine": 12, "startColumn": 11, "endLine": 12, "endColumn": 17},
    }
    assert run["results"][3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "configs/ds%20config.json"
    assert run["results"][4]["level"] == "note"
