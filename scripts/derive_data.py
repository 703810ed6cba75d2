#!/usr/bin/env python3
"""Regenerate data/steplaw.json from the public Step Law files.

Reads the 1,000 bootstrap fits released with Step Law (arXiv 2503.04715, repo step-law/steplaw,
commit 32a8f4c, data/1004_fitted_lr_bs_scaling_model_parameters.csv) and the two released loss
grids, and writes what steplint needs at run time without numpy:

- the MEAN OF EACH COEFFICIENT: fit_tool.py `pred-opt-lr-bs` predicts with the mean-parameter
  model, not with the mean of the 1,000 predictions (docs steplaw.md section 2.2);
- the covariance of the coefficients. Both laws are linear in log space
  (ln lr = b0 + bN ln N + bD ln D, ln B = c0 + cD ln D), so the bootstrap variance of a log
  prediction is exactly x^T Sigma x, and the band is computed in closed form at run time;
- the ranges the law was fitted on (released grids, plus the points the paper's Fig. 7 legend
  lists that were not released), used to flag extrapolation;
- the law's measured tolerance: where each released (N, D) group's best run sits against the
  law's LR and batch (10th-90th percentile ratios), what placements are worded against.

The CSVs are read, never copied: the source repository has no license (shared/steplaw/SOURCES.md).
Usage: python scripts/derive_data.py [--shared ../shared] [--output data/steplaw.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
BOOTSTRAP_FILE = "1004_fitted_lr_bs_scaling_model_parameters.csv"
DENSE_FILE = "dense_lr_bs_loss.csv"
MOE_FILE = "moe_lr_bs_loss.csv"
COEFFICIENTS = ("lr_intercept", "lr_coefN", "lr_coefD", "bs_intercept", "bs_coefD")

# Dense fit points shown in the paper's Fig. 7 legend (project page step-law.github.io, img7.png)
# but absent from dense_lr_bs_loss.csv: models of 59M and 119M non-embedding parameters and
# runs of 2B tokens (docs steplaw.md sections 2.5 and 3.1). They widen the fitted range.
FIG7_EXTRA_N = (5.9e7, 1.19e8)
FIG7_EXTRA_D = (2e9,)

# The grids report batch in sequences of this length (steplaw.md section 3.3: 2048 only).
GRID_SEQ_LEN = 2048
# A run whose final smoothed loss exceeds this diverged (steplaw.md section 5.2).
DIVERGED_LOSS = 4.0


def read_columns(path: Path) -> dict[str, list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {key: [row[key] for row in rows] for key in rows[0]}


def span(values) -> list[float]:
    values = np.asarray(values, dtype=float)
    return [float(values.min()), float(values.max())]


def grid_ranges(columns: dict[str, list[str]], *, moe: bool) -> dict:
    n = np.asarray(columns["N"], dtype=float)
    d = np.asarray(columns["D"], dtype=float)
    seq_len = np.asarray(columns["seq_len"], dtype=float) if "seq_len" in columns else np.full(n.shape, GRID_SEQ_LEN)
    out = {
        "runs": int(n.size),
        "n_params": span(n),
        "tokens": span(d),
        "tokens_per_param": span(d / n),
        "seq_len": span(seq_len),
        "lr": span(np.asarray(columns["lr"], dtype=float)),
        "batch_tokens": span(np.asarray(columns["bs"], dtype=float) * seq_len),
    }
    if moe:
        out["active_fraction"] = span(np.asarray(columns["Na"], dtype=float) / n)
    return out


TOLERANCE_PERCENTILES = (10, 90)


def tolerance(shared: Path, mean: dict) -> dict:
    """How far each (N, D) group's best run sits from the law's optimum: the law's measured
    tolerance on its own grids (the bootstrap band is the uncertainty of the fitted mean, not
    this). Every released group is inside the fitted range; MoE groups are keyed by configuration
    (two configurations share N) and use total N, as the law does. Diverged runs cannot be best."""
    best: dict[str, tuple[float, float, float, float, float]] = {}
    for name, family in ((DENSE_FILE, "dense"), (MOE_FILE, "moe")):
        with open(shared / "steplaw" / name, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                group = f"{family}:{row.get('moe_name') or row['N']}:{row['D']}"
                loss = float(row["smooth loss"])
                seq_len = float(row.get("seq_len") or GRID_SEQ_LEN)
                if group not in best or loss < best[group][0]:
                    best[group] = (loss, float(row["N"]), float(row["D"]), float(row["lr"]), float(row["bs"]) * seq_len)
    lr_ratio, batch_ratio = [], []
    for _, n, d, lr, batch in best.values():
        lr_ratio.append(lr / np.exp(mean["lr_intercept"] + mean["lr_coefN"] * np.log(n) + mean["lr_coefD"] * np.log(d)))
        batch_ratio.append(batch / np.exp(mean["bs_intercept"] + mean["bs_coefD"] * np.log(d)))
    lo, hi = TOLERANCE_PERCENTILES
    return {
        "description": "best run of each released (N, D) group / the law's optimum: "
        f"{lo}th and {hi}th percentiles over the groups, and the extremes",
        "groups": len(best),
        "percentiles": [lo, hi],
        "lr_ratio": [float(np.percentile(lr_ratio, lo)), float(np.percentile(lr_ratio, hi))],
        "batch_ratio": [float(np.percentile(batch_ratio, lo)), float(np.percentile(batch_ratio, hi))],
        "lr_ratio_extremes": [float(min(lr_ratio)), float(max(lr_ratio))],
        "batch_ratio_extremes": [float(min(batch_ratio)), float(max(batch_ratio))],
    }


def derive(shared: Path) -> dict:
    steplaw_dir = shared / "steplaw"
    boot = read_columns(steplaw_dir / BOOTSTRAP_FILE)
    fits = np.column_stack([np.asarray(boot[name], dtype=float) for name in COEFFICIENTS])
    mean = fits.mean(axis=0)
    covariance = np.cov(fits, rowvar=False, ddof=1)

    dense = grid_ranges(read_columns(steplaw_dir / DENSE_FILE), moe=False)
    moe = grid_ranges(read_columns(steplaw_dir / MOE_FILE), moe=True)

    n_lo = min(dense["n_params"][0], *FIG7_EXTRA_N)
    n_hi = dense["n_params"][1]
    d_lo = min(dense["tokens"][0], *FIG7_EXTRA_D)
    d_hi = dense["tokens"][1]
    # D/N over the fit set: Fig. 7 pairs the 1.07B model with 2B tokens (ratio 1.9); which
    # budgets the small Fig. 7 models ran is not stated, so the top stays the released 466.
    ratio_lo = min(dense["tokens_per_param"][0], d_lo / n_hi)
    ratio_hi = dense["tokens_per_param"][1]

    return {
        "description": "Step Law mean coefficients and their bootstrap covariance (natural logs): "
        "ln lr = lr_intercept + lr_coefN ln N + lr_coefD ln D; ln batch_tokens = bs_intercept + bs_coefD ln D.",
        "provenance": {
            "paper": "arXiv 2503.04715 (Predictable Scale: Part I, Step Law)",
            "repository": "https://github.com/step-law/steplaw",
            "commit": "32a8f4c",
            "file": f"data/{BOOTSTRAP_FILE}",
            "grids": [f"data/{DENSE_FILE}", f"data/{MOE_FILE}"],
            "fig7_extra_points": "59M and 119M models and 2B-token runs from the paper's Fig. 7 legend "
            "(https://step-law.github.io, img7.png), not in the released grids",
            "script": "scripts/derive_data.py",
        },
        "coefficient_names": list(COEFFICIENTS),
        "n_fits": int(fits.shape[0]),
        "mean": dict(zip(COEFFICIENTS, map(float, mean))),
        "covariance": [[float(v) for v in row] for row in covariance],
        "covariance_ddof": 1,
        "min_lr": 1e-5,
        "fitted_range": {
            "n_params": [n_lo, n_hi],
            "tokens": [d_lo, d_hi],
            "tokens_per_param": [ratio_lo, ratio_hi],
            "seq_len": dense["seq_len"],
        },
        "moe_range": {
            "n_params": moe["n_params"],
            "tokens": moe["tokens"],
            "tokens_per_param": moe["tokens_per_param"],
            "active_fraction": moe["active_fraction"],
            "seq_len": moe["seq_len"],
        },
        "grids": {"dense": dense, "moe": moe},
        "tolerance": tolerance(shared, dict(zip(COEFFICIENTS, map(float, mean)))),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO_ROOT.parent / "shared",
                        help="folder holding steplaw/*.csv (default: ../shared beside the repository)")
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "data" / "steplaw.json")
    args = parser.parse_args(argv)
    if not (args.shared / "steplaw" / BOOTSTRAP_FILE).is_file():
        print(f"error: {args.shared / 'steplaw' / BOOTSTRAP_FILE} not found (use --shared)", file=sys.stderr)
        return 2
    data = derive(args.shared)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.output} from {data['n_fits']} bootstrap fits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
