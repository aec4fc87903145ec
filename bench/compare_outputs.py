#!/usr/bin/env python3
"""Compares two output directories file by file (the files named on the command line):
same header, and the same lines as a multiset (row order is not part of the contract).
Prints one `FILE: mismatches=N rows=A/B` line each and exits 1 on any difference.

Usage: compare_outputs.py DIR_A DIR_B FILE...
"""
import sys
from collections import Counter


def lines(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline()
        return header, Counter(f)


a, b, *files = sys.argv[1:]
bad = False
for name in files:
    ha, la = lines(f"{a}/{name}")
    hb, lb = lines(f"{b}/{name}")
    diff = sum(((la - lb) + (lb - la)).values()) + (ha != hb)
    print(f"{name}: mismatches={diff} rows={sum(la.values())}/{sum(lb.values())}"
          + ("" if ha == hb else f" headers differ: {ha.strip()} / {hb.strip()}"))
    bad |= diff > 0
sys.exit(1 if bad else 0)
