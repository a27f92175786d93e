"""Write the demo's BAN file: a FICTIONAL commune, Bourg-lès-Vigies (INSEE 99101).

The commune, its streets and its numbers are invented; its coordinates lie in
open country in the Cher so that maps look right.  The file follows the
23-column BAN header exactly.  Run: python scripts/make_demo_ban.py
"""

from __future__ import annotations

import csv
import math
import os
import unicodedata
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")

import django

django.setup()

from vigie.addresses.ban import HEADER_23  # noqa: E402

TARGET = Path(__file__).resolve().parent.parent / "vigie/addresses/demo/bourg-les-vigies.csv"
INSEE = "99101"
POSTCODE = "99100"
COMMUNE = "Bourg-lès-Vigies"
DELIVERY = "BOURG LES VIGIES"
ORIGIN = (2.4000, 46.8000)  # lon, lat of the church square

# name, start (metres east, north of the origin), bearing in degrees, highest number, bis/ter at
STREETS = [
    ("Rue des Lilas", (40, 30), 80, 60, {12: "bis", 27: "ter"}),
    ("Avenue du Général de Gaulle", (0, -20), 0, 80, {5: "bis"}),
    ("Place de la Mairie", (-15, 0), 90, 12, {}),
    ("Chemin des Vignes", (200, 250), 120, 40, {}),
    ("Impasse du Moulin", (310, 60), 30, 10, {3: "bis"}),
    ("Rue Saint-Exupéry", (-40, 40), 260, 50, {}),
    ("Allée des Tilleuls", (-250, -60), 200, 30, {}),
    ("Route de la Forêt", (-420, 120), 300, 60, {}),
]


def afnor(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()
    return " ".join(plain.replace("-", " ").replace("'", " ").split())[:32]


def position(
    start: tuple[float, float], bearing: float, distance: float, side: int
) -> tuple[float, float]:
    east = (
        start[0]
        + distance * math.sin(math.radians(bearing))
        + side * 6 * math.cos(math.radians(bearing))
    )
    north = (
        start[1]
        + distance * math.cos(math.radians(bearing))
        - side * 6 * math.sin(math.radians(bearing))
    )
    lon = ORIGIN[0] + east / (111_320 * math.cos(math.radians(ORIGIN[1])))
    lat = ORIGIN[1] + north / 110_540
    return round(lon, 6), round(lat, 6)


def main() -> None:
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with TARGET.open("w", newline="", encoding="utf-8") as output:
        writer = csv.writer(output, delimiter=";", lineterminator="\n")
        writer.writerow(HEADER_23)
        for index, (name, start, bearing, highest, suffixes) in enumerate(STREETS, start=1):
            street_code = f"{index:04d}"
            for number in range(1, highest + 1):
                variants = [""] + ([suffixes[number]] if number in suffixes else [])
                for suffix in variants:
                    lon, lat = position(
                        start,
                        bearing,
                        (number // 2) * 9 + (4 if suffix else 0),
                        1 if number % 2 else -1,
                    )
                    ban_id = f"{INSEE}_{street_code}_{number:05d}" + (
                        f"_{suffix}" if suffix else ""
                    )
                    x = round(650_000 + (lon - ORIGIN[0]) * 76_000, 2)
                    y = round(6_630_000 + (lat - ORIGIN[1]) * 111_000, 2)
                    writer.writerow([
                        ban_id, f"{INSEE}_{street_code}", number, suffix, name, POSTCODE, INSEE,
                        COMMUNE, "", "", x, y, lon, lat, "entrée", "", "", DELIVERY, afnor(name),
                        "commune", "commune", "1", "",
                    ])  # fmt: skip


if __name__ == "__main__":
    main()
