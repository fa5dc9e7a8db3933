"""Reports: the self-contained HTML report and the shared plot style."""
from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
from PIL import Image

from pycodesign.reports import style

from png_checks import check_pngs
from pycodesign.reports.html import write_html_report
from pycodesign.reports.plots import new_figure, save_figure


def _png(path, w=3.0, h=2.0):
    fig, ax = new_figure(width_in=w, height_in=h)
    ax[0, 0].plot(np.arange(5), np.arange(5) ** 2)
    ax[0, 0].set(xlabel="x [V]", ylabel="y [A]")
    style.caption(fig, "conditions: a test")
    return save_figure(fig, path)


def test_plots_have_the_style_size_and_resolution(tmp_path):
    p = _png(tmp_path / "a.png", 3.0, 2.0)
    with Image.open(p) as im:
        assert im.size == (round(3.0 * style.DPI), round(2.0 * style.DPI))
        assert len(np.unique(np.asarray(im.convert("L")))) > 10  # not blank


def test_html_report_embeds_every_plot_and_renders_tables(tmp_path):
    _png(tmp_path / "accuracy.png")
    _png(tmp_path / "sub" / "extra.png")
    (tmp_path / "report.md").write_text("# Run x\n\nSee accuracy.png for the sweep.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    out = write_html_report(tmp_path)
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<title>Run x</title>" in page
    assert "<table>" in page and "<td>2</td>" in page
    srcs = re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]+)"', page)
    assert sorted(alt for _, alt in srcs) == ["accuracy.png", "sub/extra.png"]
    for data, _ in srcs:  # every embedded image decodes to the PNG that was written
        with Image.open(io.BytesIO(base64.b64decode(data))) as im:
            assert im.format == "PNG" and im.size[0] > 100
    # the plot named in a paragraph follows that paragraph; the other goes to "Figures"
    assert page.index("accuracy.png for the sweep") < page.index('alt="accuracy.png"') < page.index("<h2>Figures</h2>")
    assert "src=\"http" not in page and "src=\"/" not in page  # nothing external
    assert write_html_report(tmp_path / "sub") is None  # no report.md there


def test_every_plot_of_the_characterise_and_inference_flows_is_there_and_sized(tmp_path):
    from pycodesign.cli import main

    root = Path(__file__).resolve().parents[1]
    assert main(["run", str(root / "flows" / "characterize_hp.yaml"), "--out", str(tmp_path), "--name", "hp", "-q",
                 "--set", "sweeps.points_per_period=200", "--set", "read_disturb.n_reads=20"]) == 0
    check_pngs(tmp_path / "hp", ["iv_sine.png", "state_triangle.png", "pulses.png", "read_disturb.png"])
    assert main(["run", str(root / "flows" / "sweep_base_slp.yaml"), "--out", str(tmp_path), "--name", "slp", "-q",
                 "--set", "studies.adc_bits=[4, 8]", "--set", "studies.r_wire_ohm=[0.0, 1.0, 10.0]"]) == 0
    check_pngs(tmp_path / "slp", ["conductance_maps.png", "accuracy_vs_adc_bits.png",
                                   "accuracy_vs_wire_resistance.png", "output_currents.png", "confusion_matrix.png",
                                   "cost_breakdown.png"])
