"""The layering walls (architecture.md section 2), held on the source tree: a rule never
imports a dialect, a reporter never imports the rules, a law knows no linter, dialect or
CLI, documents and the Recipe know no dialect; and no rule module spells a key of the
dialects' glue tables (steplint.dialects.glue) outside its documentation."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from steplint.dialects.glue import GLUE
from steplint.recipe import FIELD_UNITS

SRC = Path(__file__).resolve().parents[1] / "src" / "steplint"
WALLS = (
    ("rules", ("steplint.dialects",)),
    ("report", ("steplint.rules",)),
    ("laws", ("steplint.rules", "steplint.dialects", "steplint.commands", "steplint.cli")),
    ("documents", ("steplint.dialects",)),
    ("recipe.py", ("steplint.dialects",)),
    ("glue.py", ("steplint.dialects", "steplint.rules")),
)


def _modules(where: str) -> list[Path]:
    path = SRC / where
    return [path] if where.endswith(".py") else sorted(path.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    """Absolute names a module imports (relative imports resolved, `from a import b` as a.b),
    TYPE_CHECKING blocks and function bodies included, plus dotted names in strings."""
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("steplint."):
            out.add(node.value)
    return out


@pytest.mark.parametrize("where,banned", WALLS)
def test_walls_hold(where, banned):
    crossings = [f"{p.relative_to(SRC)} imports {name}" for p in _modules(where) for name in sorted(_imports(p))
                 if any(name == b or name.startswith(b + ".") for b in banned)]
    assert crossings == []


def test_commands_use_the_api_not_each_other_or_private_rule_helpers():
    """Commands share code through steplint.api and commands/_*.py (CONTRIBUTING.md): a command
    importing another command, or a rule's private helper (rules/_*.py), is a crossing."""
    commands = {p.stem for p in (SRC / "commands").glob("*.py") if not p.stem.startswith("_")}
    crossings = []
    for path in _modules("commands"):
        for name in sorted(_imports(path)):
            parts = name.split(".")
            other_command = (len(parts) >= 3 and parts[:2] == ["steplint", "commands"] and parts[2] in commands
                             and parts[2] != path.stem)
            private_rule = len(parts) >= 3 and parts[:2] == ["steplint", "rules"] and parts[2].startswith("_")
            if other_command or private_rule:
                crossings.append(f"{path.relative_to(SRC)} imports {name}")
    assert crossings == []


def _glue_keys() -> set[str]:
    ds, hf = GLUE.deepspeed, GLUE.hf
    keys = set(ds.markers) | set(hf.markers) | set(hf.filled) | {ds.train, ds.micro, ds.accumulation, ds.betas}
    keys |= {pair.ds_key for pair in hf.pairs} | {pair.hf_key for pair in hf.pairs}
    keys |= {GLUE.hf_scheduler.type_key, GLUE.hf_scheduler.kwargs_key}
    keys |= {flag for table in GLUE.exclusive.values() for rule in table for flag in rule.first + rule.second}
    # Recipe field names (pinned, framework-free: `warmup_steps`) and words rules say in prose are not glue
    return keys - set(FIELD_UNITS) - {"fp16", "bf16", "learning_rate", "weight_decay"}


def _code_strings(tree: ast.AST) -> list[str]:
    """String constants outside docstrings and RuleDocs(...) (documentation may name keys)."""
    docs: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "RuleDocs":
            docs.update(id(n) for n in ast.walk(node))
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node, clean=False):
            docs.add(id(node.body[0].value))
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]


def test_no_rule_module_spells_a_glue_key():
    keys = _glue_keys()
    spelled = {p.name: sorted(set(_code_strings(ast.parse(p.read_text(encoding="utf-8")))) & keys)
               for p in _modules("rules")}
    assert {name: hits for name, hits in spelled.items() if hits} == {}


def test_the_walls_test_can_fail(tmp_path):
    """A rule that imports a dialect, and one that spells a DeepSpeed key, are caught."""
    bad = tmp_path / "steplint" / "rules" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text('from steplint.dialects import glue\nKEY = "train_micro_batch_size_per_gpu"\n', encoding="utf-8")
    assert "steplint.dialects.glue" in _imports_at(bad, tmp_path / "steplint")
    assert set(_code_strings(ast.parse(bad.read_text(encoding="utf-8")))) & _glue_keys()


def _imports_at(path: Path, src: Path) -> set[str]:
    global SRC
    saved, SRC = SRC, src
    try:
        return _imports(path)
    finally:
        SRC = saved
