"""Master data: every prefecture and municipality that people can register with.

The CSV shipped beside this module is derived from Code for FUKUI's `localgovjp` (CC0) by
`derive`; the platform reads only the shipped copy.
"""

from __future__ import annotations

import csv
import io
from dataclasses import astuple, dataclass
from pathlib import Path

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain import municipality_code
from domain.places import PlaceKind
from persistence import outbox, tables

SHIPPED = Path(__file__).parent / "masterdata" / "local_governments.csv"
COLUMNS = ("code", "name", "name_kana", "kind", "prefecture_code", "latitude", "longitude")
TOKYO = "13"


@dataclass(frozen=True)
class LocalGovernment:
    code: str
    name: str
    name_kana: str
    kind: str
    prefecture_code: str
    latitude: float
    longitude: float


def _kind(name: str, prefecture_number: str) -> PlaceKind:
    if name.endswith("市"):
        return PlaceKind.CITY
    if name.endswith("町"):
        return PlaceKind.TOWN
    if name.endswith("村"):
        return PlaceKind.VILLAGE
    if name.endswith("区") and prefecture_number == TOKYO:
        return PlaceKind.SPECIAL_WARD
    raise ValueError(f"no kind of local government is named like {name!r}")


def derive(shared_data: Path) -> list[LocalGovernment]:
    """The registration targets of the reference data: wards of designated cities left out."""
    places: list[LocalGovernment] = []
    with (shared_data / "prefjp-utf8.csv").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            code = row["lgcode"].zfill(6)
            places.append(
                LocalGovernment(
                    code,
                    row["pref"],
                    row["prefkana"],
                    PlaceKind.PREFECTURE.value,
                    code,
                    float(row["lat"]),
                    float(row["lng"]),
                )
            )
    with (shared_data / "localgovjp-utf8.csv").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if " " in row["city"]:
                continue
            code = row["lgcode"].zfill(6)
            places.append(
                LocalGovernment(
                    code,
                    row["city"],
                    row["citykana"],
                    _kind(row["city"], row["pid"].zfill(2)).value,
                    municipality_code.prefecture_of(code),
                    float(row["lat"]),
                    float(row["lng"]),
                )
            )
    for place in places:
        municipality_code.parse(place.code, "code")
    return sorted(places, key=lambda p: p.code)


def to_csv(places: list[LocalGovernment]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(astuple(p) for p in places)
    return out.getvalue()


def shipped() -> list[LocalGovernment]:
    with SHIPPED.open(encoding="utf-8", newline="") as f:
        return [
            LocalGovernment(
                r["code"],
                r["name"],
                r["name_kana"],
                r["kind"],
                r["prefecture_code"],
                float(r["latitude"]),
                float(r["longitude"]),
            )
            for r in csv.DictReader(f)
        ]


async def load(connection: AsyncConnection) -> int:
    """Bring the table in line with the shipped list; idempotent. How many places it holds.

    Places are added or corrected, never deleted: registrations may still point at a
    place that a merger has since ended."""
    table = tables.Municipality.__table__  # type: ignore[attr-defined]
    stored = {
        row[0]: tuple(row)
        for row in await connection.execute(select(*(table.c[c] for c in COLUMNS)))
    }
    new: list[dict[str, object]] = []
    for place in shipped():
        values = dict(zip(COLUMNS, astuple(place), strict=True))
        if place.code not in stored:
            new.append(values)
        elif stored[place.code] != astuple(place):
            await connection.execute(update(table).where(table.c.code == place.code).values(values))
    if new:
        await connection.execute(insert(table), new)
    await outbox.open_streams(connection)
    return int((await connection.execute(select(func.count()).select_from(table))).scalar_one())
