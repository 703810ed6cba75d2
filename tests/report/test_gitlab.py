import json

from golden_cases import DIAGNOSTICS, check_golden, report

from steplint.report import render
from steplint.report.gitlab import fingerprint


def test_gitlab_golden():
    check_golden("gitlab.json", render("gitlab", report()))


def test_code_quality_fields():
    issues = json.loads(render("gitlab", report()))
    assert [i["severity"] for i in issues] == ["major", "minor", "major", "minor", "info"]
    assert issues[1]["location"] == {"path": "configs/gpt.yaml", "lines": {"begin": 12, "end": 12}}
    assert issues[1]["check_name"] == "SL301"
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_fingerprint_is_stable_when_lines_move():
    d = DIAGNOSTICS[1]
    assert fingerprint(d) == fingerprint(d._replace(line=40))
    assert fingerprint(d) != fingerprint(d._replace(file="other.yaml"))
