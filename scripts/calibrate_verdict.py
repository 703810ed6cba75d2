"""Calibrate the SL302/SL303 severity thresholds on the released Step Law grids.

Called by scripts/fit_landscape.py (which writes the result into data/landscape.json under
"verdict" and the tables into docs/landscape.md); not run on its own.

Every run of the released grids (arXiv 2503.04715, step-law/steplaw commit 32a8f4c,
data/dense_lr_bs_loss.csv and data/moe_lr_bs_loss.csv, read from ../shared, never copied),
diverged ones included, is judged exactly as `check` and `predict` judge a recipe
(steplint.laws.verdict.verdict: the joint penalty split into the batch's part and the LR's
part, divergence risk from 4x the optimal LR) with the landscape fitted WITHOUT the run's own
(N, D) group (leave one group out), so the thresholds are chosen on held-out predictions.
Classes follow the paper's own near-optimal criterion (`filter_threshold` 0.0025 in
fit_tool.py): near-optimal = smoothed loss within 0.25% of the group's best run; bad = 2% or
more worse; middle = the rest.

Thresholds (architecture.md section 4): warning is the smallest value on a 0.05 pp grid at
which at most 5% of the near-optimal runs, held out, are flagged; error the smallest at which
at least 80% of the runs called error are bad (2% or more worse); info is the paper's 0.25%.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "src"))

from steplint.laws.landscape import Landscape  # noqa: E402
from steplint.laws.steplaw import StepLaw  # noqa: E402
from steplint.laws.verdict import Thresholds, best_lr_ratio, verdict  # noqa: E402

NEAR, BAD = 0.25, 2.0  # percent: the paper's near-optimal threshold; the "clearly bad"
NEAR_FLAGGED_MAX = 0.05  # at most 5% of near-optimal runs at warning or above
BAD_FLAGGED_MIN = 0.95  # at least 95% of bad runs at warning or above
ERROR_PRECISION = 0.80  # of the runs called error, at least 80% bad (2% or more worse)
INFO_PERCENT = 0.25
GRID = np.round(np.arange(0.25, 3.0001, 0.05), 2)
CLASSES = ("near-optimal", "middle", "bad")
LEVELS = ("none", "info", "warning", "error")
_OFF = Thresholds(1e9, 1e9, 1e9)  # parts only: severities decided here


def read_runs(shared: Path, read_rows) -> list[dict]:
    """Every released run (diverged too), keyed by the group names of fit_landscape.load_runs."""
    runs = []
    for name, family in (("dense_lr_bs_loss.csv", "dense"), ("moe_lr_bs_loss.csv", "moe")):
        for row in read_rows(shared / "steplaw" / name):
            config = row.get("moe_name", "") or f"N{row['N']}"
            runs.append({"group": f"{family}:{config}:D{float(row['D']):.3g}", "family": family,
                         "n": float(row["N"]), "d": float(row["D"]), "lr": float(row["lr"]),
                         "batch": float(row["bs"]) * float(row.get("seq_len") or 2048),
                         "active": float(row["Na"]) if row.get("Na") else None, "loss": float(row["smooth loss"])})
    best: dict[str, float] = {}
    for run in runs:
        best[run["group"]] = min(best.get(run["group"], np.inf), run["loss"])
    for run in runs:
        run["excess"] = 100.0 * (run["loss"] / best[run["group"]] - 1.0)
    return runs


def _classify(excess: float) -> str:
    return "near-optimal" if excess < NEAR else ("bad" if excess >= BAD else "middle")


def judge(runs: list[dict], law: StepLaw, landscape_of) -> list[dict]:
    """Each run's verdict parts under `landscape_of(group)` (the held-out landscape)."""
    out = []
    for run in runs:
        v = verdict(run["n"], run["d"], run["lr"], run["batch"], active_params=run["active"],
                    law=law, landscape=landscape_of(run["group"]), thresholds=_OFF)
        out.append({**run, "lr_part": v.lr_part, "batch_part": v.batch_part,
                    "diverge": v.lr_part is None, "class": _classify(run["excess"])})
    return out


def level(j: dict, t: Thresholds) -> str:
    if j["diverge"]:
        return "error"
    ranks = [t.severity(j["lr_part"]), t.severity(j["batch_part"])]
    return max((r or "none" for r in ranks), key=LEVELS.index)


def _loud_share(judged: list[dict], cls: str, t: Thresholds) -> float:
    subset = [j for j in judged if j["class"] == cls]
    return sum(level(j, t) in ("warning", "error") for j in subset) / max(len(subset), 1)


def choose(judged: list[dict]) -> dict:
    warning = next((float(w) for w in GRID
                    if _loud_share(judged, "near-optimal", Thresholds(INFO_PERCENT, w, 1e9)) <= NEAR_FLAGGED_MAX), None)
    if warning is None:
        raise SystemExit("error: no warning threshold keeps near-optimal runs under 5% flagged")
    error = None
    for e in GRID[GRID >= warning]:
        called = [j for j in judged if level(j, Thresholds(INFO_PERCENT, warning, float(e))) == "error"]
        if called and sum(j["class"] == "bad" for j in called) / len(called) >= ERROR_PRECISION:
            error = float(e)
            break
    if error is None:
        raise SystemExit("error: no error threshold reaches the precision asked for")
    return {"info": INFO_PERCENT, "warning": warning, "error": error}


