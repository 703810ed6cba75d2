from golden_cases import DIAGNOSTICS, check_golden, clean_report, report

from steplint.report import render


def test_text_golden():
    check_golden("text.txt", render("text", report()))


def test_text_golden_with_statistics():
    check_golden("text-statistics.txt", render("text", report(statistics=True)))


def test_each_line_is_path_line_col_code_name_message():
    first = render("text", report()).splitlines()[0]
    d = DIAGNOSTICS[0]
    assert first == f"{d.file}:{d.line}:{d.column}: {d.code} [{d.name}] {d.message}"


def test_summary_counts_by_severity_and_fixable():
    last = render("text", report()).splitlines()[-1]
    assert last == ("Found 5 problems (2 errors, 2 warnings, 1 info) in 4 files checked. "
                    "1 fixable with `--fix`. 1 more with `--fix --unsafe-fixes`.")


def test_only_info_does_not_fail():
    from steplint.report import Report

    info = Report(diagnostics=(DIAGNOSTICS[-1],), files_checked=1)
    assert info.failing() == 0
    assert render("text", info).splitlines()[-1].endswith("none at or above warning.")


def test_clean_run():
    assert render("text", clean_report()) == "All checks passed (2 files checked).\n"


def test_colour_only_when_asked():
    assert "\x1b[" not in render("text", report())
    coloured = render("text", report(color=True))
    assert "\x1b[1;31mSL001\x1b[0m" in coloured and "\x1b[1;33mSL301\x1b[0m" in coloured
