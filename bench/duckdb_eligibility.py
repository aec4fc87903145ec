#!/usr/bin/env python3
"""The peer of `selaras eligibility`: the default catalogue's rules (programs-default.md)
written by hand as DuckDB SQL over the same CSV files, ranks included (the ranking SQL of
duckdb_rank.py), producing the same four files: eligibility.csv, summary.csv,
gaps_by_regency.csv and combinations.csv.

Usage: duckdb_eligibility.py DATA_DIR MODEL.json AS_OF OUT_DIR [--threads N]
"""
import json
import os
import sys

from duckdb_rank import has_column, households_sql, lit, members_sql, ranks_sql

# Programs in catalogue order; household programs read `h`, member programs `m` joined with
# their household's ranks (`national_decile` as `d`).
HOUSEHOLD = [
    ("pkh", "national_percentile <= 15 AND pkh_member"),
    ("bpnt", "national_percentile <= 25"),
    ("rs_rtlh", """national_decile <= 4 AND ownership = 'own' AND (
        coalesce(CAST(floor_type IN ('earth', 'bamboo', 'wood_low') AS INTEGER), 0)
      + coalesce(CAST(wall_type IN ('bamboo', 'other') AS INTEGER), 0)
      + coalesce(CAST(roof_type IN ('thatch', 'bamboo', 'other') AS INTEGER), 0)
      + coalesce(CAST(floor_area_m2 / hh_size < 8 AS INTEGER), 0)) >= 2"""),
]
MEMBER = [
    ("kis_pbi", "d <= 4"),
    ("kip", """d <= 4 AND age BETWEEN 6 AND 21 AND (school_participation = 'attending'
        OR (school_participation = 'stopped' AND education_level IN ('none', 'sd', 'smp')))"""),
    ("aslut", "d <= 3 AND age >= 60 AND working = 0"),
    ("aspdb", "d <= 4 AND severe_disability = 1"),
    ("kube", "d <= 4 AND relation = 'head' AND age BETWEEN 18 AND 60"),
    ("askesos", """d <= 4 AND relation = 'head' AND age BETWEEN 18 AND 55 AND working = 1
        AND employment_status IN ('self_employed', 'casual', 'unpaid_family')"""),
]
ORDER = ["pkh", "bpnt", "rs_rtlh", "kis_pbi", "kip", "aslut", "aspdb", "kube", "askesos"]
FLAGGED = {"pkh": "in_pkh", "bpnt": "in_bpnt", "kis_pbi": "in_kis_pbi", "kip": "in_kip"}


