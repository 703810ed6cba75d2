"""JUnit XML: one testsuite per file with findings, one failing testcase per finding.

The shape CI systems (GitLab, Jenkins, Azure) read: <testsuites> with counts, <testsuite
name=FILE>, <testcase name="steplint.CODE" classname=FILE> holding <failure>; a run with no
findings is one passing testcase, so the report is never empty.
"""

from __future__ import annotations

from collections import defaultdict
from xml.sax.saxutils import quoteattr, escape

from steplint.report import Report


def render(report: Report) -> str:
    by_file = defaultdict(list)
    for d in report.diagnostics:
        by_file[d.file].append(d)
    total = max(len(report.diagnostics), 1)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="steplint" tests="{total}" failures="{len(report.diagnostics)}" errors="0">']
    if not by_file:
        out.append('  <testsuite name="steplint" tests="1" failures="0" errors="0">')
        out.append('    <testcase name="steplint" classname="steplint"/>')
        out.append("  </testsuite>")
    for file, found in by_file.items():
        out.append(f'  <testsuite name={quoteattr(file)} tests="{len(found)}" failures="{len(found)}" errors="0">')
        for d in found:
            out.append(f'    <testcase name={quoteattr("steplint." + d.code)} classname={quoteattr(file)} file={quoteattr(file)} line="{d.line}">')
            out.append(f'      <failure message={quoteattr(d.message)} type={quoteattr(str(d.severity))}>'
                       f'{escape(f"{d.file}:{d.line}:{d.column}: {d.code} [{d.name}] {d.message}")}</failure>')
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"
