"""Fichier BAN (CSV `;`) → documents d'import addok (JSON, une ligne par document).

addok charge ses données par `addok batch fichier.json` (un document JSON par ligne), puis
`addok ngrams`. Le format est celui des exports « addok » de la BAN : un document par voie
(`type: street`) avec ses numéros (`housenumbers`), et un par commune (`type: municipality`).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quartiers.core.geo.geocoding.ban_file import BanFileGeocoder


@dataclass
class _Street:
    name: str
    postcode: str
    citycode: str
    city: str
    numbers: dict[str, dict[str, Any]] = field(default_factory=dict)
    lons: list[float] = field(default_factory=list)
    lats: list[float] = field(default_factory=list)


def addok_documents(ban_path: str | Path) -> Iterator[dict[str, Any]]:
    """Les documents addok (voies avec numéros, communes) d'un fichier BAN."""
    streets: dict[tuple[str, str], _Street] = {}
    towns: dict[str, _Street] = {}
    reader = BanFileGeocoder(ban_path)
    for numero, rep, voie, cp, insee, commune, lon, lat in reader.rows():
        street = streets.get((voie, insee))
        if street is None:
            street = streets[(voie, insee)] = _Street(voie, cp, insee, commune)
        number = numero.lstrip("0") or numero
        if number.isdigit() and int(number) < 99_990:
            raw = f"{number} {rep.strip()}".strip()
            street.numbers.setdefault(
                raw, {"lat": lat, "lon": lon, "id": f"{insee}_{len(street.numbers)}"}
            )
        street.lons.append(lon)
        street.lats.append(lat)
        town = towns.setdefault(insee, _Street(commune, cp, insee, commune))
        town.lons.append(lon)
        town.lats.append(lat)
    biggest = max((len(s.lons) for s in streets.values()), default=1)
    for (voie, insee), street in streets.items():
        yield {
            "id": f"{insee}_{zlib.crc32(voie.encode()):08x}",
            "type": "street",
            "name": voie,
            "postcode": street.postcode,
            "citycode": insee,
            "city": street.city,
            "lon": sum(street.lons) / len(street.lons),
            "lat": sum(street.lats) / len(street.lats),
            "importance": round(0.3 + 0.4 * len(street.lons) / biggest, 4),
            "housenumbers": street.numbers,
        }
    for insee, town in towns.items():
        yield {
            "id": insee,
            "type": "municipality",
            "name": town.name,
            "postcode": town.postcode,
            "citycode": insee,
            "city": town.name,
            "lon": sum(town.lons) / len(town.lons),
            "lat": sum(town.lats) / len(town.lats),
            "importance": 1.0,
        }


def write_addok_file(ban_path: str | Path, out_path: str | Path) -> int:
    """Écrit les documents addok (JSON par ligne) ; renvoie leur nombre."""
    count = 0
    with open(out_path, "w", encoding="utf-8") as out:
        for doc in addok_documents(ban_path):
            out.write(json.dumps(doc, ensure_ascii=False))
            out.write("\n")
            count += 1
    return count
