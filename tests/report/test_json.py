import json

import jsonschema

from golden_cases import check_golden, clean_report, report

from steplint.report import render
from steplint.resources import schema_path


def test_json_golden():
    check_golden("check.json", render("json", report()))


def test_json_output_matches_the_shipped_schema():
    schema = json.loads(schema_path("check.schema.json").read_text())
    for r in (report(), clean_report()):
        jsonschema.validate(json.loads(render("json", r)), schema)


def test_diagnostic_shape_is_the_pinned_one():
    doc = json.loads(render("json", report()))
    d = doc["diagnostics"][1]
    assert set(d) >= {"code", "name", "severity", "message", "file", "line", "column", "end_line", "end_column", "fix"}
    assert d["fix"]["applicability"] == "safe" and d["fix"]["edits"][0]["content"] == "1.0e-5"
    assert doc["summary"]["errors"] == 2 and doc["summary"]["failing"] == 4


def test_schema_rejects_a_wrong_severity():
    schema = json.loads(schema_path("check.schema.json").read_text())
    doc = json.loads(render("json", report()))
    doc["diagnostics"][0]["severity"] = "fatal"
    try:
        jsonschema.validate(doc, schema)
    except jsonschema.ValidationError:
        return
    raise AssertionError("the schema accepted severity 'fatal'")
