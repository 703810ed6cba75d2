import pytest

from upstream_check import check_text

DUPLICATES = {
    "dup.yaml": ("lr: 1.0e-4\nmin_lr: 1.0e-5\nlr: 3.0e-4\n", (3, 1)),
    "dup.json": ('{"lr": 1e-4,\n "lr": 3e-4}\n', (2, 2)),
    "dup.toml": ("[training]\nlr = 1e-4\n[training]\nlr = 2e-4\n", None),
}


@pytest.mark.parametrize("name", sorted(DUPLICATES))
def test_a_duplicate_key_is_an_error_at_the_second_key(tmp_path, name):
    text, at = DUPLICATES[name]
    code, found = check_text(tmp_path, name, text)
    assert code == 1
    hits = [f for f in found if f[0] in ("SL002", "SL001")]  # a repeated TOML table is a parse error to TOML
    assert hits and all(f[3] == "error" for f in hits)
    if at is not None:
        assert ("SL002", *at, "error") in found


@pytest.mark.parametrize("name, text", [
    ("ok.yaml", "lr: 1.0e-4\nmin_lr: 1.0e-5\n"), ("ok.json", '{"lr": 1e-4, "min_lr": 1e-5}\n'),
    ("ok.toml", "[a]\nlr = 1e-4\n[b]\nlr = 2e-4\n"),
])
def test_distinct_keys_are_clean(tmp_path, name, text):
    _, found = check_text(tmp_path, name, text)
    assert not any(f[0] == "SL002" for f in found)
