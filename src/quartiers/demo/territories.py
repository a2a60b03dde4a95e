"""Communes, EPCI et unité urbaine FICTIFS du territoire de démonstration."""

from __future__ import annotations

from django.db import transaction

from quartiers.territories.models import (
    SOURCE_DEMO,
    Commune,
    Department,
    Epci,
    Region,
    UrbanUnit,
    UrbanUnitMember,
)

DEMO_EPCI_SIREN = "249999999"
DEMO_UU_CODE = "18999"
DEMO_POPULATIONS = {"18999": 41_250, "18998": 12_830}


def build_demo_territories(agglomeration: str, communes: dict[str, str]) -> str:
    """Communes, EPCI et unité urbaine FICTIFS du territoire de démonstration (si absents).

    Le département (18, Cher) et la région (24, Centre-Val de Loire) sont ceux des codes de
    démonstration ; ils ne sont créés que si le découpage réel n'est pas chargé.
    """
    with transaction.atomic():
        region, _ = Region.objects.get_or_create(
            region_code="24", defaults={"name": "Centre-Val de Loire", "zone": "metro"}
        )
        department, _ = Department.objects.get_or_create(
            department_code="18", defaults={"name": "Cher", "region": region, "zone": "metro"}
        )
        epci, _ = Epci.objects.get_or_create(
            epci_siren=DEMO_EPCI_SIREN,
            defaults={
                "name": agglomeration,
                "kind": "CA",
                "population": sum(DEMO_POPULATIONS.values()),
                "municipal_population": sum(DEMO_POPULATIONS.values()),
                "source": SOURCE_DEMO,
            },
        )
        unit, _ = UrbanUnit.objects.get_or_create(
            uu_code=DEMO_UU_CODE,
            vintage="uu2020",
            defaults={
                "name": "Bellerive (unité urbaine fictive)",
                "size_band": 5,
                "detailed_band": 51,
                "uu_type": "1",
                "commune_count": len(communes),
                "source": SOURCE_DEMO,
            },
        )
        for code, name in communes.items():
            Commune.objects.get_or_create(
                insee_code=code,
                kind="commune-actuelle",
                defaults={
                    "name": name,
                    "population": DEMO_POPULATIONS[code],
                    "department": department,
                    "region": region,
                    "epci": epci,
                    "source": SOURCE_DEMO,
                },
            )
            UrbanUnitMember.objects.get_or_create(
                urban_unit=unit,
                insee_code=code,
                defaults={
                    "commune_name": name,
                    "status": "C" if code == "18999" else "B",
                    "department_code": "18",
                    "region_code": "24",
                },
            )
    return "territoires : 2 communes, 1 EPCI et 1 unité urbaine fictifs"
