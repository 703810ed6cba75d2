"""Read a law file (`--law-file law.json`, as `steplint fit` writes it): the keys of
data/steplaw.json. Errors are ValueErrors with one line naming the file and what is wrong."""

from __future__ import annotations

import json
import math
from typing import Any

from steplint.laws.steplaw import StepLaw

COEFFICIENTS = ("lr_intercept", "lr_coefN", "lr_coefD", "bs_intercept", "bs_coefD")
RANGES = ("n_params", "tokens", "tokens_per_param", "seq_len")


def _number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def parse_law(data: Any, source: str = "law file") -> StepLaw:
    """A StepLaw from the decoded JSON; a range the file lacks for MoE is its dense range."""
    if not isinstance(data, dict):
        raise ValueError(f"{source}: not a JSON object with the keys of data/steplaw.json")
    mean = data.get("mean")
    if not isinstance(mean, dict) or not all(_number(mean.get(k)) for k in COEFFICIENTS):
        raise ValueError(f"{source}: 'mean' needs numbers {', '.join(COEFFICIENTS)}")
    cov = data.get("covariance")
    if not (isinstance(cov, list) and len(cov) == 5 and all(isinstance(r, list) and len(r) == 5 and all(map(_number, r)) for r in cov)):
        raise ValueError(f"{source}: 'covariance' needs a 5x5 matrix of numbers (order {', '.join(COEFFICIENTS)})")
    fitted = data.get("fitted_range")
    if not isinstance(fitted, dict) or not all(
            isinstance(fitted.get(k), list) and len(fitted[k]) == 2 and all(map(_number, fitted[k])) for k in RANGES):
        raise ValueError(f"{source}: 'fitted_range' needs [low, high] for {', '.join(RANGES)}")
    moe = data.get("moe_range") or {}
    moe = {k: moe.get(k, fitted.get(k)) for k in ("n_params", "tokens", "tokens_per_param")} | {
        "active_fraction": moe.get("active_fraction", [1.0, 1.0])}
    return StepLaw.from_data({"mean": mean, "covariance": cov, "fitted_range": fitted, "moe_range": moe})


def load_law_file(path: str) -> StepLaw:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as error:
        raise ValueError(f"{path}: cannot read the law file: {error.strerror or error}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not valid JSON: {error}") from None
    return parse_law(data, path)
