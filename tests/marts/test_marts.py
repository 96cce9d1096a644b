"""The BI-facing marts after a real transform: dimensions, reported values, peers and the programme views.

The run's demo night (every CBS table, the file sources' samples and generated Werkplein exports, loaded and
validated through the pipeline), published twice: the programme views must survive the shadow-schema swap.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from ingestion import pipeline
from tests.support.nights import Night, copy_of

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
PROGRAMME_VIEWS = ("ep", "ea", "zorg", "binnenstad", "veiligheid", "duurzaamheid", "nsk", "omgevingswet")


def read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


CATALOGUE = read_seed("indicator_catalogue.csv")


@pytest.fixture(scope="module")
def marts_url(pg_server_url: str, demo_night: Night, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A copy of the demo night (tests/support/nights.py), published once more: the first build's marts move to
    marts_previous and are dropped by the next swap; the views in `marts` must be those of the new build and still
    work."""
    with copy_of(pg_server_url, demo_night.url, "pm_marts") as url:
        local = tmp_path_factory.mktemp("marts")
        cfg = demo_night.settings(WAREHOUSE_URL=url, PROGRAMMAMONITOR_LOCAL_DIR=str(local / "local"),
                                  DATA_DOCS_DIR=str(local / "data_docs"))
        pipeline.transform(cfg)
        yield url


def test_dim_indicator_holds_every_catalogue_indicator(marts_url: str) -> None:
    with psycopg.connect(marts_url) as conn:
        rows = {
            r[0]: r[1:]
            for r in conn.execute(
                "select indicator_code, programme_short, feed, definition_status, definition_question"
                " from marts.dim_indicator"
            )
        }
    assert set(rows) == {r["indicator_code"] for r in CATALOGUE} and len(rows) == 87
    assert all(programme_short for programme_short, *_ in rows.values())
    assert rows["ep_bijstand_per_10000_inwoners"][1] == "automatisch"  # CBS formula
    assert rows["ep_uwv_spanningsindicator"][1] == "automatisch"  # UWV mapping
    assert rows["ep_minimabeleid_uitgaven"][1] == "nog niet gevoed"  # own registration, no manual file yet
    assert rows["ep_bijstand_ontwikkeling_vs_andere_gemeenten"][2:] == ("open", "4.1")
    assert rows["ep_herinstroom_bijstand"][2:] == ("open", "4.3")
    assert rows["bin_bezoekers_per_week"][2] == "vastgesteld"


def test_every_catalogue_indicator_has_an_almelo_status(marts_url: str) -> None:
    with psycopg.connect(marts_url) as conn:
        statuses = {
            r[0]: r[1:]
            for r in conn.execute(
                "select s.indicator_code, s.status, s.status_reason, s.actual_value_source,"
                " exists (select 1 from marts.fct_indicator_value v where v.indicator_code = s.indicator_code"
                "         and v.gemeentecode = 'GM0141' and v.is_primary_measure)"
                " from marts.programme_indicator_status s where s.gemeentecode = 'GM0141'"
            )
        }
    assert set(statuses) == {r["indicator_code"] for r in CATALOGUE}
    assert all(status and reason for status, reason, *_ in statuses.values())
    blocked = statuses["ep_bijstand_ontwikkeling_vs_andere_gemeenten"]
    assert blocked[0] == "niet te beoordelen"
    assert blocked[1].startswith("definitie open (CATALOGUE.md §4.1): Niet vastgelegd wat de 1,22% is")
    # Without any value for Almelo the reason says so (unless a blocking open definition goes first).
    without_data = {code for code, (*_, has_values) in statuses.items() if not has_values}
    assert without_data and "ep_minimabeleid_uitgaven" in without_data
    for code in without_data - {"ep_bijstand_ontwikkeling_vs_andere_gemeenten"}:
        assert statuses[code][:2] == ("niet te beoordelen", "nog geen gemeten waarde"), code
    # The UWV spanningsindicator sample: krap against the target class gemiddeld.
    assert statuses["ep_uwv_spanningsindicator"][:3] == ("achter", "klasse krap, doel gemiddeld", "computed")


