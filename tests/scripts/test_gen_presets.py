"""scripts/gen_presets.py: the shipped tables are what the generator makes from the pinned
upstream commits (skipped where the mirrors are absent), and its source reading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import load_script

gen = load_script("gen_presets")


def test_flavor_keywords_override_dataclass_defaults_and_nest():
    source = (
        "from dataclasses import dataclass, field\n"
        "@dataclass\nclass MoEArgs:\n    num_experts: int = 8\n    top_k: int = 1\n"
        "@dataclass\nclass Args:\n    dim: int = 16\n    n_kv_heads: int | None = None\n"
        "    moe_args: MoEArgs = field(default_factory=MoEArgs)\n"
    )
    classes = gen._dataclass_defaults(source, {})
    assert classes["Args"] == {"dim": 16, "n_kv_heads": None, "moe_args": {"num_experts": 8, "top_k": 1}}
    import ast

    call = ast.parse("Args(dim=-4, moe_args=MoEArgs(top_k=2), f=fn(3))").body[0].value
    assert gen._literal(call, classes) == {"dim": -4, "n_kv_heads": None, "moe_args": {"num_experts": 8, "top_k": 2},
                                           "f": {"_expr": "fn(3)"}}


@pytest.mark.parametrize("which", sorted(gen.GENERATORS))
def test_shipped_table_equals_the_generator_output(which):
    function, filename, mirror = gen.GENERATORS[which]
    if not Path(mirror).exists():
        pytest.skip(f"upstream mirror {mirror} is absent (fetch it to regenerate data/{filename})")
    fresh = function(Path(mirror))
    shipped = json.loads((gen.DATA / filename).read_text())
    assert fresh == shipped
