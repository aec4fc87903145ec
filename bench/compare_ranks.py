#!/usr/bin/env python3
"""Compares two ranks.csv files (pmt-model.md): same households, scores within 1e-6,
identical segments, ranks, percentiles, deciles and flags. Prints `mismatches=N rows=M`
and exits 1 on any difference."""
import sys

import duckdb

a, b = sys.argv[1:3]
con = duckdb.connect()
q = f"""
WITH a AS (SELECT * FROM read_csv('{a}', header = true, types = {{'household_id': 'VARCHAR', 'score': 'DOUBLE'}})),
     b AS (SELECT * FROM read_csv('{b}', header = true, types = {{'household_id': 'VARCHAR', 'score': 'DOUBLE'}}))
SELECT
  (SELECT count(*) FROM a) AS rows_a,
  (SELECT count(*) FROM b) AS rows_b,
  count(*) FILTER (WHERE a.household_id IS NULL OR b.household_id IS NULL
    OR a.segment <> b.segment OR abs(a.score - b.score) > 1e-6
    OR a.national_rank <> b.national_rank
    OR a.national_percentile <> b.national_percentile
    OR a.national_decile <> b.national_decile
    OR a.province_decile <> b.province_decile
    OR a.regency_decile <> b.regency_decile
    OR a.imputed <> b.imputed) AS mismatches
FROM a FULL OUTER JOIN b USING (household_id)
"""
rows_a, rows_b, bad = con.execute(q).fetchone()
print(f"mismatches={bad} rows={rows_a}/{rows_b}")
sys.exit(0 if bad == 0 and rows_a == rows_b else 1)
