"""The shared Megatron/NeMo/DeepSpeed/NeoX corpus (../shared/corpus/configs/expected.json),
checked through resolve.load_recipe: each dialect's test module runs its own entries."""

from __future__ import annotations

import json
import math

from conftest import shared_path
from steplint.resolve import load_recipe
from steplint.settings import RecipeGroup, Settings

# expected.json names -> Recipe fields (its SOURCES.md)
FIELDS = {"N": "n_params", "N_active": "n_params_active", "tokens_D": "tokens", "decay_steps": "decay_end_step"}
NUMERIC = ("N", "N_active", "tokens_D", "global_batch_sequences", "seq_len", "global_batch_tokens", "peak_lr",
           "min_lr", "warmup_steps", "decay_steps", "train_steps")
STEPS = ("warmup_steps", "decay_steps", "train_steps")


def expected() -> dict:
    return json.loads(shared_path("corpus", "configs", "expected.json").read_text())


def entries(prefix: str) -> list[str]:
    """Corpus paths under `prefix` (collected without ../shared: then the test skips)."""
    try:
        return sorted(k for k in expected() if k.startswith(prefix))
    except BaseException:  # pytest.skip outside a test: collect a placeholder that skips
        return ["(corpus absent)"]


def _close(got, want, key: str, ramp: bool) -> bool:
    if key in STEPS and ramp:
        return got is not None and abs(got - want) <= 1
    if key in ("N", "N_active") or isinstance(want, str):
        return got == want
    return got is not None and math.isclose(got, want, rel_tol=1e-9)


def check_entry(rel: str) -> None:
    """Every non-null value equal, every `needs` field missing, `if_world_size` values with
    the world size given."""
    table = expected()
    if rel not in table:
        shared_path("corpus", "configs", rel)  # skips when absent
    want = table[rel]
    path = str(shared_path("corpus", "configs", rel))
    recipe = load_recipe([path], Settings()).recipe
    ramp = "rampup_batch_size" in (want.get("native") or {})
    wrong = []
    for key in NUMERIC + ("decay_style",):
        value = want.get(key)
        if value is None:
            continue
        got = recipe.value(FIELDS.get(key, key))
        if not _close(got, value, key, ramp):
            wrong.append(f"{key}: want {value!r}, got {got!r}")
    missing = {m.field for m in recipe.missing}
    for name in want.get("needs", ()):
        if name not in missing:
            wrong.append(f"{name} should be reported missing, got {recipe.value(name)!r}")
    sized = want.get("if_world_size")
    if sized:
        again = load_recipe([path], Settings(world_size=sized["world_size"])).recipe
        for key, value in sized.items():
            got = again.value(FIELDS.get(key, key))
            if not _close(got, value, key, ramp):
                wrong.append(f"with world size {sized['world_size']}: {key} want {value!r}, got {got!r}")
    assert not wrong, f"{rel}: " + "; ".join(wrong)


def check_merged(rel: str) -> None:
    """A split config declared as one recipe yields the `merged` values."""
    want = expected()[rel]["merged"]
    files = [str(shared_path("corpus", "configs", f)) for f in want["with"]]
    settings = Settings(recipes=(RecipeGroup(files=tuple(files), origin="test"),))
    from steplint.grouping import plan_recipes

    (plan,) = plan_recipes([files[0]], settings)
    assert plan.reported == (files[0],) and plan.files == tuple(files)
    recipe = load_recipe(plan.files, settings).recipe
    for key, value in want.items():
        if key in ("with", "needs", "global_batch_formula"):
            continue
        got = recipe.value(FIELDS.get(key, key))
        assert got == value or (value is not None and got is not None and math.isclose(got, value, rel_tol=1e-9)), \
            f"merged {key}: want {value!r}, got {got!r}"
    missing = {m.field for m in recipe.missing}
    assert set(want["needs"]) <= missing
