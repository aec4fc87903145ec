#!/usr/bin/env python3
"""Convert the npm package `idn-area-data` (versions 4.0.1 and 3.1.2) into the single
region table embedded by the `selaras-regions` crate.

Usage (from the workspace root):

    python3 crates/regions/tools/convert.py \
        /tmp/idn/idn-area-data-4.0.1/package /tmp/idn/idn-area-data-3.1.2/package \
        [-o crates/regions/data/regions.csv]

The packages can be fetched with `npm pack idn-area-data@4.0.1 idn-area-data@3.1.2` and
unpacked with `tar xzf`.

Output: `code,name,versions`, one row per region code present in either version, sorted by
code. `versions` is `3`, `4` or `34`. The name is taken from 4.0.1 when the code is there,
otherwise from 3.1.2 (3.1.2 spells province and regency names in upper case). Names are
kept exactly as published. Python standard library only.
"""

import argparse
import csv
import json
import os
import re
import sys

# (file, expected header, code pattern, index of the parent column or None)
LEVELS = [
    ("provinces.csv", ["code", "name"], re.compile(r"^\d{2}$"), None),
    ("regencies.csv", ["code", "province_code", "name"], re.compile(r"^\d{2}\.\d{2}$"), 1),
    ("districts.csv", ["code", "regency_code", "name"], re.compile(r"^\d{2}\.\d{2}\.\d{2}$"), 1),
    ("villages.csv", ["code", "district_code", "name"], re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"), 1),
]
LEVEL_NAMES = ["province", "regency", "district", "village"]


def fail(msg):
    sys.exit(f"convert.py: {msg}")


def package_version(pkg_dir):
    with open(os.path.join(pkg_dir, "package.json"), encoding="utf-8") as fh:
        meta = json.load(fh)
    if meta.get("name") != "idn-area-data":
        fail(f"{pkg_dir}: package.json names {meta.get('name')!r}, not idn-area-data")
    return meta["version"]


def load(pkg_dir):
    """Return {code: name} for every province, regency, district and village of a package."""
    out = {}
    for fname, header, pattern, parent_col in LEVELS:
        path = os.path.join(pkg_dir, "data", fname)
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            got_header = next(reader, None)
            if got_header != header:
                fail(f"{path}: header {got_header!r}, expected {header!r}")
            for row in reader:
                where = f"{path}:{reader.line_num}"
                if len(row) != len(header):
                    fail(f"{where}: {len(row)} fields, expected {len(header)}: {row!r}")
                code, name = row[0], row[-1]
                if not pattern.match(code):
                    fail(f"{where}: malformed code {code!r}")
                if parent_col is not None:
                    parent = row[parent_col]
                    if code.rsplit(".", 1)[0] != parent:
                        fail(f"{where}: code {code} does not lie in parent {parent}")
                if not name or name != name.strip() or "\n" in name or "\r" in name:
                    fail(f"{where}: bad name {name!r}")
                if code in out:
                    fail(f"{where}: duplicate code {code}")
                out[code] = name
    return out


def level_of(code):
    return {2: 0, 5: 1, 8: 2, 13: 3}[len(code)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("v4_dir", help="unpacked idn-area-data 4.x package directory")
    ap.add_argument("v3_dir", help="unpacked idn-area-data 3.x package directory")
    ap.add_argument(
        "-o",
        "--output",
        default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "regions.csv"),
        help="output file (default: crates/regions/data/regions.csv)",
    )
    args = ap.parse_args()

    v4_ver, v3_ver = package_version(args.v4_dir), package_version(args.v3_dir)
    if not v4_ver.startswith("4.") or not v3_ver.startswith("3."):
        fail(f"expected a 4.x and a 3.x package, got {v4_ver} and {v3_ver}")
    v4, v3 = load(args.v4_dir), load(args.v3_dir)

    codes = sorted(set(v4) | set(v3))
    # Every region's parent must be in the union, or the table would have orphans.
    union = set(codes)
    for code in codes:
        if len(code) > 2 and code.rsplit(".", 1)[0] not in union:
            fail(f"{code}: parent missing from both versions")

    counts = [[0, 0, 0] for _ in LEVELS]  # per level: union, only 3, only 4
    out_path = os.path.normpath(args.output)
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    tmp_path = out_path + ".tmp"
    with open(tmp_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(["code", "name", "versions"])
        for code in codes:
            in3, in4 = code in v3, code in v4
            versions = ("3" if in3 else "") + ("4" if in4 else "")
            name = v4[code] if in4 else v3[code]
            w.writerow([code, name, versions])
            c = counts[level_of(code)]
            c[0] += 1
            c[1] += in3 and not in4
            c[2] += in4 and not in3
    os.replace(tmp_path, out_path)

    print(f"wrote {out_path}: {len(codes)} regions from idn-area-data {v4_ver} + {v3_ver}")
    print(f"{'level':<10}{'union':>8}{'only-3':>8}{'only-4':>8}")
    for name, (u, o3, o4) in zip(LEVEL_NAMES, counts):
        print(f"{name:<10}{u:>8}{o3:>8}{o4:>8}")


if __name__ == "__main__":
    main()