def confusion(judged: list[dict], t: Thresholds) -> dict:
    counts = Counter((j["class"], level(j, t)) for j in judged)
    return {c: {lv: counts[(c, lv)] for lv in LEVELS} for c in CLASSES}


def quantile_error(judged: list[dict]) -> dict:
    """Held-out error of the penalty the verdict is built on (parts summed minus the measured
    excess), near the optimum, and the near-optimal runs' louder part."""
    err = np.array([j["lr_part"] + j["batch_part"] - j["excess"] for j in judged
                    if not j["diverge"] and j["excess"] < BAD])
    near = [j for j in judged if j["class"] == "near-optimal"]
    over = np.array([max(j["lr_part"] or 0.0, j["batch_part"]) - j["excess"] for j in near if not j["diverge"]])
    part = np.array([max(j["lr_part"] or 0.0, j["batch_part"]) for j in near if not j["diverge"]])
    return {"points": int(err.size), "p50_abs_pp": float(np.percentile(np.abs(err), 50)),
            "p90_abs_pp": float(np.percentile(np.abs(err), 90)), "p95_abs_pp": float(np.percentile(np.abs(err), 95)),
            "near_points": int(over.size), "near_over_p95_pp": float(np.percentile(over, 95)),
            "near_part_p95_pp": float(np.percentile(part, 95))}


def conditional_lr(raw_runs: list[dict], shipped: Landscape) -> list[dict]:
    """The best LR at each batch against the grids: for every group and every batch with at least
    4 non-diverged runs, log2(best run's LR at that batch / the group's best LR), binned by the
    batch ratio to the group's best batch in whole octaves; median per bin, and the model's
    best_lr_ratio (which the SL302 fix and the LR/batch split rest on)."""
    groups: dict[str, list[dict]] = {}
    for run in raw_runs:
        if run["loss"] <= 4.0:
            groups.setdefault(run["group"], []).append(run)
    bins: dict[int, list[float]] = {}
    for runs in groups.values():
        best = min(runs, key=lambda r: r["loss"])
        by_batch: dict[float, list[dict]] = {}
        for r in runs:
            by_batch.setdefault(r["batch"], []).append(r)
        for batch, rs in by_batch.items():
            if len(rs) >= 4:
                y = int(round(np.log2(batch / best["batch"])))
                bins.setdefault(y, []).append(float(np.log2(min(rs, key=lambda r: r["loss"])["lr"] / best["lr"])))
    return [{"batch_octaves": y, "points": len(xs), "measured_median_octaves": float(np.median(xs)),
             "model_octaves": float(np.log2(best_lr_ratio(2.0 ** y, shipped)))}
            for y, xs in sorted(bins.items()) if len(xs) >= 4]


def calibrate(raw_runs: list[dict], law: StepLaw, held_out: dict[str, Landscape], shipped: Landscape) -> dict:
    """Thresholds from held-out verdicts; confusion tables held out and with the shipped landscape."""
    logo = judge(raw_runs, law, lambda g: held_out[g])
    thresholds = choose(logo)
    t = Thresholds(**thresholds)
    ship = judge(raw_runs, law, lambda g: shipped)
    out = {"thresholds": thresholds, "criteria": {
        "near_optimal_below_percent": NEAR, "bad_from_percent": BAD, "near_flagged_max": NEAR_FLAGGED_MAX,
        "bad_flagged_min": BAD_FLAGGED_MIN, "error_precision_min": ERROR_PRECISION},
        "held_out_error": quantile_error(logo), "conditional_lr": conditional_lr(raw_runs, shipped)}
    for name, judged in (("held_out", logo), ("shipped", ship)):
        block = {"all": confusion(judged, t)}
        for family in ("dense", "moe"):
            block[family] = confusion([j for j in judged if j["family"] == family], t)
        out[name] = block
    for name, judged in (("held_out", logo), ("shipped", ship)):
        out[name]["near_flagged"] = _loud_share(judged, "near-optimal", t)
        out[name]["bad_flagged"] = _loud_share(judged, "bad", t)
    if out["held_out"]["bad_flagged"] < BAD_FLAGGED_MIN:
        raise SystemExit(f"error: only {out['held_out']['bad_flagged']:.1%} of bad runs flagged")
    return out


