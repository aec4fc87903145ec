#!/usr/bin/env python3
"""The peer of `selaras rank`: the same PMT ranking (shared/spec/pmt-model.md) written as
DuckDB SQL over the same CSV files, as a statistician would without Selaras.

Usage: duckdb_rank.py DATA_DIR MODEL.json OUT.csv [--threads N]
The SQL is generated from the model file (terms become CASE expressions).
"""
import json
import sys

EDU = ["none", "sd", "smp", "sma", "diploma", "bachelor", "postgraduate"]
NUMERIC_DERIVED = {
    "hh_size", "log_hh_size", "dependency_ratio", "share_working", "floor_area_per_capita",
    "head_age", "head_female", "head_working", "children_0_6", "children_7_18",
    "elderly_60", "disabled_members",
}


def lit(s):
    return "'" + s.replace("'", "''") + "'"


def segment_sql(seg):
    """(score expression, imputed expression) of one segment."""
    parts = [repr(float(seg["intercept"]))]
    nulls = []
    for t in seg["terms"]:
        v = t["var"]
        if "coef" in t:
            parts.append(f"coalesce({float(t['coef'])!r} * CAST({v} AS DOUBLE), 0)")
            nulls.append(f"{v} IS NULL")
        else:
            cases = " ".join(f"WHEN {lit(k)} THEN {float(c)!r}" for k, c in t["levels"].items())
            parts.append(f"(CASE CAST({v} AS VARCHAR) {cases} ELSE 0 END)" if cases else "0")
    return " + ".join(parts), (" OR ".join(nulls) or "false")


def prefix_match(p):
    return f"(region_code = {lit(p)} OR starts_with(region_code, {lit(p + '.')}))"


def has_column(path, name):
    with open(path, encoding="utf-8") as f:
        return name in f.readline().strip().split(",")


def model_sql(model):
    """The model's parts as SQL expressions, shared with datafusion_rank.py: segment,
    score and imputed CASE branches, the default segment, the region effects and the
    education order."""
    segs = sorted(model.get("segments") or [], key=lambda s: -len(s["region_prefix"]))
    seg_case, score_case, imp_case = [], [], []
    for s in segs:
        m = prefix_match(s["region_prefix"])
        sc, im = segment_sql(s)
        seg_case.append(f"WHEN {m} THEN {lit(s['region_prefix'])}")
        score_case.append(f"WHEN {m} THEN {sc}")
        imp_case.append(f"WHEN {m} THEN {im}")
    dsc, dim = segment_sql(model["default"])
    effects = " + ".join(
        f"(CASE WHEN {prefix_match(k)} THEN {float(e)!r} ELSE 0 END)"
        for k, e in (model.get("region_effects") or {}).items()
    ) or "0"
    edu_rank = "CASE education_level " + " ".join(
        f"WHEN {lit(e)} THEN {i}" for i, e in enumerate(EDU)) + " END"
    edu_name = "CASE max_edu " + " ".join(
        f"WHEN {i} THEN {lit(e)}" for i, e in enumerate(EDU)) + " END"
    return seg_case, score_case, imp_case, dsc, dim, effects, edu_rank, edu_name


def members_sql(data, as_of, extra=""):
    """Active members with their age in whole years at `as_of` (plus `extra` columns)."""
    m_live = "WHERE exit_state IS NULL" if has_column(data + "/members.csv", "exit_state") else ""
    return f"""
  SELECT household_id, relation, sex, working, sector, education_level, disability{extra},
         year(DATE {lit(as_of)}) - year(birth_date)
           - CASE WHEN month(birth_date) * 100 + day(birth_date)
                       > month(DATE {lit(as_of)}) * 100 + day(DATE {lit(as_of)})
                  THEN 1 ELSE 0 END AS age
  FROM read_csv({lit(data + '/members.csv')}, header = true, all_varchar = false,
                types = {{'birth_date': 'DATE', 'working': 'INTEGER', 'nik': 'VARCHAR',
                          'kk_number': 'VARCHAR', 'household_id': 'VARCHAR'}})
  {m_live}"""


