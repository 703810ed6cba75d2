"""The pinned JSON of a Step Law placement (architecture.md section 3), shared by `predict`
and `show --format json`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from steplint import __version__

if TYPE_CHECKING:
    from steplint.laws.steplaw import Placement
    from steplint.laws.verdict import Verdict

STEPLAW_MIN_LR = 1e-5  # the fixed LR floor every Step Law run decayed to (steplaw.md section 4.1)


def placement_json(p: "Placement", v: Optional["Verdict"] = None) -> dict[str, Any]:
    """The pinned JSON shape (architecture.md section 3): full-precision floats, nothing rounded.
    `v` is the joint verdict (steplint.laws.verdict) for the position: `position.severity` is
    the one `check` would give (the louder of SL302 and SL303)."""
    band = p.band
    out: dict[str, Any] = {
        "steplint": __version__,
        "n_params": p.n_params,
        "tokens": p.tokens,
        "seq_len": p.seq_len,
        "lr": p.lr,
        "min_lr": STEPLAW_MIN_LR,
        "batch_tokens": p.batch_tokens,
        "batch_sequences": p.batch_sequences,
        "band": {
            "level": band.level,
            "lr_low": band.lr_low,
            "lr_high": band.lr_high,
            "batch_tokens_low": band.batch_tokens_low,
            "batch_tokens_high": band.batch_tokens_high,
        },
        "in_fitted_range": p.in_fitted_range,
        "notices": list(p.notices),
        "position": None,
    }
    pos = p.position
    if pos is not None:
        out["position"] = {
            "lr": pos.lr,
            "lr_ratio": pos.lr_ratio,
            "lr_in_band": pos.lr_in_band,
            "batch_tokens": pos.batch_tokens,
            "batch_sequences": None if pos.batch_tokens is None else pos.batch_tokens / p.seq_len,
            "batch_ratio": pos.batch_ratio,
            "batch_in_band": pos.batch_in_band,
            "penalty": {
                "percent": pos.penalty.percent,
                "kind": str(pos.penalty.kind),
                "message": pos.penalty.message,
            },
        }
        if v is not None:
            out["position"].update(verdict_json(v))
    return out


def verdict_json(v: "Verdict") -> dict[str, Any]:
    """The verdict fields of `position`: severity (null, info, warning, error) and what it rests on."""
    from steplint.laws.verdict import default_tolerance

    tol = default_tolerance()
    return {
        "severity": v.severity,
        "lr_severity": v.lr_severity,
        "batch_severity": v.batch_severity,
        "conditional_lr": v.conditional_lr,
        "lr_part_percent": v.lr_part,
        "batch_part_percent": v.batch_part,
        "lr_in_tolerance": None if v.lr_ratio is None else tol.lr_low <= v.lr_ratio <= tol.lr_high,
        "batch_in_tolerance": None if v.batch_ratio is None else tol.batch_low <= v.batch_ratio <= tol.batch_high,
        "extrapolation": {"factor": v.extrapolation.factor, "level": v.extrapolation.level},
        "penalty": {"percent": v.total.percent, "kind": str(v.total.kind), "message": v.total.message},
    }
