"""Draw a steplint.picture.Picture with matplotlib (`show --plot FILE.png|FILE.svg`).

matplotlib is the optional extra `steplint[plot]` and is imported here only, when a plot is
asked for; without it `PlotUnavailable` says how to install it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from steplint.picture import Picture, for_recipe

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from steplint.recipe import Recipe

LEVELS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0)  # percent; 0.25 is Step Law's near-optimal threshold


class PlotUnavailable(RuntimeError):
    """matplotlib is missing."""


def landscape_for_recipe(recipe: "Recipe") -> Optional[Picture]:
    return for_recipe(recipe, label=" + ".join(p.rsplit("/", 1)[-1] for p in recipe.files))


def render(picture: Picture, path: str) -> None:
    """Write the picture to `path` (.png or .svg), 1000 x 700 pixels."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlotUnavailable("--plot needs matplotlib: pip install 'steplint[plot]'") from None
    fig, ax = plt.subplots(figsize=(10, 7), dpi=100)
    try:
        _draw(ax, picture)
        fig.tight_layout()
        fig.savefig(path, format="svg" if path.lower().endswith(".svg") else "png")
    finally:
        plt.close(fig)


def _draw(ax: "Axes", pic: Picture) -> None:
    import numpy as np

    z = np.array([[np.nan if v is None else v for v in row] for row in pic.percent], dtype=float)
    x, y = np.array(pic.lrs), np.array(pic.batches)
    filled = ax.contourf(x, y, z, levels=[0.0, *LEVELS, max(8.0, float(np.nanmax(z)))], cmap="YlOrRd", alpha=0.85)
    lines = ax.contour(x, y, z, levels=LEVELS, colors="k", linewidths=0.6)
    ax.clabel(lines, fmt=lambda v: f"{v:g}%", fontsize=8)
    ax.figure.colorbar(filled, ax=ax, label="expected final-loss penalty (%)")
    ax.axvspan(pic.divergence_lr, x[-1], color="0.35", alpha=0.55, label="runs diverge (LR >= 4x optimum)")
    lr_low, lr_high, b_low, b_high = pic.band
    ax.add_patch(__import__("matplotlib.patches", fromlist=["Rectangle"]).Rectangle(
        (lr_low, b_low), lr_high - lr_low, b_high - b_low, fill=False, edgecolor="tab:blue", linewidth=1.5,
        label="90% band of the optimum"))
    ax.plot([p[0] for p in pic.best_lr], [p[1] for p in pic.best_lr], "--", color="tab:blue", linewidth=1.2,
            label="best LR at each batch")
    ax.plot([pic.lr_opt], [pic.batch_opt], marker="*", color="tab:blue", markersize=16, linestyle="none",
            label="Step Law optimum")
    markers = "osD^v<>"
    for i, law in enumerate(pic.laws):
        ax.plot([law.lr], [law.batch_tokens], marker=markers[i % len(markers)], markersize=8, linestyle="none",
                markerfacecolor="white", markeredgecolor="0.1", label=law.title)
    if pic.recipe is not None:
        pct = "" if pic.recipe_percent is None else f" (+{pic.recipe_percent:.2f}%)"
        ax.plot([pic.recipe[0]], [pic.recipe[1]], marker="X", color="black", markersize=13, linestyle="none",
                label=f"this recipe{pct}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    from matplotlib.ticker import FuncFormatter

    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))
        axis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:.2g}" if str(f"{v:.2g}")[0] in "25" else ""))
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(y[0], y[-1])
    ax.set_xlabel("peak learning rate")
    ax.set_ylabel("global batch (tokens)")
    import textwrap

    ax.set_title("\n".join([pic.title] + textwrap.wrap(pic.subtitle, 110)), fontsize=9, color="darkred" if pic.extrapolated else "black")
    ax.legend(loc="lower left", fontsize=7, framealpha=0.9)
