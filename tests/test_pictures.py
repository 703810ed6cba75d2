"""`show --plot` (matplotlib), the picture data and its SVG, and the `report` page."""

from __future__ import annotations

import re
import struct
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from steplint.cli import cli
from steplint.picture import build
from steplint import svg

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = str(REPO / "examples" / "megatron_gpt_800m.yaml")


def test_picture_is_zero_at_the_optimum_and_marks_divergence():
    pic = build(1e9, 1e11, lr=3e-4, batch_tokens=2e6)
    mid = len(pic.lrs) // 2
    assert pic.lrs[mid] == pytest.approx(pic.lr_opt) and pic.percent[mid][mid] == pytest.approx(0.0, abs=1e-12)
    assert pic.percent[mid][-1] is None  # 8x the optimal LR: runs diverge
    assert pic.percent[mid][0] > 1.0  # 1/8 of the optimal LR costs over 1%
    assert pic.recipe == (3e-4, 2e6) and pic.recipe_percent > 0
    assert not pic.extrapolated and "inside" in pic.title
    far = build(7e10, 1.5e13)
    assert far.extrapolated and "EXTRAPOLATION" in far.title and far.recipe is None


def test_svg_has_the_grid_and_the_markers():
    text = svg.render(build(1e9, 1e11, lr=3e-4, batch_tokens=2e6))
    assert text.startswith("<svg") and text.endswith("</svg>")
    assert len(re.findall(r"<rect ", text)) == 25 * 25 + 2  # mosaic, band, frame
    assert "this recipe" in text and "Step Law optimum" in text and svg.DIVERGED in text


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_show_plot_renders_a_png(tmp_path):
    pytest.importorskip("matplotlib", reason="show --plot needs the plot extra (matplotlib)")
    out = tmp_path / "landscape.png"
    r = CliRunner().invoke(cli, ["show", "--isolated", "--plot", str(out), EXAMPLE])
    assert r.exit_code == 0, r.output
    assert png_size(out) == (1000, 700)
    assert out.stat().st_size > 20_000  # contours, not an empty canvas


def test_show_plot_svg(tmp_path):
    pytest.importorskip("matplotlib", reason="show --plot needs the plot extra (matplotlib)")
    out = tmp_path / "landscape.svg"
    assert CliRunner().invoke(cli, ["show", "--isolated", "--plot", str(out), EXAMPLE]).exit_code == 0
    assert "<svg" in out.read_text()[:500]


def test_show_plot_without_matplotlib_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    r = CliRunner().invoke(cli, ["show", "--isolated", "--plot", str(tmp_path / "x.png"), EXAMPLE])
    assert r.exit_code == 2 and "pip install 'steplint[plot]'" in r.output


def test_show_plot_wrong_suffix(tmp_path):
    r = CliRunner().invoke(cli, ["show", "--isolated", "--plot", str(tmp_path / "x.jpg"), EXAMPLE])
    assert r.exit_code == 2 and ".png or .svg" in r.output


def make_report(tmp_path: Path) -> tuple[Path, int]:
    """A report of the examples plus one unreadable file; returns (page, recipes)."""
    scan = tmp_path / "repo"
    scan.mkdir()
    for p in (REPO / "examples").glob("*.yaml"):
        (scan / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    (scan / "broken.yaml").write_text("lr: [1,\n", encoding="utf-8")
    out = tmp_path / "report.html"
    r = CliRunner().invoke(cli, ["report", "--isolated", str(scan), "-o", str(out)])
    assert r.exit_code == 0, r.output
    return out, len(list(scan.glob("*.yaml")))


def test_report_is_self_contained_and_names_every_recipe(tmp_path):
    out, recipes = make_report(tmp_path)
    text = out.read_text(encoding="utf-8")
    assert text.count('<tr class="recipe') == recipes
    assert "megatron_gpt_800m.yaml" in text and "broken.yaml" in text and "SL001" in text
    assert "<svg" in text and "<script>" in text
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", text)  # nothing fetched from the network


def test_report_missing_path_is_exit_2(tmp_path):
    r = CliRunner().invoke(cli, ["report", str(tmp_path / "none"), "-o", str(tmp_path / "r.html")])
    assert r.exit_code == 2


def test_report_takes_params_like_check(tmp_path):
    """`report` takes check's input flags: `--params` gives N to a DeepSpeed JSON that has none."""
    scan = tmp_path / "repo"
    scan.mkdir()
    (scan / "ds.json").write_text('{"train_batch_size": 256, "train_micro_batch_size_per_gpu": 4}\n', encoding="utf-8")
    out = tmp_path / "r.html"
    r = CliRunner().invoke(cli, ["report", "--isolated", "--params", "1B", str(scan), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "n_params" in out.read_text(encoding="utf-8") and "--params" in out.read_text(encoding="utf-8")
