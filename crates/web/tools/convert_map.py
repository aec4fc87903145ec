"""Converts the province map of the npm package @svg-maps/indonesia 1.0.0 (CC BY 4.0, based
on MapSVG's map of Indonesia) into crates/web/assets/provinces.tsv: one line per province,
`kemendagri code <TAB> name <TAB> SVG path`, with the relative `m … z` paths made absolute
rounded to 0.1 of the map's units (793 × 288), simplified (Douglas–Peucker, 0.5
units) and without islets under 1 square unit — about a third of the original size.

Usage: npm pack @svg-maps/indonesia && tar xzf svg-maps-indonesia-1.0.0.tgz &&
       python3 crates/web/tools/convert_map.py package/index.js crates/web/assets/provinces.tsv
"""

import json
import re
import sys

# ISO 3166-2:ID → Kemendagri province code. The map predates the four provinces carved out
# of Papua in 2022 (93–96): they are drawn inside 91 and 92 (see ARCHITECTURE.md).
ISO = {
    "ac": "11", "su": "12", "sb": "13", "ri": "14", "ja": "15", "ss": "16", "be": "17",
    "la": "18", "bb": "19", "kr": "21", "jk": "31", "jb": "32", "jt": "33", "yo": "34",
    "ji": "35", "bt": "36", "ba": "51", "nb": "52", "nt": "53", "kb": "61", "kt": "62",
    "ks": "63", "ki": "64", "ku": "65", "sa": "71", "st": "72", "sn": "73", "sg": "74",
    "go": "75", "sr": "76", "ma": "81", "mu": "82", "pa": "91", "pb": "92",
}


TOLERANCE = 0.5  # map units: a 793-unit-wide map drawn a few hundred pixels wide


def simplify(ring):
    """Douglas–Peucker: drops points closer than TOLERANCE to the line they sit on."""
    if len(ring) < 4:
        return ring
    (ax, ay), (bx, by) = ring[0], ring[-1]
    dx, dy = bx - ax, by - ay
    norm = (dx * dx + dy * dy) ** 0.5
    far, at = 0.0, 0
    for i, (px, py) in enumerate(ring[1:-1], 1):
        d = abs(dy * px - dx * py + bx * ay - by * ax) / norm if norm else ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
        if d > far:
            far, at = d, i
    if far <= TOLERANCE:
        return [ring[0], ring[-1]]
    return simplify(ring[: at + 1])[:-1] + simplify(ring[at:])


def area(ring):
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]))) / 2


def absolute(path):
    tokens = re.findall(r"[mzMZ]|-?\d*\.?\d+(?:e-?\d+)?", path)
    out, x, y, sx, sy, i = [], 0.0, 0.0, 0.0, 0.0, 0
    ring = []
    while i < len(tokens):
        t = tokens[i]
        if t in "mM":
            i += 1
            first = True
            while i + 1 < len(tokens) and tokens[i] not in "mMzZ":
                dx, dy = float(tokens[i]), float(tokens[i + 1])
                if t == "M" and first:
                    x, y = dx, dy
                else:
                    x, y = x + dx, y + dy
                if first:
                    sx, sy = x, y
                    ring = []
                    first = False
                p = (round(x, 1), round(y, 1))
                if not ring or ring[-1] != p:
                    ring.append(p)
                i += 2
        elif t in "zZ":
            # Split the closed ring in two halves so the line between its ends is defined.
            half = len(ring) // 2
            ring = simplify(ring[: half + 1])[:-1] + simplify(ring[half:] + [ring[0]])[:-1]
            if len(ring) >= 3 and area(ring) >= 1.0:
                out.append("M" + " ".join(f"{a:g},{b:g}" for a, b in ring) + "Z")
            ring = []
            x, y = sx, sy
            i += 1
        else:
            raise ValueError(f"unexpected token {t!r}")
    if ring:
        # A path may end without closing its last ring (Kalimantan Timur does): close it.
        return absolute(path + " z")
    return "".join(out)


src, dst = sys.argv[1], sys.argv[2]
text = open(src, encoding="utf-8").read()
data = json.loads(text[text.index("{"):].rstrip().rstrip(";"))
lines = []
for loc in data["locations"]:
    code = ISO[loc["id"].split("-")[1]]
    lines.append(f"{code}\t{loc['name']}\t{absolute(loc['path'])}")
lines.sort()
with open(dst, "w", encoding="utf-8") as f:
    f.write(f"# viewBox {data['viewBox']}\n")
    f.write("\n".join(lines) + "\n")
print(f"{len(lines)} provinces, {sum(len(l) for l in lines)} bytes")