def render(cal: dict) -> list[str]:
    t, held, ship = cal["thresholds"], cal["held_out"], cal["shipped"]
    err = cal["held_out_error"]
    lines = [
        "## Severity thresholds (calibrated)",
        "",
        "SL302 and SL303 judge one joint verdict (`steplint.laws.verdict`): the penalty of the LR and",
        "batch together is split into what the batch costs with the LR at its best for that batch (the",
        "minimum of the landscape over the LR at the configured batch) and what the LR adds on top.",
        "SL303's severity comes from the first part, SL302's from the second; an LR at 4x the optimum or",
        "more is a divergence risk (error). `predict --lr/--batch-*` reports the louder of the two as",
        "`position.severity`, from the same function.",
        "",
        "Every run of both released grids, diverged ones included, is judged that way with the landscape",
        "fitted without its own (N, D) group. Classes use the paper's own near-optimal criterion:",
        f"near-optimal = smoothed loss within {NEAR}% of the group's best run, bad = {BAD}% or more worse.",
        "",
        f"- **info from {t['info']:.2f}%**: the paper's near-optimal threshold; below it the model says nothing.",
        f"- **warning from {t['warning']:.2f}%**: the smallest value (0.05 pp steps) at which at most",
        f"  {NEAR_FLAGGED_MAX:.0%} of the held-out near-optimal runs are flagged. It sits above 0.25% because the",
        "  penalty steplint computes carries the model's held-out error plus the law's own miss (the law's",
        f"  optimum is not the grids' best run): over the runs under {BAD}% worse ({err['points']} points) the held-out",
        f"  absolute error of the joint penalty has median {err['p50_abs_pp']:.2f}, 90th percentile {err['p90_abs_pp']:.2f} and",
        f"  95th percentile {err['p95_abs_pp']:.2f} pp. On the {err['near_points']} near-optimal runs the louder part over-states",
        f"  the measured excess by {err['near_over_p95_pp']:.2f} pp at the 95th percentile and itself reaches {err['near_part_p95_pp']:.2f}%",
        "  there: the warning threshold is that 95th percentile, rounded up to the 0.05 pp grid.",
        f"- **error from {t['error']:.2f}%**: the smallest value at which at least {ERROR_PRECISION:.0%} of the runs",
        f"  called error are bad ({BAD}% or more worse); between warning and error the verdict is a warning.",
        "",
        "These are the in-range thresholds. Outside the fitted range a verdict is capped (within 3x on N,",
        "D and D/N, or an MoE sparsity outside the tested ones: at most warning; beyond: info), and under",
        "a schedule the law did not measure (linear, WSD, inverse-sqrt, constant, decay to zero) it is info;",
        "under cosine with a floor above 2e-5 (peak/10 is the one the paper measured, and it moved the",
        "optimum to a smaller LR and a larger batch) it is at most a warning.",
        "",
        f"Held out: {held['near_flagged']:.1%} of near-optimal runs flagged at warning or above (goal at most",
        f"{NEAR_FLAGGED_MAX:.0%}), {held['bad_flagged']:.1%} of bad runs (goal at least {BAD_FLAGGED_MIN:.0%}). With the",
        f"shipped landscape (fitted on all groups, what `check` uses): {ship['near_flagged']:.1%} and {ship['bad_flagged']:.1%}.",
        "",
    ]
    for name, block in (("held out (leave one group out)", held), ("shipped landscape", ship)):
        for family in ("all", "dense", "moe"):
            label = {"all": "both grids", "dense": "dense grid", "moe": "MoE grid"}[family]
            lines += [f"### Confusion table, {label}, {name}", "",
                      "| run class | none | info | warning | error |", "| --- | --- | --- | --- | --- |"]
            for cls in CLASSES:
                row = block[family][cls]
                lines.append(f"| {cls} | " + " | ".join(str(row[lv]) for lv in LEVELS) + " |")
            lines.append("")
    lines += [
        "### The best LR at a given batch",
        "",
        "The split and the SL302 fix rest on the landscape's best LR at the configured batch. Against the",
        "grids (both families; for each group and batch with at least 4 runs, the best run's LR at that",
        "batch over the group's best LR, median per octave of batch; the LR grid steps by half an octave):",
        "",
        "| batch / best batch | points | measured best LR, octaves | model, octaves |",
        "| --- | --- | --- | --- |",
        *[f"| 2^{c['batch_octaves']} | {c['points']} | {c['measured_median_octaves']:+.2f} | {c['model_octaves']:+.2f} |"
          for c in cal["conditional_lr"]],
        "",
        "Below the best batch the model follows the measured tilt (a smaller batch wants a smaller LR) but",
        "moves the LR further down than the grids' medians from a quarter of the batch on (its low-LR side",
        "is flat), so the best LR it names for a small batch is on the low side of what the grids found.",
        "Above the best batch the grids' medians stay at the best LR while the model raises it by up to",
        "about one LR grid step (half an octave). Both errors sit where the landscape is flat along the LR,",
        "so the penalty split moves little; the fix is never offered unless the model's penalty falls.",
        "",
        "The MoE grid is the harder one: its near-optimal runs sit at up to 2-3x the law's LR (the MoE",
        "landscapes are flat on the high-LR side), so most of the near-optimal runs flagged are MoE.",
        "",
    ]
    return lines
