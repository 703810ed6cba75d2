"""The explicit rule registry: one module per rule, listed here in code order.

To add a rule, add its module name on its own line in `RULE_MODULES`; each module defines
`RULE = Rule(...)`. Modules are imported on first use, not at import of this file.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Optional

from steplint.rules.base import Rule

RULE_MODULES: tuple[str, ...] = (
    "sl001_parse_error",
    "sl002_duplicate_key",
    "sl003_unknown_format",
    "sl004_bad_value",
    "sl005_missing_fact",
    "sl006_conflicting_files",
    "sl007_unresolved_reference",
    "sl008_unused_suppression",
    "sl202_min_lr_order",
    "sl301_steplaw_recipe",
    "sl302_steplaw_lr",
    "sl303_steplaw_batch",
    "sl101_ds_batch_triple",
    "sl102_batch_units",
    "sl103_batch_divisibility",
    "sl201_hf_min_lr_kwargs",
    "sl203_decay_horizon",
    "sl204_warmup_length",
    "sl304_steplaw_range",
    "sl305_steplaw_not_applicable",
    "sl401_tokens_per_param",
    "sl402_token_budget",
    "sl501_adam_beta2",
    "sl502_adam_eps",
    "sl503_weight_decay",
    "sl504_grad_clip",
    "sl601_shape_alignment",
    "sl602_rope_base",
    "sl603_heads_parallel",
    "sl701_ds_hf_mismatch",
    "sl702_ds_auto_outside_hf",
    "sl703_deprecated_key",
    "sl704_incompatible_flags",
)


@lru_cache(maxsize=None)
def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, sorted by code."""
    rules = [importlib.import_module(f"steplint.rules.{name}").RULE for name in RULE_MODULES]
    codes = [r.code for r in rules]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise RuntimeError(f"rule codes registered twice: {', '.join(duplicates)}")
    return tuple(sorted(rules, key=lambda r: r.code))


@lru_cache(maxsize=None)
def _index() -> dict[str, Rule]:
    index: dict[str, Rule] = {}
    for rule in all_rules():
        index[rule.code.upper()] = rule
        index[rule.name.lower()] = rule
    return index


def get_rule(code_or_name: str) -> Optional[Rule]:
    """The rule with this code (`SL302`, any case) or name (`steplaw-lr`), else None."""
    key = code_or_name.strip()
    return _index().get(key.upper()) or _index().get(key.lower())


def find_rules(query: str) -> tuple[Rule, ...]:
    """Rules a partial query names: a code prefix (`SL3`, `sl30`) or a word of the names
    (`steplaw` -> steplaw-recipe, steplaw-lr, ...), for `rules QUERY` and an `explain`
    that names no single rule. Empty when nothing matches."""
    q = query.strip()
    if not q:
        return all_rules()
    if q.upper().startswith("SL") and q[2:].isdigit():
        return tuple(r for r in all_rules() if r.code.startswith(q.upper()))
    word = q.lower()
    return tuple(r for r in all_rules() if word in r.name or word in r.name.replace("-", " "))
