"""The figures of report.html as data (rnc.driver.report_charts): ticks with units, one timeline row per layer."""
from __future__ import annotations

import pytest

from rnc.driver.report_charts import TIMELINE_WIDTH, bars, nice_ticks, stacked, time_ticks, time_unit, timeline


def test_nice_ticks_are_round_and_cover_the_range():
    assert nice_ticks(10) == [0, 2, 4, 6, 8, 10]
    assert nice_ticks(63.4) == [0, 20, 40, 60] and nice_ticks(63.4, 10) == [0, 10, 20, 30, 40, 50, 60]
    assert nice_ticks(0.7, 5) == pytest.approx([0, 0.2, 0.4, 0.6])
    assert nice_ticks(0) == [0.0]


def test_time_ticks_carry_their_unit():
    assert time_unit(458) == ("ns", 1.0) and time_unit(63_400) == ("us", 1e3) and time_unit(16.6e6)[0] == "ms"
    ticks = time_ticks(63_400.0, 900)
    assert [t["label"] for t in ticks] == ["0 us", "20 us", "40 us", "60 us"]
    assert ticks[-1]["x"] == pytest.approx(900 * 60 / 63.4)


def test_timeline_has_one_labelled_row_per_layer():
    layers = [{"layer": i, "name": f"/blocks/blocks.{i}/expand/conv/Conv", "crossbars": list(range(i + 1)),
               "stage_ns": 100.0 * (i + 1)} for i in range(3)]
    tl = timeline(layers)
    assert [r["label"] for r in tl["rows"]] == [f"{i}: blocks/blocks.{i}/expand/conv" for i in range(3)]
    assert [r["start"] for r in tl["rows"]] == [0.0, 100.0, 300.0] and tl["total"] == 600.0
    assert tl["rows"][2]["x"] + tl["rows"][2]["w"] == pytest.approx(TIMELINE_WIDTH)
    assert [r["xbars"] for r in tl["rows"]] == [1, 2, 3] and tl["unit"] == "ns"


def test_stacked_shares_fill_the_bar_and_label_only_wide_segments():
    items = bars({"adc": 80.0, "buffer": 15.0, "dac": 4.0, "array": 1.0})
    segments = stacked(items, width=700)
    assert sum(s["sw"] for s in segments) == pytest.approx(700)
    assert [s["labelled"] for s in segments] == [True, True, False, False]
    assert len(bars({str(i): float(i + 1) for i in range(30)}, limit=12)) == 12      # 11 + "19 others"
