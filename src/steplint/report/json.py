"""Machine JSON: `{"steplint": VERSION, "diagnostics": [...], "summary": {...}}`.

Shape pinned in architecture.md section 3 and described by schemas/check.schema.json.
"""

from __future__ import annotations

import json

from steplint.report import Report


def render(report: Report) -> str:
    doc = {
        "steplint": report.version,
        "diagnostics": [d.to_json() for d in report.diagnostics],
        "summary": report.summary_json(),
    }
    if report.fixed:
        doc["fixed"] = [d.to_json() for d in report.fixed]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
