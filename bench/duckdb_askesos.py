"""Contributions and LPA fees by LPA and year over an export of the payments (the part of
the Askesos report an analyst would write in SQL), in DuckDB; 10 runs, median."""
import statistics
import sys
import time

import duckdb

path = sys.argv[1]
sql = f"""
SELECT lpa_id, year(CAST(paid_on AS DATE)) AS y,
       SUM(CASE WHEN payer = 'member' THEN amount ELSE 0 END) AS member,
       SUM(CASE WHEN payer = 'lpa' THEN amount ELSE 0 END) AS lpa,
       SUM(CASE WHEN payer IN ('subsidy', 'enrolment') THEN amount ELSE 0 END) AS subsidy,
       SUM(CASE WHEN payer = 'subsidy' THEN
             floor(amount * CASE WHEN CAST(paid_on AS DATE) >= DATE '2014-01-01' THEN 750 ELSE 1250 END / 10000)
           ELSE 0 END) AS fees
FROM read_csv_auto('{path}')
WHERE CAST(paid_on AS DATE) BETWEEN DATE '2013-01-01' AND DATE '2014-12-31'
GROUP BY 1, 2 ORDER BY 1, 2
"""
con = duckdb.connect()
times = []
rows = 0
for _ in range(10):
    t0 = time.perf_counter()
    rows = len(con.execute(sql).fetchall())
    times.append(time.perf_counter() - t0)
print(f"duckdb money by LPA and year over the CSV: median {statistics.median(times)*1000:.0f} ms, rows {rows}")