def test_every_realised_value_is_a_reported_row(marts_url: str) -> None:
    entries = {
        (r["indicator_code"], e.split("=")[0]) for r in CATALOGUE for e in r["realised_values"].split(";") if e.strip()
    }
    with psycopg.connect(marts_url) as conn:
        reported = conn.execute(
            "select indicator_code, period_code, value, value_label, gemeentecode, batch_id, source_system"
            " from marts.fct_indicator_value where value_source = 'reported'"
        ).fetchall()
    assert len(reported) == len(entries) == 58
    assert {r[4] for r in reported} == {"GM0141"} and {r[5] for r in reported} == {None}
    assert {r[6] for r in reported} == {"programmadocumenten"}
    values = {(r[0], r[1]): r[2:4] for r in reported}
    assert values[("ep_bijstandsdossiers", "2018MM06")] == (Decimal("2857"), None)
    assert values[("ep_bijstandsdossiers", "2019MM12")] == (Decimal("2587"), None)  # 2019-12-31
    assert values[("ea_mkb_vriendelijkste_gemeente_positie", "2022JJ00")] == (None, "top 10")


def test_twente_per_10000_is_computed_from_summed_counts(marts_url: str) -> None:
    gemeenten = [r["gemeente_code"] for r in read_seed("gemeenten_twente.csv")]
    with psycopg.connect(marts_url) as conn:
        counts = conn.execute(
            "select topic_key, sum(value) from raw.cbs_observation where table_id = '86003NED'"
            " and period_code = '2024MM06' and region_code = any(%s)"
            " and topic_key in ('Bijstandsuitkering_6', 'InwonersVanaf15Jaar_13') group by 1"
            " having count(*) = %s",
            (gemeenten, len(gemeenten)),
        ).fetchall()
        peer = conn.execute(
            "select almelo_value, twente_value, twente_method, twente_gemeenten_with_value, nl_value"
            " from marts.indicator_peer_value where indicator_code = 'ep_bijstand_per_10000_inwoners'"
            " and period_code = '2024MM06'"
        ).fetchone()
        overview = conn.execute(
            "select twente_value, nl_value from marts.programme_ep"
            " where indicator_code = 'ep_bijstand_per_10000_inwoners'"
        ).fetchone()
    totals = dict(counts)
    expected = (totals["Bijstandsuitkering_6"] * 10000 / totals["InwonersVanaf15Jaar_13"]).quantize(Decimal("0.0001"))
    assert peer[1:4] == (expected, "uit tellers en noemers", 14)
    assert peer[0] is not None and peer[4] is not None
    assert overview[0] is not None and overview[1] is not None


def test_dimensions_cover_the_areas_and_periods(marts_url: str) -> None:
    with psycopg.connect(marts_url) as conn:
        areas = {
            r[0]: r[1:]
            for r in conn.execute("select gemeentecode, area_type, is_twente, inhabitants from marts.dim_gemeente")
        }
        inwoners = conn.execute(
            "select value from raw.cbs_observation where table_id = '86165NED' and region_code = 'GM0141'"
            " and measure_code = 'inwoners' order by period_code desc limit 1"
        ).fetchone()[0]
        labels = dict(conn.execute(
            "select period_code, label_nl || ' / ' || period_type_nl from marts.dim_period"
            " where period_code in ('2024MM06', '2023KW01')"
        ).fetchall())
        orphans = conn.execute(
            "select count(*) from marts.fct_indicator_value v where not exists"
            " (select 1 from marts.dim_period p where p.period_code = v.period_code)"
            " or not exists (select 1 from marts.dim_gemeente g where g.gemeentecode = v.gemeentecode)"
        ).fetchone()[0]
    gemeenten_and_peers = {code for code, (area_type, *_) in areas.items() if area_type != "wijk"}
    assert gemeenten_and_peers == {r["gemeente_code"] for r in read_seed("gemeenten_twente.csv")} | {"NL01", "AM05"}
    assert areas["GM0141"] == ("gemeente", True, inwoners)
    assert areas["NL01"][:2] == ("land", False) and areas["AM05"][0] == "arbeidsmarktregio"
    # CBS's uitkeringen peildata are months, UWV's spanningsindicator quarters
    assert labels == {"2024MM06": "2024 juni / maand", "2023KW01": "2023 1e kwartaal / kwartaal"}
    assert orphans == 0


