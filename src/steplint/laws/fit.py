"""Refit Step Law on your own sweep: the procedure of Step Law's `fit_tool.py` (arXiv 2503.04715,
repo step-law/steplaw, commit 32a8f4c; docs steplaw.md section 2.1), with numpy.

1. Group runs by (N, D); keep every run whose final smoothed loss is within `threshold`
   (0.25%) of its group's best, not just the argmin.
2. Batch in tokens (sequences x seq_len).
3. Ordinary least squares of ln lr on [1, ln N, ln D] and of ln B on [1, ln D] over all kept
   runs: that is `mean`. Bootstrap (resample the kept runs with replacement) for the 5x5
   `covariance` of (lr_intercept, lr_coefN, lr_coefD, bs_intercept, bs_coefD).

The output has the keys of data/steplaw.json, so `--law-file` reads it anywhere. numpy is
imported here only (the `fit` extra); nothing on the `check` path imports this module.
"""

from __future__ import annotations

import csv
import hashlib
import math
from typing import Any, Callable, Iterable, Optional

from steplint._namedtuple import NamedTuple

import numpy as np

# Column names: the released Step Law CSVs' first, then documented alternatives.
COLUMNS = {
    "lr": ("lr", "learning_rate", "peak_lr"),
    "loss": ("smooth loss", "smooth_loss", "smoothed_loss", "loss", "final_loss"),
    "n_params": ("N", "n_params", "params"),
    "tokens": ("D", "tokens", "n_tokens"),
    "seq_len": ("seq_len", "seq_length", "sequence_length"),
}
BATCH_SEQUENCES = ("batch_sequences", "global_batch_sequences")  # say their unit
BATCH_TOKENS = ("batch_tokens", "global_batch_tokens")
BATCH_AMBIGUOUS = ("bs", "batch_size", "global_batch_size", "batch")  # unit from --batch-unit
COEFFICIENTS = ("lr_intercept", "lr_coefN", "lr_coefD", "bs_intercept", "bs_coefD")


class FitError(ValueError):
    """A sweep that cannot be fitted: the message names the file and what to change."""


class Options(NamedTuple):
    bootstrap: int = 1000
    seed: int = 42
    threshold: float = 0.0025
    seq_len: int = 2048
    batch_unit: str = "sequences"  # for a `bs`-like column


class Sweep(NamedTuple):
    lr: np.ndarray
    batch_tokens: np.ndarray
    loss: np.ndarray
    n_params: np.ndarray
    tokens: np.ndarray
    seq_len: np.ndarray
    columns: dict[str, str]  # role -> column name used (and batch_unit -> its unit)


def _pick(header: list[str], names: Iterable[str]) -> Optional[str]:
    lowered = {h.strip().lower(): h for h in header}
    return next((lowered[n.lower()] for n in names if n.lower() in lowered), None)


def read_sweep(path: str, options: Options = Options()) -> Sweep:
    """The runs of a CSV sweep, with clear errors for missing columns and bad values."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = list(reader.fieldnames or [])
            rows = list(reader)
    except OSError as error:
        raise FitError(f"{path}: cannot read: {error.strerror or error}") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise FitError(f"{path}: not a readable CSV file: {error}") from None
    used = {role: _pick(header, names) for role, names in COLUMNS.items()}
    missing = [f"{role} (one of: {', '.join(COLUMNS[role])})" for role in ("lr", "loss", "n_params", "tokens")
               if used[role] is None]
    batch_col: Optional[str] = None
    unit = ""
    for names, the_unit in ((BATCH_TOKENS, "tokens"), (BATCH_SEQUENCES, "sequences"), (BATCH_AMBIGUOUS, options.batch_unit)):
        batch_col = _pick(header, names)
        if batch_col:
            unit = the_unit
            break
    if batch_col is None:
        missing.append(f"batch (one of: {', '.join(BATCH_TOKENS + BATCH_SEQUENCES + BATCH_AMBIGUOUS)})")
    if missing:
        raise FitError(f"{path}:1: missing column(s) {'; '.join(missing)}; found {', '.join(header) or 'no header'}")
    if not rows:
        raise FitError(f"{path}: no runs (only a header)")
    used["batch"] = batch_col

    def column(role: str, default: Optional[float] = None) -> np.ndarray:
        name = used[role]
        values = []
        for line, row in enumerate(rows, start=2):
            raw = row.get(name) if name else None
            given = raw if name else default
            try:
                if given is None:  # a short row (or no default): what float(None) raised
                    raise TypeError("no value")
                value = float(given)
            except (TypeError, ValueError):
                raise FitError(f"{path}:{line}: column {name!r} is {raw!r}, not a number") from None
            if role != "loss" and not (math.isfinite(value) and value > 0):
                raise FitError(f"{path}:{line}: column {name!r} is {raw!r}; it must be a positive number")
            values.append(value)
        return np.asarray(values, dtype=float)

    seq_len = column("seq_len", options.seq_len)
    batch = column("batch")
    return Sweep(lr=column("lr"), batch_tokens=batch * seq_len if unit == "sequences" else batch,
                 loss=column("loss"), n_params=column("n_params"), tokens=column("tokens"), seq_len=seq_len,
                 columns={**{k: v for k, v in used.items() if v}, "batch_unit": unit})


def near_optimal(sweep: Sweep, threshold: float) -> np.ndarray:
    """Boolean mask of the runs within `threshold` of their (N, D) group's best smoothed
    loss (fit_tool.py `query_optimal_lr_bs_data`). A run with a non-finite or non-positive
    loss (diverged, not logged) is never kept and never a group's best."""
    valid = np.isfinite(sweep.loss) & (sweep.loss > 0)
    keep = np.zeros(sweep.loss.shape, dtype=bool)
    for key in set(zip(sweep.n_params.tolist(), sweep.tokens.tolist())):
        group = (sweep.n_params == key[0]) & (sweep.tokens == key[1]) & valid
        if group.any():
            best = sweep.loss[group].min()
            keep |= group & (np.abs(sweep.loss / best - 1.0) < threshold)
    return keep


