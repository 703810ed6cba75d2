import os

import pytest

from steplint.files import MissingPathError, expand, parse_gitignore, walk
from steplint.settings import Settings


def _tree(root, paths):
    for p in paths:
        f = root / p
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("a: 1\n")


def _rel(root, found):
    return sorted(os.path.relpath(f, root).replace(os.sep, "/") for f in found)


def test_walk_keeps_config_suffixes_and_skips_hidden_and_default_excludes(tmp_path):
    _tree(tmp_path, ["a.yaml", "b.yml", "c.json", "d.toml", "e.sh", "f.slurm", "g.py", "README.md",
                     ".github/workflows/ci.yml", "node_modules/x/package.json", ".venv/lib/x.yaml", "sub/h.yaml"])
    assert _rel(tmp_path, walk(str(tmp_path))) == ["a.yaml", "b.yml", "c.json", "d.toml", "e.sh", "f.slurm", "sub/h.yaml"]


def test_walk_honours_gitignore_at_every_level(tmp_path):
    _tree(tmp_path, ["keep.yaml", "out/run.yaml", "logs/a.json", "sub/gen_1.yaml", "sub/keep.yaml", "sub/deep/x.yaml"])
    (tmp_path / ".gitignore").write_text("# comment\nout/\n*.json\n/sub/deep\n")
    (tmp_path / "sub" / ".gitignore").write_text("gen_*.yaml\n")
    assert _rel(tmp_path, walk(str(tmp_path))) == ["keep.yaml", "sub/keep.yaml"]
    assert "out/run.yaml" in _rel(tmp_path, walk(str(tmp_path), respect_gitignore=False))


def test_gitignore_negation():
    rules = parse_gitignore("*.yaml\n!keep.yaml\n")
    assert [r.negated for r in rules] == [False, True]


def test_settings_excludes(tmp_path):
    _tree(tmp_path, ["a.yaml", "legacy/b.yaml", "c.yaml"])
    settings = Settings(extend_exclude=("legacy", "c.yaml"))
    assert _rel(tmp_path, expand([str(tmp_path)], settings)) == ["a.yaml"]


def test_named_files_are_always_checked_and_deduplicated(tmp_path):
    _tree(tmp_path, ["g.py", "a.yaml"])
    found = list(expand([str(tmp_path / "g.py"), str(tmp_path), str(tmp_path / "a.yaml"), "-"]))
    assert _rel(tmp_path, found[:-1]) == ["a.yaml", "g.py"] and found[-1] == "-"


def test_missing_path(tmp_path):
    with pytest.raises(MissingPathError, match="no such file"):
        list(expand([str(tmp_path / "nope.yaml")]))
