"""A steplint.picture.Picture as a small inline SVG, with no dependency (for `report`).

Cells coloured by penalty band (the contour levels of `show --plot`), the divergence region
in grey, the optimum's band as a box, the best LR at each batch as a dashed line, the
recipe as a black cross, other laws as white circles. Coordinates are log-scaled."""

from __future__ import annotations

import math
from html import escape
from typing import Optional

from steplint.picture import Picture

LEVELS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
COLOURS = ("#ffffe0", "#fff7bc", "#fee391", "#fed976", "#feb24c", "#fd8d3c", "#e31a1c")  # as show --plot
DIVERGED = "#888888"
W, H, LEFT, BOTTOM, TOP, RIGHT = 370, 270, 62, 34, 8, 18


def colour(percent: Optional[float]) -> str:
    if percent is None:
        return DIVERGED
    for level, c in zip(LEVELS, COLOURS):
        if percent < level:
            return c
    return COLOURS[-1]


def render(pic: Picture, stride: int = 2) -> str:
    """The SVG text. `stride` thins the grid (2: a 25 x 25 mosaic), to keep pages small."""
    x0, x1 = math.log(pic.lrs[0]), math.log(pic.lrs[-1])
    y0, y1 = math.log(pic.batches[0]), math.log(pic.batches[-1])
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def px(lr: float) -> float:
        return LEFT + (math.log(lr) - x0) / (x1 - x0) * pw

    def py(batch: float) -> float:
        return TOP + ph - (math.log(batch) - y0) / (y1 - y0) * ph

    rows = range(0, len(pic.batches), stride)
    cols = range(0, len(pic.lrs), stride)
    cw, ch = pw / len(cols), ph / len(rows)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
           f'role="img" aria-label="{escape(pic.title)}">',
           f"<title>{escape(pic.title)}: {escape(pic.subtitle)}</title>"]
    out.append('<g shape-rendering="crispEdges">')
    for j, row in enumerate(rows):
        for i, col in enumerate(cols):
            out.append(f'<rect x="{LEFT + i * cw:.1f}" y="{TOP + ph - (j + 1) * ch:.1f}" width="{cw + 0.6:.1f}" '
                       f'height="{ch + 0.6:.1f}" fill="{colour(pic.percent[row][col])}"/>')
    out.append("</g>")
    lr_low, lr_high, b_low, b_high = pic.band
    out.append(f'<rect x="{px(lr_low):.1f}" y="{py(b_high):.1f}" width="{max(px(lr_high) - px(lr_low), 1):.1f}" '
               f'height="{max(py(b_low) - py(b_high), 1):.1f}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>')
    path = " ".join(f"{px(lr):.1f},{py(b):.1f}" for lr, b in pic.best_lr)
    out.append(f'<polyline points="{path}" fill="none" stroke="#1f77b4" stroke-dasharray="4 3"/>')
    out.append(f'<circle cx="{px(pic.lr_opt):.1f}" cy="{py(pic.batch_opt):.1f}" r="4" fill="#1f77b4">'
               f"<title>Step Law optimum: lr {pic.lr_opt:.3g}, batch {pic.batch_opt:.3g} tokens</title></circle>")
    for law in pic.laws:
        if pic.lrs[0] <= law.lr <= pic.lrs[-1] and pic.batches[0] <= law.batch_tokens <= pic.batches[-1]:
            out.append(f'<circle cx="{px(law.lr):.1f}" cy="{py(law.batch_tokens):.1f}" r="3.5" fill="white" '
                       f'stroke="#222"><title>{escape(law.title)}: lr {law.lr:.3g}, batch {law.batch_tokens:.3g}'
                       f"</title></circle>")
    if pic.recipe is not None:
        lr, b = pic.recipe
        cx = min(max(px(lr), LEFT), LEFT + pw)
        cy = min(max(py(b), TOP), TOP + ph)
        out.append(f'<g stroke="black" stroke-width="2.5"><title>this recipe: lr {lr:.3g}, batch {b:.3g} tokens'
                   f"</title><line x1=\"{cx - 5:.1f}\" y1=\"{cy - 5:.1f}\" x2=\"{cx + 5:.1f}\" y2=\"{cy + 5:.1f}\"/>"
                   f'<line x1="{cx - 5:.1f}" y1="{cy + 5:.1f}" x2="{cx + 5:.1f}" y2="{cy - 5:.1f}"/></g>')
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    for lr in (pic.lrs[0], pic.lr_opt, pic.lrs[-1]):
        out.append(f'<text x="{px(lr):.1f}" y="{H - BOTTOM + 13}" font-size="10" text-anchor="middle">{lr:.2g}</text>')
    for b in (pic.batches[0], pic.batch_opt, pic.batches[-1]):
        out.append(f'<text x="{LEFT - 3}" y="{py(b) + 3:.1f}" font-size="10" text-anchor="end">{b:.2g}</text>')
    out.append(f'<text x="{LEFT + pw / 2:.1f}" y="{H - 4}" font-size="10" text-anchor="middle">peak LR '
               f'(grey: runs diverge)</text>')
    out.append(f'<text x="10" y="{TOP + ph / 2:.1f}" font-size="10" text-anchor="middle" '
               f'transform="rotate(-90 10 {TOP + ph / 2:.1f})">batch (tokens)</text>')
    out.append("</svg>")
    return "".join(out)