def _ols(design: np.ndarray, target: np.ndarray) -> np.ndarray:
    solution: np.ndarray = np.linalg.lstsq(design, target, rcond=None)[0]
    return solution


def coefficients(ln_n: np.ndarray, ln_d: np.ndarray, ln_lr: np.ndarray, ln_b: np.ndarray) -> np.ndarray:
    """(lr_intercept, lr_coefN, lr_coefD, bs_intercept, bs_coefD) by least squares."""
    ones = np.ones_like(ln_n)
    lr = _ols(np.column_stack([ones, ln_n, ln_d]), ln_lr)
    bs = _ols(np.column_stack([ones, ln_d]), ln_b)
    return np.concatenate([lr, bs])


def fit(sweep: Sweep, options: Options = Options(),
        progress: Callable[[Iterable[int]], Iterable[int]] = lambda it: it,
        source: str = "sweep") -> dict[str, Any]:
    """The law file (a dict with the keys of data/steplaw.json, JSON values) for `sweep`."""
    keep = near_optimal(sweep, options.threshold)
    groups = set(zip(sweep.n_params[keep].tolist(), sweep.tokens[keep].tolist()))
    n_values, d_values = set(sweep.n_params[keep].tolist()), set(sweep.tokens[keep].tolist())
    if len(groups) < 3 or len(n_values) < 2 or len(d_values) < 2:
        raise FitError(f"{source}: too few (N, D) groups to fit: {len(groups)} group(s) with {len(n_values)} "
                       f"distinct N and {len(d_values)} distinct D; the fit needs at least 3 groups, 2 values "
                       f"of N and 2 of D")
    ln_n, ln_d = np.log(sweep.n_params[keep]), np.log(sweep.tokens[keep])
    ln_lr, ln_b = np.log(sweep.lr[keep]), np.log(sweep.batch_tokens[keep])
    mean = coefficients(ln_n, ln_d, ln_lr, ln_b)
    rng = np.random.default_rng(options.seed)
    size = int(keep.sum())
    fits = []
    for _ in progress(range(options.bootstrap)):
        idx = rng.integers(0, size, size)
        fits.append(coefficients(ln_n[idx], ln_d[idx], ln_lr[idx], ln_b[idx]))
    covariance = np.cov(np.asarray(fits), rowvar=False, ddof=1) if len(fits) > 1 else np.zeros((5, 5))
    n, d = sweep.n_params[keep], sweep.tokens[keep]

    def span(a: np.ndarray) -> list[float]:  # a two-number range
        return [float(a.min()), float(a.max())]

    return {
        "description": "Step Law refitted on a user sweep (steplint fit): ln lr = lr_intercept + lr_coefN ln N "
                       "+ lr_coefD ln D; ln batch_tokens = bs_intercept + bs_coefD ln D.",
        "coefficient_names": list(COEFFICIENTS),
        "n_fits": len(fits),
        "mean": dict(zip(COEFFICIENTS, map(float, mean))),
        "covariance": [[float(v) for v in row] for row in covariance],
        "covariance_ddof": 1,
        "fitted_range": {"n_params": span(n), "tokens": span(d), "tokens_per_param": span(d / n),
                         "seq_len": span(sweep.seq_len[keep])},
        "runs": {"read": int(sweep.lr.size), "kept": size, "groups": len(groups)},
    }


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()