def statements(data, model, as_of, out):
    if as_of != model["as_of"]:
        sys.exit("this peer ranks and judges at one date: AS_OF must be the model's as_of")
    live = "WHERE exit_state IS NULL" if has_column(data + "/households.csv", "exit_state") else ""
    extra = (", nik, pregnant, severe_disability, school_participation, employment_status")
    yield f"CREATE TEMP TABLE m AS {members_sql(data, as_of, extra)}"
    yield f"CREATE TEMP TABLE hraw AS SELECT * FROM {households_sql(data)}"
    yield f"CREATE TEMP TABLE r AS {ranks_sql(data, model, 'm', 'hraw')}"
    yield f"""CREATE TEMP TABLE h AS
      SELECT hraw.*, region_code[1:5] AS regency, r.national_percentile, r.national_decile,
             a.hh_size, coalesce(a.pkh_member, false) AS pkh_member
      FROM hraw
      LEFT JOIN r USING (household_id)
      LEFT JOIN (SELECT household_id, count(*) AS hh_size,
                   bool_or(pregnant = 1 OR age BETWEEN 0 AND 6 OR age BETWEEN 7 AND 18
                           OR age >= 70 OR severe_disability = 1) AS pkh_member
                 FROM m GROUP BY household_id) a USING (household_id)
      {live}"""
    hcols = ", ".join(f"coalesce({rule}, false) AS e_{code}" for code, rule in HOUSEHOLD)
    yield f"CREATE TEMP TABLE hv AS SELECT *, {hcols} FROM h"
    mcols = ", ".join(f"coalesce({rule}, false) AS e_{code}" for code, rule in MEMBER)
    yield f"""CREATE TEMP TABLE mv AS
      SELECT m.household_id, m.nik, {mcols}
      FROM m JOIN (SELECT household_id, national_decile AS d FROM h) hd USING (household_id)"""
    # Households with at least one eligible member, per member program.
    yield "CREATE TEMP TABLE mh AS SELECT household_id, " + ", ".join(
        f"count(*) FILTER (WHERE e_{c}) AS n_{c}" for c, _ in MEMBER
    ) + " FROM mv GROUP BY household_id"
    yield """CREATE TEMP TABLE v AS SELECT hv.*, """ + ", ".join(
        f"coalesce(n_{c}, 0) AS n_{c}, coalesce(n_{c}, 0) > 0 AS e_{c}" for c, _ in MEMBER
    ) + " FROM hv LEFT JOIN mh USING (household_id)"

    rows = [f"SELECT '{c}' AS program, 'household' AS unit, household_id, NULL AS nik "
            f"FROM hv WHERE e_{c}" for c, _ in HOUSEHOLD]
    rows += [f"SELECT '{c}', 'member', household_id, nik FROM mv WHERE e_{c}" for c, _ in MEMBER]
    yield (f"COPY ({' UNION ALL '.join(rows)}) TO {lit(out + '/eligibility.csv')} "
           "(HEADER, DELIMITER ',')")

    def flagged(c):
        f = FLAGGED[c]
        return (f"count(*) FILTER (WHERE {f} = 1) AS enrolled_households, "
                f"count(*) FILTER (WHERE e_{c} AND {f} IS DISTINCT FROM 1) AS eligible_not_enrolled, "
                f"count(*) FILTER (WHERE {f} = 1 AND NOT e_{c}) AS enrolled_not_eligible")

    summary = []
    for i, c in enumerate(ORDER):
        unit = "household" if c in dict(HOUSEHOLD) else "member"
        units = f"count(*) FILTER (WHERE e_{c})" if unit == "household" else f"sum(n_{c})"
        rest = flagged(c) if c in FLAGGED else "NULL, NULL, NULL"
        summary.append(f"SELECT {i} AS k, '{c}' AS program, '{unit}' AS unit, "
                       f"{units} AS eligible_units, "
                       f"count(*) FILTER (WHERE e_{c}) AS eligible_households, {rest} FROM v")
    yield (f"COPY (SELECT * EXCLUDE (k) FROM ({' UNION ALL '.join(summary)}) ORDER BY k) "
           f"TO {lit(out + '/summary.csv')} (HEADER, DELIMITER ',')")
    gaps = [f"SELECT regency, {i} AS k, '{c}' AS program, "
            f"count(*) FILTER (WHERE e_{c}) AS eligible_households, "
            f"{flagged(c)} FROM v GROUP BY regency" for i, c in enumerate(ORDER) if c in FLAGGED]
    yield (f"COPY (SELECT * EXCLUDE (k) FROM ({' UNION ALL '.join(gaps)}) ORDER BY regency, k) "
           f"TO {lit(out + '/gaps_by_regency.csv')} (HEADER, DELIMITER ',')")
    received = ", ".join(f"CASE WHEN {FLAGGED[c]} = 1 THEN '{c}' END"
                         for c in ORDER if c in FLAGGED)
    yield f"""COPY (SELECT regency, programs_received, count(*) AS households FROM (
        SELECT regency, coalesce(nullif(concat_ws('+', {received}), ''), 'none') AS programs_received
        FROM v) GROUP BY ALL ORDER BY ALL)
      TO {lit(out + '/combinations.csv')} (HEADER, DELIMITER ',')"""


def main():
    args = sys.argv[1:]
    threads = None
    if "--threads" in args:
        i = args.index("--threads")
        threads = int(args[i + 1])
        del args[i:i + 2]
    data, model_path, as_of, out = args
    model = json.load(open(model_path))
    import duckdb

    os.makedirs(out, exist_ok=True)
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {threads}")
    con.execute("SET preserve_insertion_order = false")
    # Spills (10 M households and up) go beside the output, not into the working folder.
    con.execute(f"SET temp_directory = {lit(out + '/.duckdb-tmp')}")
    for s in statements(data, model, as_of, out):
        con.execute(s)


if __name__ == "__main__":
    main()
