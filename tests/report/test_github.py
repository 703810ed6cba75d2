from golden_cases import check_golden, report

from steplint.report import render
from steplint.report.github import escape_data, escape_property


def test_github_golden():
    check_golden("github.txt", render("github", report()))


def test_escaping():
    assert escape_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_errors_come_first_and_levels_map():
    lines = render("github", report()).splitlines()
    assert lines[0].startswith("::error file=configs/broken.yaml,line=2,col=1,endLine=2,endColumn=1,title=steplint SL001 (parse-error)::")
    assert [l.split(" ", 1)[0] for l in lines[:-1]] == ["::error", "::error", "::warning", "::warning", "::notice"]
    assert "::train_batch_size%3A" not in "\n".join(lines)  # the message keeps ':' (only properties escape it)
    assert "file=configs/ds config.json" in "\n".join(lines)
    assert "%0Asecond line" in "\n".join(lines)
