import pytest

from upstream_check import check_text

UNRELATED = {
    "package.json": '{"name": "web", "version": "1.0.0", "dependencies": {}}\n',
    "ci.yml": "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
    "pyproject.toml": '[project]\nname = "x"\nversion = "1"\n',
}


@pytest.mark.parametrize("name", sorted(UNRELATED))
def test_an_unrelated_file_is_info_and_never_fails(tmp_path, name):
    code, found = check_text(tmp_path, name, UNRELATED[name])
    assert code == 0
    assert found == [("SL003", 1, 1, "info")]


@pytest.mark.parametrize("name", sorted(UNRELATED))
def test_a_forced_dialect_that_does_not_fit_is_an_error(tmp_path, name):
    code, found = check_text(tmp_path, name, UNRELATED[name], "--dialect", "megatron")
    assert code == 1 and ("SL003", 1, 1, "error") in found


def test_a_training_config_is_not_unknown(tmp_path):
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "fixtures" / "check" / "off_optimum.yaml").read_text()
    _, found = check_text(tmp_path, "train.yaml", text)
    assert not any(f[0] == "SL003" for f in found)


@pytest.mark.parametrize("name, text", [
    ("dup.toml", "[a]\nx = 1\n[a]\ny = 2\n"),  # SL002: tomllib refuses the file
    ("dup.json", '{"a": 1, "a": 2'),  # SL001
])
def test_an_unparsable_file_is_not_also_called_empty(tmp_path, name, text):
    _, found = check_text(tmp_path, name, text)
    assert [f[0] for f in found] in (["SL002"], ["SL001"])


def test_an_empty_file_is_sl003(tmp_path):
    assert check_text(tmp_path, "empty.toml", "")[1] == [("SL003", 1, 1, "info")]
