"""The CBS national-scale benchmark (bench/cbs_national.py), quick size: it runs end to end against a real server
and a real warehouse, the loader lands every observation, and the recording is served in more than one page."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench.cbs_national import LIMIT, LOADER, NAIVE, QUICK_SIZE, measure_all, write_national_table


def test_recording_has_the_cbs_shape(tmp_path: Path) -> None:
    facts = write_national_table(tmp_path, gemeenten=3, years=1, topics=2)
    folder = Path(facts["recording_dir"])
    assert sorted(p.name for p in folder.iterdir()) == [
        "DataProperties.json",
        "Perioden.json",
        "RegioS.json",
        "TableInfos.json",
        "TypedDataSet.json",
    ]
    typed = json.loads((folder / "TypedDataSet.json").read_text(encoding="utf-8"))
    assert typed["odata.metadata"].endswith("#Cbs.OData.WebAPI.TypedDataSet")
    assert {row["RegioS"] for row in typed["value"]} == {"NL01  ", "GM0001", "GM0002", "GM0003"}  # padded like CBS
    assert facts["typed_rows"] == 3 * 12 and facts["expected_observations"] == 3 * 12 * 2
    assert facts["recorded_rows"] == len(typed["value"]) == 4 * 12  # NL01 is recorded, filtered out by the loader
    newest = [row for row in typed["value"] if row["Perioden"] == "2024MM12"]
    assert all(row[key] is None for row in newest for key in facts["topic_keys"])  # published as a skeleton
    assert "99999BEN" in Path(facts["tables_file"]).read_text(encoding="utf-8")


def test_quick_benchmark(pg_server_url: str, tmp_path: Path) -> None:
    rows = {row["variant"]: row for row in measure_all(pg_server_url, tmp_path, quick=True)}
    assert set(rows) == {LOADER, LIMIT, NAIVE}
    expected = QUICK_SIZE["gemeenten"] * QUICK_SIZE["years"] * 12 * 3
    for row in rows.values():
        assert row["group"] == "cbs_national"
        assert row["rows"] == expected
        assert row["rows_per_s"] > 0 and row["peak_rss_mb"] > 0
    loader = rows[LOADER]
    assert loader["baseline"] == LIMIT and loader["ratio"] > 0
    assert rows[NAIVE]["baseline"] == LOADER and rows[NAIVE]["ratio"] > 0
    assert loader["meets_target"] is True  # streamed: below the whole-table-in-memory variant
    pages = re.match(r"(\d+) pages of (\d+)", loader["note"])
    assert pages and int(pages[1]) > 1, loader["note"]  # served with odata.nextLink paging
