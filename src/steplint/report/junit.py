"""JUnit XML: one testsuite per file with findings, one testcase per finding.

The shape CI systems (GitLab, Jenkins, Azure) read: <testsuites> with counts, <testsuite
name=FILE>, <testcase name="steplint.CODE" classname=FILE>. Only a finding at or above the
failure threshold (`--fail-on`, default warning) holds a <failure>, so the test counts agree
with the exit code; a finding below it is a passing testcase whose <system-out> carries the
line and whose properties carry code and severity. A run with no findings is one passing
testcase, so the report is never empty.
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
           f'<testsuites name="steplint" tests="{total}" failures="{report.failing()}" errors="0">']
    if not by_file:
        out.append('  <testsuite name="steplint" tests="1" failures="0" errors="0">')
        out.append('    <testcase name="steplint" classname="steplint"/>')
        out.append("  </testsuite>")
    for file, found in by_file.items():
        failing = sum(1 for d in found if d.severity >= report.fail_on)
        out.append(f'  <testsuite name={quoteattr(file)} tests="{len(found)}" failures="{failing}" errors="0">')
        for d in found:
            text = escape(f"{d.file}:{d.line}:{d.column}: {d.code} {d.severity} [{d.name}] {d.message}")
            out.append(f'    <testcase name={quoteattr("steplint." + d.code)} classname={quoteattr(file)} file={quoteattr(file)} line="{d.line}">')
            if d.severity >= report.fail_on:
                out.append(f'      <failure message={quoteattr(d.message)} type={quoteattr(str(d.severity))}>{text}</failure>')
            else:
                out.append("      <properties>")
                out.append(f'        <property name="code" value={quoteattr(d.code)}/>')
                out.append(f'        <property name="severity" value={quoteattr(str(d.severity))}/>')
                out.append("      </properties>")
                out.append(f"      <system-out>{text}</system-out>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"
