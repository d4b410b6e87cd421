"""Build core/data/shapes.json, the partners' country shapes the maps draw, from Natural Earth.

The shapes come from the npm package world-atlas (Natural Earth's 1:50m and 1:110m countries as TopoJSON; Natural
Earth is in the public domain). The built file ships with the project, so nothing is downloaded when the portal runs:
run this again only to change the shapes.

    python scripts/build_shapes.py              # installs world-atlas into a temporary folder with npm
    python scripts/build_shapes.py --atlas DIR  # or reads an installed node_modules/world-atlas

Each partner country is its 1:50m outline simplified (Douglas-Peucker, 0.12 degrees) with its islands too small to
see dropped; the other countries in view are one grey backdrop from the 1:110m outlines, simplified more. Natural
Earth numbers countries by ISO 3166 numeric: the table below maps the 51 partner countries to their alpha-2 codes.
"""

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "core" / "data" / "shapes.json"
VERSION = "2"

# ISO 3166 numeric to alpha-2, for the 51 partners that are countries (the EU and the ASEAN Secretariat have none).
PARTNERS = {
    "040": "AT", "056": "BE", "100": "BG", "191": "HR", "196": "CY", "203": "CZ", "208": "DK", "233": "EE",
    "246": "FI", "250": "FR", "276": "DE", "300": "GR", "348": "HU", "372": "IE", "380": "IT", "428": "LV",
    "440": "LT", "442": "LU", "470": "MT", "528": "NL", "578": "NO", "616": "PL", "620": "PT", "642": "RO",
    "703": "SK", "705": "SI", "724": "ES", "752": "SE", "756": "CH", "826": "GB", "036": "AU", "050": "BD",
    "096": "BN", "116": "KH", "156": "CN", "356": "IN", "360": "ID", "392": "JP", "398": "KZ", "410": "KR",
    "418": "LA", "458": "MY", "496": "MN", "104": "MM", "554": "NZ", "586": "PK", "608": "PH", "643": "RU",
    "702": "SG", "764": "TH", "704": "VN",
}
# The part of the world the maps show: Europe to New Zealand.
WEST, EAST, SOUTH, NORTH = -13.0, 180.0, -48.0, 74.0


def install_atlas(folder: Path) -> Path:
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", f"world-atlas@{VERSION}"], cwd=folder, check=True)
    return folder / "node_modules" / "world-atlas"


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list, indices: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["arcs"]
    return []


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iteratively."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = (dx * dx + dy * dy) ** 0.5
        farthest, distance = None, tolerance
        for i in range(first + 1, last):
            x, y = points[i]
            d = abs(dy * (x - x1) - dx * (y - y1)) / length if length else ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
            if d > distance:
                farthest, distance = i, d
        if farthest is not None:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [p for p, k in zip(points, keep, strict=False) if k]


def area(points) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=False))) / 2


def in_view(points) -> bool:
    return any(WEST <= x <= EAST and SOUTH <= y <= NORTH for x, y in points)


def flat(points) -> list[float]:
    return [round(c, 2) for point in points for c in point]


def outlines(arcs, geometry, *, tolerance: float, smallest: float, keep_largest: bool) -> list[list[float]]:
    rings = [ring(arcs, polygon[0]) for polygon in polygons(geometry)]  # outer rings only: lakes are not drawn
    rings = [r for r in rings if in_view(r) and min(x for x, _ in r) > -170]  # not Russia's east of 180 degrees
    if not rings:
        return []
    largest = max(rings, key=area)
    kept = [r for r in rings if area(r) >= smallest or (keep_largest and r is largest)]
    shapes = []
    for r in kept:
        simple = simplify(r, tolerance)
        if len(simple) < 4:  # an island smaller than the tolerance: keep a small triangle of it
            simple = [*r[::max(len(r) // 3, 1)][:3], r[0]]
        shapes.append(flat(simple))
    return shapes


def build(atlas: Path) -> dict:
    partners: dict[str, list] = {}
    detailed = json.loads((atlas / "countries-50m.json").read_text())
    arcs = decode_arcs(detailed)
    for geometry in detailed["objects"]["countries"]["geometries"]:
        code = PARTNERS.get(str(geometry.get("id", "")))
        if code:
            # Some numbers name more than one feature (Australia's Ashmore and Cartier Islands are 036 too).
            shapes = outlines(arcs, geometry, tolerance=0.12, smallest=0.15, keep_largest=code not in partners)
            partners.setdefault(code, []).extend(shapes)
    missing = set(PARTNERS.values()) - set(partners)
    if missing:
        raise SystemExit(f"No shape for {sorted(missing)}")
    coarse = json.loads((atlas / "countries-110m.json").read_text())
    arcs = decode_arcs(coarse)
    backdrop = []
    for geometry in coarse["objects"]["countries"]["geometries"]:
        if str(geometry.get("id", "")) not in PARTNERS:
            backdrop += outlines(arcs, geometry, tolerance=0.4, smallest=1.0, keep_largest=False)
    return {
        "source": f"Natural Earth 1:50m and 1:110m countries, through the npm package world-atlas {VERSION}",
        "licence": "Public domain (Natural Earth, naturalearthdata.com)",
        "format": "Longitude and latitude pairs, flattened, one list per outer ring",
        "view": [WEST, SOUTH, EAST, NORTH],
        "partners": dict(sorted(partners.items())),
        "backdrop": backdrop,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas", type=Path, help="an installed node_modules/world-atlas folder")
    args = parser.parse_args()
    if args.atlas:
        data = build(args.atlas)
    else:
        with tempfile.TemporaryDirectory() as folder:
            data = build(install_atlas(Path(folder)))
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"Wrote {OUT} ({OUT.stat().st_size // 1024} KB, {len(data['partners'])} partners)")


if __name__ == "__main__":
    main()