def households_sql(data):
    """Every household row with its identifiers read as text."""
    return f"""read_csv({lit(data + '/households.csv')}, header = true,
                types = {{'household_id': 'VARCHAR', 'region_code': 'VARCHAR'}})"""


def ranks_sql(data, model, members=None, households=None):
    """The ranking as one SELECT (ranks.csv's columns); `members` and `households` name
    relations to read instead of the files (members with an `age` at the model's as_of)."""
    has_exit = has_column(data + "/households.csv", "exit_state")
    seg_case, score_case, imp_case, dsc, dim, effects, edu_rank, edu_name = model_sql(model)
    m = members or f"({members_sql(data, model['as_of'])})"
    hh = households or households_sql(data)
    live = "WHERE a.heads = 1 AND h.exit_state IS NULL" if has_exit else "WHERE a.heads = 1"
    return f"""
WITH
m AS (SELECT * FROM {m}),
agg AS (
  SELECT household_id,
    count(*) AS hh_size,
    count(*) FILTER (WHERE relation = 'head') AS heads,
    count(*) FILTER (WHERE age < 15) AS young,
    count(*) FILTER (WHERE age >= 65) AS old,
    sum(working) AS n_working,
    count(*) FILTER (WHERE age BETWEEN 0 AND 6) AS children_0_6,
    count(*) FILTER (WHERE age BETWEEN 7 AND 18) AS children_7_18,
    count(*) FILTER (WHERE age >= 60) AS elderly_60,
    count(*) FILTER (WHERE disability <> 'none') AS disabled_members,
    max({edu_rank}) AS max_edu,
    any_value(age) FILTER (WHERE relation = 'head') AS head_age,
    any_value(CASE WHEN sex = 'F' THEN 1 ELSE 0 END) FILTER (WHERE relation = 'head') AS head_female,
    any_value(education_level) FILTER (WHERE relation = 'head') AS head_education,
    any_value(working) FILTER (WHERE relation = 'head') AS head_working,
    any_value(CASE WHEN working = 1 THEN sector ELSE 'none' END) FILTER (WHERE relation = 'head') AS head_sector
  FROM m GROUP BY household_id
),
h AS (
  SELECT h.*,
    a.hh_size, ln(a.hh_size) AS log_hh_size,
    (a.young + a.old) / greatest(1, a.hh_size - a.young - a.old) AS dependency_ratio,
    a.n_working / a.hh_size AS share_working,
    h.floor_area_m2 / a.hh_size AS floor_area_per_capita,
    a.head_age, a.head_female, a.head_education, a.head_working, a.head_sector,
    a.children_0_6, a.children_7_18, a.elderly_60, a.disabled_members,
    {edu_name.replace('max_edu', 'a.max_edu')} AS max_education
  FROM {hh} h
  JOIN agg a USING (household_id)
  {live}
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
    row_number() OVER (PARTITION BY region_code[1:2] ORDER BY score, household_id) AS prov_rank,
    count(*) OVER (PARTITION BY region_code[1:2]) AS prov_n,
    row_number() OVER (PARTITION BY region_code[1:5] ORDER BY score, household_id) AS reg_rank,
    count(*) OVER (PARTITION BY region_code[1:5]) AS reg_n
  FROM s
)
SELECT household_id, segment, printf('%.6f', score) AS score, exp(score) AS predicted_consumption,
  national_rank,
  (100 * national_rank + n - 1) // n AS national_percentile,
  (10 * national_rank + n - 1) // n AS national_decile,
  (10 * prov_rank + prov_n - 1) // prov_n AS province_decile,
  (10 * reg_rank + reg_n - 1) // reg_n AS regency_decile,
  CAST(imputed AS INTEGER) AS imputed
FROM r"""


def build_sql(data, model, out):
    return f"COPY ({ranks_sql(data, model)}\n) TO {lit(out)} (HEADER, DELIMITER ',');"


def main():
    args = sys.argv[1:]
    threads = None
    if "--threads" in args:
        i = args.index("--threads")
        threads = int(args[i + 1])
        del args[i:i + 2]
    data, model_path, out = args
    model = json.load(open(model_path))
    import duckdb

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {threads}")
    con.execute("SET preserve_insertion_order = false")
    con.execute(build_sql(data, model, out))


if __name__ == "__main__":
    main()
