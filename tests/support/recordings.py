"""Edits of a copy of the CBS recordings (``shutil.copytree`` of ingestion/dev/recordings/cbs first): a new release of
86003NED, good or with a broken value in it, as the pipeline and retention tests use them."""

from __future__ import annotations

import json
from pathlib import Path


def break_recording(
    recordings: Path,
    *,
    negative: bool = False,
    bad_period: bool = False,
    future: bool = False,
    duplicate: bool = False,
    halved: bool = False,
) -> None:
    """A new CBS release (Modified moves) with a broken value in it (or, with no kind given, a good new release)."""
    table = recordings / "v3" / "86003NED"

    def rewrite(entity: str, change) -> None:
        doc = json.loads((table / f"{entity}.json").read_text())
        change(doc["value"])
        (table / f"{entity}.json").write_text(json.dumps(doc))

    def break_rows(rows: list[dict]) -> None:
        for row in list(rows):
            if row["WijkenEnBuurten"].strip() == "GM0141" and row["Perioden"] == "2024MM09":
                if negative:
                    row["Bijstandsuitkering_6"] = -40
                if bad_period:
                    row["Perioden"] = "2024XX03"
                if future:
                    row["Perioden"] = "2099MM09"
                if duplicate:
                    rows.append({**row, "ID": max(r["ID"] for r in rows) + 1})

    def halve_period(rows: list[dict]) -> None:
        """The provisional quarter (re-requested by an incremental load) comes back with well under half its cells."""
        in_period = [r for r in rows if r["Perioden"] == "2024MM09"]
        for row in in_period[len(in_period) * 2 // 5:]:
            rows.remove(row)

    rewrite("TypedDataSet", halve_period if halved else break_rows)
    rewrite("TableInfos", lambda rows: rows[0].update(Modified="2025-06-27T02:00:00"))
    if bad_period:
        rewrite("Perioden", lambda rows: rows.append({"Key": "2024XX03", "Title": "?", "Status": "Voorlopig"}))
    if future:
        rewrite("Perioden", lambda rows: rows.append({"Key": "2099MM09", "Title": "2099 september",
                                                      "Status": "Voorlopig"}))
