"""SARIF 2.1.0 for GitHub code scanning and other viewers.

Required properties from the OASIS schema (sarifLog: version, runs; run: tool; tool:
driver; toolComponent: name; result: message) plus what GitHub reads
(https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning):
rules with short/full description and help, results with ruleId, ruleIndex, level and a
physicalLocation region, and partialFingerprints so re-uploads do not duplicate alerts.
"""

from __future__ import annotations

import json

from steplint.diagnostics import Severity
from steplint.report import Report, RuleMeta
from steplint.report.gitlab import fingerprint

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


# The rule table comes with the Report (Report.rules, filled by the command that renders
# SARIF): a reporter never imports the rule registry.
NEEDS_RULES = True


def _rule(rule: RuleMeta) -> dict[str, object]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what},
        "help": {"text": rule.help, "markdown": rule.help},
        "helpUri": rule.url,
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": ["steplint"], "fix": rule.fix},
    }


def _uri(path: str) -> str:
    """A URI reference: relative to the working directory when the file is below it (GitHub
    resolves it against the repository root), percent-encoded."""
    import os
    from urllib.parse import quote

    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute)
    if rel.startswith(".."):
        return "file://" + quote(absolute.replace(os.sep, "/"))
    return quote(rel.replace(os.sep, "/"))


def render(report: Report) -> str:
    rules = report.rules
    index = {r.code: i for i, r in enumerate(rules)}
    results: list[dict[str, object]] = []
    for d in report.diagnostics:
        region = {"startLine": d.line, "startColumn": d.column,
                  "endLine": d.end_line or d.line, "endColumn": d.end_column or d.column}
        result: dict[str, object] = {
            "ruleId": d.code,
            "level": _LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(d.file)}, "region": region}}],
            "partialFingerprints": {"steplint/v1": fingerprint(d)},
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        results.append(result)
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "steplint",
                "version": report.version,
                "rules": [_rule(r) for r in rules],
            }},
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
