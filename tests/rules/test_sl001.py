import pytest

from upstream_check import check_text

BROKEN = {
    # text, the lines a parser may blame (where the value is missing, or end of input)
    "broken.yaml": ("model:\n  hidden_size: 4096\n  lr: [1e-4,\n", (3, 4)),
    "broken.json": ('{\n  "lr": 1e-4,\n  "train_batch_size": \n}\n', (3, 4)),
    "broken.toml": ("[optim]\nlr = 1e-4\nbeta = [0.9,\n", (3, 4)),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_file_that_does_not_parse_is_an_error_with_its_line(tmp_path, name):
    text, lines = BROKEN[name]
    code, found = check_text(tmp_path, name, text)
    assert code == 1
    [(rule, at_line, column, severity)] = [f for f in found if f[0] == "SL001"]
    assert severity == "error" and at_line in lines and column >= 1


@pytest.mark.parametrize("name, text", [
    ("ok.yaml", "lr: 1.0e-4\n"), ("ok.json", '{"lr": 1e-4}\n'), ("ok.toml", "lr = 1e-4\n"),
])
def test_a_file_that_parses_has_no_parse_error(tmp_path, name, text):
    _, found = check_text(tmp_path, name, text)
    assert not any(f[0] == "SL001" for f in found)
