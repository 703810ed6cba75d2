from golden_cases import DIAGNOSTICS, check_golden, clean_report, report

from steplint.report import render


def test_text_golden():
    check_golden("text.txt", render("text", report()))


def test_text_golden_with_statistics():
    check_golden("text-statistics.txt", render("text", report(statistics=True)))


def test_each_line_is_path_line_col_code_name_message():
    first = render("text", report()).splitlines()[0]
    d = DIAGNOSTICS[0]
    assert first == f"{d.file}:{d.line}:{d.column}: {d.code} {d.severity} [{d.name}] {d.message}"


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


def test_every_line_states_its_severity_in_words():
    lines = render("text", report()).splitlines()[:-1]
    assert [ln.split(f"{d.column}: {d.code} ", 1)[1].split(" ")[0] for ln, d in zip(lines, DIAGNOSTICS)] == [
        str(d.severity) for d in DIAGNOSTICS]


def test_statistics_prints_the_table_and_the_summary_only():
    lines = render("text", report(statistics=True)).splitlines()
    assert all(ln.count("\t") == 2 for ln in lines[:-1]) and len(lines) == 6


def test_quiet_drops_the_summary():
    out = render("text", report(quiet=True))
    assert "Found" not in out and len(out.splitlines()) == len(DIAGNOSTICS)
    assert render("text", clean_report()._replace(quiet=True)) == ""


SOURCE = "model:\n  hidden_size: 2048\noptim:\n\tlr: 8.0e-3\n"


def test_full_golden():
    from steplint.diagnostics import Diagnostic, Severity

    d = Diagnostic("SL302", "steplaw-lr", Severity.WARNING, "peak LR 8.0e-3 is 5x the optimum", "cfg.yaml", 4, 6, 4, 12)
    multi = Diagnostic("SL303", "steplaw-batch", Severity.INFO, "spans lines", "cfg.yaml", 1, 1, 2, 5)
    gone = Diagnostic("SL003", "unknown-format", Severity.INFO, "no source", "other.yaml", 3, 1)
    rep = report(diagnostics=(multi, d, gone), files_checked=2, hidden_unsafe=0, sources={"cfg.yaml": SOURCE})
    check_golden("text-full.txt", render("full", rep))


def test_full_caret_sits_under_the_span():
    from steplint.diagnostics import Diagnostic, Severity

    d = Diagnostic("SL302", "steplaw-lr", Severity.WARNING, "m", "cfg.yaml", 2, 16, 2, 20)
    out = render("full", report(diagnostics=(d,), sources={"cfg.yaml": SOURCE})).splitlines()
    assert out[2] == "2 |   hidden_size: 2048"
    assert out[3].index("^") == out[2].index("2048") and out[3].count("^") == 4


def test_full_source_line_shows_no_control_character():
    """A hostile file's NUL or ANSI escape is shown as U+FFFD, one column each, so the caret
    still sits under the span and the reader's terminal gets no escape sequence."""
    from steplint.diagnostics import Diagnostic, Severity

    d = Diagnostic("SL302", "steplaw-lr", Severity.WARNING, "m", "cfg.yaml", 1, 11, 1, 15)
    out = render("full", report(diagnostics=(d,), sources={"cfg.yaml": "\x00\x1b[31mlr: 8e-3\n"})).splitlines()
    assert "\x00" not in out[2] and "\x1b" not in out[2]
    assert out[2] == "1 | \ufffd\ufffd[31mlr: 8e-3"
    assert out[3].index("^") == out[2].index("8e-3") and out[3].count("^") == 4


def test_full_long_source_line_is_a_window_around_the_span():
    from steplint.diagnostics import Diagnostic, Severity

    line = "x" * 5000 + " lr: 8e-3 " + "y" * 5000
    col = line.index("8e-3") + 1
    d = Diagnostic("SL302", "steplaw-lr", Severity.WARNING, "m", "cfg.yaml", 1, col, 1, col + 4)
    out = render("full", report(diagnostics=(d,), sources={"cfg.yaml": line + "\n"})).splitlines()
    assert len(out[2]) < 200 and out[2].startswith("1 | ...") and out[2].endswith("...")
    assert out[2][out[3].index("^"):out[3].index("^") + 4] == "8e-3" and out[3].count("^") == 4