def test_programme_views_survive_the_swap(marts_url: str) -> None:
    per_programme: dict[str, int] = {}
    shorts = {r["programme"]: r["programme_short"] for r in read_seed("programme.csv")}
    for row in CATALOGUE:
        per_programme[shorts[row["programme"]]] = per_programme.get(shorts[row["programme"]], 0) + 1
    assert set(per_programme) == set(PROGRAMME_VIEWS)
    with psycopg.connect(marts_url) as conn:
        views = dict(conn.execute("select viewname, definition from pg_views where schemaname = 'marts'").fetchall())
        assert set(views) == {f"programme_{short}" for short in PROGRAMME_VIEWS}
        for short in PROGRAMME_VIEWS:
            # Bound to the table itself: after the rename the definition names `marts`, never the shadow schema.
            assert "marts_shadow" not in views[f"programme_{short}"]
            rows = conn.execute(f"select indicator_code, status from marts.programme_{short}").fetchall()  # noqa: S608
            assert len(rows) == per_programme[short] and all(status for _, status in rows)
        # The previous build's views went with it: nothing in marts depends on marts_previous.
        dependents = conn.execute(
            "select count(*) from pg_depend d join pg_rewrite r on d.objid = r.oid"
            " join pg_class v on r.ev_class = v.oid join pg_class t on d.refobjid = t.oid"
            " where v.relnamespace = 'marts'::regnamespace and t.relnamespace <> 'marts'::regnamespace"
            " and t.relkind in ('r', 'v', 'm')"
        ).fetchone()[0]
    assert dependents == 0


def test_almelo_wijken_have_their_own_values_and_no_status(marts_url: str) -> None:
    """CBS wijken-en-buurten tables are loaded for Almelo's wijken too (regions WK0141 in cbs_tables.yml): the
    per-10 000 figure per wijk, computed from the wijk's own counts, as a wijk of GM0141; the status is the
    gemeente's only."""
    with psycopg.connect(marts_url) as conn:
        wijk_values = conn.execute(
            "select v.gemeentecode, v.period_code, v.value, g.parent_gemeentecode from marts.fct_indicator_value v"
            " join marts.dim_gemeente g using (gemeentecode)"
            " where v.indicator_code = 'ep_bijstand_per_10000_inwoners' and g.area_type = 'wijk'"
        ).fetchall()
        counts = {r[0]: r[1:] for r in conn.execute(
            "select region_code || period_code, sum(value) filter (where measure_code = 'personen_met_bijstand'),"
            " sum(value) filter (where measure_code = 'inwoners_15_plus') from raw.cbs_observation"
            " where table_id in ('85586NED', '86003NED', '86113NED') and region_code like 'WK0141%'"
            " group by region_code, period_code")}
        judged = conn.execute("select count(*) from marts.programme_indicator_status where gemeentecode like 'WK%'"
                              ).fetchone()[0]
    assert wijk_values, "no wijk rows in fct_indicator_value"
    for code, period, value, parent in wijk_values:
        assert code.startswith("WK0141") and parent == "GM0141"
        bijstand, inwoners = counts[code + period]
        assert value == round(bijstand * 10000 / inwoners, 4)
    assert judged == 0
