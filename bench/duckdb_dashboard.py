"""The national dashboard's registry figures computed on the fly, as one would without
pre-aggregation: DuckDB over the registry files (households.csv, members.csv, ranks.csv),
per province — households, members, households surveyed in the last 12 months, and the
national-decile distribution. Prints the time per "request" (median of 5 runs after a
first one that also reads the files into DuckDB tables) so bench/dashboard.sh can put it
beside selaras' pre-aggregated answer.

Usage: python3 bench/duckdb_dashboard.py DATA_DIR RANKS_CSV
"""

import datetime
import statistics
import sys
import time

import duckdb

data, ranks = sys.argv[1], sys.argv[2]
con = duckdb.connect()
t0 = time.perf_counter()
con.execute(
    f"CREATE TABLE h AS SELECT household_id, region_code, survey_date, exit_state "
    f"FROM read_csv('{data}/households.csv', header=true, all_varchar=true)"
)
con.execute(
    f"CREATE TABLE m AS SELECT household_id, exit_state "
    f"FROM read_csv('{data}/members.csv', header=true, all_varchar=true)"
)
con.execute(
    f"CREATE TABLE r AS SELECT household_id, national_decile "
    f"FROM read_csv('{ranks}', header=true, all_varchar=true)"
)
load = time.perf_counter() - t0
today = datetime.date.today()
cutoff = today.replace(year=today.year - 1).isoformat()
query = f"""
WITH hh AS (
  SELECT substr(region_code, 1, 2) AS prov, household_id, survey_date
  FROM h WHERE coalesce(exit_state, '') = ''
), mem AS (
  SELECT hh.prov, count(*) AS members FROM m JOIN hh USING (household_id)
  WHERE coalesce(m.exit_state, '') = '' GROUP BY hh.prov
), dec AS (
  SELECT hh.prov, count(*) FILTER (WHERE national_decile = '1') AS d1,
         count(*) FILTER (WHERE national_decile = '10') AS d10, count(*) AS ranked
  FROM r JOIN hh USING (household_id) GROUP BY hh.prov
)
SELECT prov, count(*) AS households, count(*) FILTER (WHERE survey_date > '{cutoff}') AS verified,
       any_value(mem.members), any_value(dec.ranked)
FROM hh LEFT JOIN mem USING (prov) LEFT JOIN dec USING (prov)
GROUP BY prov ORDER BY prov
"""
times = []
for _ in range(6):
    t0 = time.perf_counter()
    rows = con.execute(query).fetchall()
    times.append(time.perf_counter() - t0)
print(
    f"DuckDB {duckdb.__version__}, national figures by GROUP BY per request: "
    f"median {statistics.median(times[1:]) * 1000:.0f} ms over 5 runs "
    f"({len(rows)} provinces; loading the files first: {load:.1f} s)"
)
