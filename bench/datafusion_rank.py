#!/usr/bin/env python3
"""The same PMT ranking as bench/duckdb_rank.py, in Apache DataFusion (the Rust query
engine, through its Python bindings: `pip install datafusion`), over the same CSV files.
It measures what the engine would cost if Selaras were built on DataFusion instead of its
own reader (ARCHITECTURE.md, "Decisions").

Usage: datafusion_rank.py DATA_DIR MODEL.json OUT.csv
"""
import json
import os
import shutil
import sys

from duckdb_rank import lit, model_sql


def build_sql(model, m_live, h_live):
    as_of = model["as_of"]
    seg_case, score_case, imp_case, dsc, dim, effects, edu_rank, edu_name = model_sql(model)
    edu_name = edu_name.replace("max_edu", "a.max_edu")
    d = f"CAST({lit(as_of)} AS DATE)"
    head = "relation = 'head'"
    return f"""
WITH
m AS (
  SELECT household_id, relation, sex, CAST(working AS BIGINT) AS working, sector,
         education_level, disability,
         date_part('year', {d}) - date_part('year', CAST(birth_date AS DATE))
           - CASE WHEN date_part('month', CAST(birth_date AS DATE)) * 100 + date_part('day', CAST(birth_date AS DATE))
                       > date_part('month', {d}) * 100 + date_part('day', {d})
                  THEN 1 ELSE 0 END AS age
  FROM members {m_live}
),
agg AS (
  SELECT household_id,
    count(*) AS hh_size,
    sum(CASE WHEN {head} THEN 1 ELSE 0 END) AS heads,
    sum(CASE WHEN age < 15 THEN 1 ELSE 0 END) AS young,
    sum(CASE WHEN age >= 65 THEN 1 ELSE 0 END) AS old,
    sum(working) AS n_working,
    sum(CASE WHEN age BETWEEN 0 AND 6 THEN 1 ELSE 0 END) AS children_0_6,
    sum(CASE WHEN age BETWEEN 7 AND 18 THEN 1 ELSE 0 END) AS children_7_18,
    sum(CASE WHEN age >= 60 THEN 1 ELSE 0 END) AS elderly_60,
    sum(CASE WHEN disability <> 'none' THEN 1 ELSE 0 END) AS disabled_members,
    max({edu_rank}) AS max_edu,
    max(CASE WHEN {head} THEN age END) AS head_age,
    max(CASE WHEN {head} THEN (CASE WHEN sex = 'F' THEN 1 ELSE 0 END) END) AS head_female,
    max(CASE WHEN {head} THEN education_level END) AS head_education,
    max(CASE WHEN {head} THEN working END) AS head_working,
    max(CASE WHEN {head} THEN (CASE WHEN working = 1 THEN sector ELSE 'none' END) END) AS head_sector
  FROM m GROUP BY household_id
),
h AS (
  SELECT h.*,
    CAST(a.hh_size AS DOUBLE) AS hh_size, ln(CAST(a.hh_size AS DOUBLE)) AS log_hh_size,
    CAST(a.young + a.old AS DOUBLE) / CAST(greatest(1, a.hh_size - a.young - a.old) AS DOUBLE) AS dependency_ratio,
    CAST(a.n_working AS DOUBLE) / a.hh_size AS share_working,
    CAST(h.floor_area_m2 AS DOUBLE) / a.hh_size AS floor_area_per_capita,
    a.head_age, a.head_female, a.head_education, a.head_working, a.head_sector,
    a.children_0_6, a.children_7_18, a.elderly_60, a.disabled_members,
    {edu_name} AS max_education
  FROM households h JOIN agg a ON a.household_id = h.household_id
  WHERE a.heads = 1 {h_live}
),
s AS (
  SELECT household_id, region_code,
    CASE {' '.join(seg_case)} ELSE 'default' END AS segment,
    round((CASE {' '.join(score_case)} ELSE {dsc} END) + {effects}, 6) AS score,
    CASE {' '.join(imp_case)} ELSE {dim} END AS imputed
  FROM h
),
r AS (
  SELECT *,
    row_number() OVER (ORDER BY score, household_id) AS national_rank,
    count(*) OVER () AS n,
    row_number() OVER (PARTITION BY substr(region_code, 1, 2) ORDER BY score, household_id) AS prov_rank,
    count(*) OVER (PARTITION BY substr(region_code, 1, 2)) AS prov_n,
    row_number() OVER (PARTITION BY substr(region_code, 1, 5) ORDER BY score, household_id) AS reg_rank,
    count(*) OVER (PARTITION BY substr(region_code, 1, 5)) AS reg_n
  FROM s
)
SELECT household_id, segment, score, exp(score) AS predicted_consumption,
  national_rank,
  CAST(100 * national_rank + n - 1 AS BIGINT) / CAST(n AS BIGINT) AS national_percentile,
  CAST(10 * national_rank + n - 1 AS BIGINT) / CAST(n AS BIGINT) AS national_decile,
  CAST(10 * prov_rank + prov_n - 1 AS BIGINT) / CAST(prov_n AS BIGINT) AS province_decile,
  CAST(10 * reg_rank + reg_n - 1 AS BIGINT) / CAST(reg_n AS BIGINT) AS regency_decile,
  CAST(imputed AS INT) AS imputed
FROM r
"""


def main():
    from datafusion import SessionContext

    data, model_path, out = sys.argv[1:4]
    model = json.load(open(model_path))
    ctx = SessionContext()
    # Ids and codes stay text whatever they look like; the rest is inferred.
    ctx.register_csv("members", os.path.join(data, "members.csv"), has_header=True)
    ctx.register_csv("households", os.path.join(data, "households.csv"), has_header=True)
    cols = lambda f: open(os.path.join(data, f), encoding="utf-8").readline().strip().split(",")
    m_live = "WHERE exit_state IS NULL" if "exit_state" in cols("members.csv") else ""
    h_live = "AND h.exit_state IS NULL" if "exit_state" in cols("households.csv") else ""
    df = ctx.sql(build_sql(model, m_live, h_live))
    tmp = out + ".parts"
    shutil.rmtree(tmp, ignore_errors=True)
    df.write_csv(tmp, with_header=True)
    # One file, as the other tools write (DataFusion writes one file or a folder of parts).
    if os.path.isfile(tmp):
        os.replace(tmp, out)
        return
    parts = sorted(os.listdir(tmp))
    with open(out, "wb") as w:
        for i, p in enumerate(parts):
            with open(os.path.join(tmp, p), "rb") as f:
                if i > 0:
                    f.readline()
                shutil.copyfileobj(f, w)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
