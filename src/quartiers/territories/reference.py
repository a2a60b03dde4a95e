"""Territoires de référence : import (tout ou rien) et rattachement des périmètres.

- `import_decoupage` charge le paquet d'Etalab `@etalab/decoupage-administratif` (archive
  `.tgz` ou dossier) : régions, départements, communes (avec population), EPCI et leurs membres.
  Sans chemin, `fetch_decoupage_package` le télécharge par `npm pack` dans `VAR_DIR`.
- `import_urban_units` charge les unités urbaines 2020 de l'INSEE (liste + composition).
- `territories_of` rattache un périmètre à ses communes, EPCI, départements, régions et unités
  urbaines, à partir de ses codes INSEE (et, à défaut, de ses propres champs).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from quartiers.core.geo.admin_units import (
    Decoupage,
    ReferenceFileError,
    UrbanUnits,
    find_urban_unit_files,
    read_decoupage,
    read_urban_units,
)
from quartiers.territories.models import (
    SOURCE_DEMO,
    SOURCE_ETALAB,
    SOURCE_INSEE,
    Commune,
    Department,
    Epci,
    Region,
    UrbanUnit,
    UrbanUnitMember,
)
from quartiers.zoning.models import Perimeter

NPM_PACKAGE = "@etalab/decoupage-administratif"
NPM_TIMEOUT_S = 180
# Hors ligne, échouer vite (une seule nouvelle tentative, courte) plutôt qu'après ~70 s.
NPM_OFFLINE_FAST = [
    "--loglevel=error",
    "--fetch-retries=1",
    "--fetch-retry-mintimeout=1000",
    "--fetch-retry-maxtimeout=2000",
    "--fetch-timeout=30000",
]


class PackageFetchError(RuntimeError):
    """Import impossible (npm absent, réseau coupé…), message en français."""


@dataclass(frozen=True)
class ReferenceImportReport:
    source: str
    version: str
    regions: int
    departments: int
    communes: int
    epcis: int
    replaced: bool

    def summary(self) -> str:
        verb = "remplacé" if self.replaced else "chargé"
        version = f" (version {self.version})" if self.version else ""
        return (
            f"Découpage administratif {verb}{version} depuis « {self.source} » : "
            f"{self.regions} régions, {self.departments} départements, "
            f"{self.communes} communes (dont communes déléguées, associées et arrondissements), "
            f"{self.epcis} EPCI."
        )


@dataclass(frozen=True)
class UrbanUnitImportReport:
    source: str
    vintage: str
    units: int
    members: int
    replaced: bool

    def summary(self) -> str:
        verb = "remplacées" if self.replaced else "chargées"
        return (
            f"Unités urbaines {self.vintage} {verb} : {self.units} unités, "
            f"{self.members} communes rattachées (source : {self.source})."
        )


# --------------------------------------------------------------------------- découpage administratif


def decoupage_loaded() -> bool:
    """Vrai si le découpage d'Etalab est déjà en base (les données de démonstration ne comptent pas)."""
    return Commune.objects.filter(source=SOURCE_ETALAB).exists()


def package_folder() -> Path:
    from quartiers.var import var_dir

    return var_dir("reference")


def cached_decoupage_package(folder: Path | None = None) -> Path | None:
    """La dernière archive déjà téléchargée (pour travailler hors ligne), s'il y en a une."""
    found = sorted((folder or package_folder()).glob("etalab-decoupage-administratif-*.tgz"))
    return found[-1] if found else None


def fetch_decoupage_package(destination: Path | None = None) -> Path:
    """Télécharge l'archive du paquet par `npm pack` ; `PackageFetchError` en français sinon."""
    folder = destination or package_folder()
    folder.mkdir(parents=True, exist_ok=True)
    npm = shutil.which("npm")
    if npm is None:
        raise PackageFetchError(
            "npm est introuvable : installez Node.js et npm (apt-get install npm), ou "
            "téléchargez l'archive du paquet @etalab/decoupage-administratif et donnez son "
            "chemin : quartiers territories import CHEMIN.tgz"
        )
    try:
        done = subprocess.run(
            [npm, "pack", NPM_PACKAGE, "--pack-destination", str(folder), *NPM_OFFLINE_FAST],
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise PackageFetchError(
            f"npm pack {NPM_PACKAGE} n'a pas répondu en {NPM_TIMEOUT_S} s : "
            "réseau indisponible ? Donnez le chemin d'une archive déjà téléchargée."
        ) from exc
    if done.returncode != 0:
        output = done.stderr + done.stdout
        code = re.search(r"\b(E[A-Z0-9_]{3,})\b", output)
        reason = f" ({code.group(1)})" if code else f" (code de sortie {done.returncode})"
        raise PackageFetchError(
            f"npm pack {NPM_PACKAGE} a échoué : registre npm injoignable ou réseau absent{reason}. "
            "Sans réseau, donnez une archive déjà téléchargée : "
            "quartiers territories import CHEMIN.tgz"
        )
    names = [line.strip() for line in done.stdout.splitlines() if line.strip().endswith(".tgz")]
    archive = folder / names[-1] if names else None
    if archive is None or not archive.is_file():
        found = sorted(folder.glob("etalab-decoupage-administratif-*.tgz"))
        if not found:
            raise PackageFetchError(f"npm pack n'a produit aucune archive dans {folder}")
        archive = found[-1]
    return archive


def import_decoupage(path: str | Path) -> ReferenceImportReport:
    """Charge le découpage d'un bloc (remplace le précédent) ; rien ne change en cas d'erreur."""
    data = read_decoupage(path)
    return save_decoupage(data)


def save_decoupage(data: Decoupage) -> ReferenceImportReport:
    with transaction.atomic():
        replaced = decoupage_loaded()
        region_ids = _upsert_regions(data)
        department_ids = _upsert_departments(data, region_ids)
        codes = {c.insee_code for c in data.communes}
        sirens = {e.epci_siren for e in data.epcis}
        Commune.objects.filter(source=SOURCE_ETALAB).delete()
        Commune.objects.filter(source=SOURCE_DEMO, insee_code__in=codes).delete()
        Epci.objects.filter(source=SOURCE_ETALAB).delete()
        Epci.objects.filter(source=SOURCE_DEMO, epci_siren__in=sirens).delete()
        epcis = Epci.objects.bulk_create(
            [
                Epci(
                    epci_siren=e.epci_siren,
                    name=e.name,
                    kind=e.kind,
                    financing=e.financing,
                    population=e.population,
                    municipal_population=e.municipal_population,
                    source=SOURCE_ETALAB,
                )
                for e in data.epcis
            ],
            batch_size=500,
        )
        epci_of: dict[str, int] = {}
        for row, saved in zip(data.epcis, epcis, strict=True):
            for code in row.member_codes:
                epci_of[code] = saved.pk
        Commune.objects.bulk_create(
            [
                Commune(
                    insee_code=c.insee_code,
                    name=c.name,
                    kind=c.kind,
                    population=c.population,
                    department_id=department_ids[c.department_code],
                    region_id=region_ids[c.region_code],
                    epci_id=epci_of.get(c.insee_code) if c.kind == "commune-actuelle" else None,
                    parent_code=c.parent_code[:5],
                    siren=c.siren[:9],
                    postcodes=list(c.postcodes),
                    source=SOURCE_ETALAB,
                )
                for c in data.communes
            ],
            batch_size=2000,
        )
        # Régions et départements disparus du paquet, sans commune de démonstration.
        Department.objects.exclude(department_code__in=department_ids).filter(
            communes__isnull=True
        ).delete()
        Region.objects.exclude(region_code__in=region_ids).filter(
            communes__isnull=True, departments__isnull=True
        ).delete()
    return ReferenceImportReport(
        data.source,
        data.version,
        len(data.regions),
        len(data.departments),
        len(data.communes),
        len(data.epcis),
        replaced,
    )


def _upsert_regions(data: Decoupage) -> dict[str, int]:
    existing = {r.region_code: r for r in Region.objects.all()}
    ids: dict[str, int] = {}
    for row in data.regions:
        region = existing.get(row.code) or Region(region_code=row.code)
        region.name, region.zone = row.name, row.zone
        region.save()
        ids[row.code] = region.pk
    return ids


def _upsert_departments(data: Decoupage, region_ids: dict[str, int]) -> dict[str, int]:
    existing = {d.department_code: d for d in Department.objects.all()}
    ids: dict[str, int] = {}
    for row in data.departments:
        department = existing.get(row.code) or Department(department_code=row.code)
        department.name, department.zone = row.name, row.zone
        department.region_id = region_ids[row.region_code]
        department.save()
        ids[row.code] = department.pk
    return ids


# --------------------------------------------------------------------------- unités urbaines


def import_urban_units(
    path: str | Path, composition: str | Path | None = None
) -> UrbanUnitImportReport:
    """Unités urbaines depuis un dossier (les deux fichiers INSEE) ou deux fichiers CSV."""
    source = Path(path)
    if composition is None:
        if not source.is_dir():
            raise ReferenceFileError(
                str(path),
                [
                    "attendu un dossier contenant la liste et la composition communale, "
                    "ou deux fichiers : LISTE.csv COMPOSITION.csv"
                ],
            )
        list_file, composition_file = find_urban_unit_files(source)
    else:
        list_file, composition_file = source, Path(composition)
    return save_urban_units(read_urban_units(list_file, composition_file))


def save_urban_units(data: UrbanUnits) -> UrbanUnitImportReport:
    codes = {u.uu_code for u in data.units}
    with transaction.atomic():
        current = UrbanUnit.objects.filter(vintage=data.vintage)
        replaced = current.filter(source=SOURCE_INSEE).exists()
        current.filter(source=SOURCE_INSEE).delete()
        current.filter(source=SOURCE_DEMO, uu_code__in=codes).delete()
        units = UrbanUnit.objects.bulk_create(
            [
                UrbanUnit(
                    uu_code=u.uu_code,
                    vintage=data.vintage,
                    name=u.name,
                    size_band=u.size_band,
                    detailed_band=u.detailed_band,
                    uu_type=u.uu_type,
                    commune_count=u.commune_count,
                    source=SOURCE_INSEE,
                )
                for u in data.units
            ],
            batch_size=1000,
        )
        ids = {u.uu_code: u.pk for u in units}
        UrbanUnitMember.objects.bulk_create(
            [
                UrbanUnitMember(
                    urban_unit_id=ids[m.uu_code],
                    insee_code=m.insee_code,
                    commune_name=m.commune_name,
                    status=m.status,
                    department_code=m.department_code,
                    region_code=m.region_code,
                )
                for m in data.members
            ],
            batch_size=2000,
        )
    return UrbanUnitImportReport(
        data.source, data.vintage, len(data.units), len(data.members), replaced
    )


# --------------------------------------------------------------------------- rattachement


@dataclass
class PerimeterTerritories:
    """Les territoires d'un périmètre ; vides quand le référentiel n'est pas chargé."""

    communes: list[Commune] = field(default_factory=list)
    unknown_insee_codes: list[str] = field(default_factory=list)
    epcis: list[Epci] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    urban_units: list[UrbanUnit] = field(default_factory=list)

    @property
    def population(self) -> int | None:
        """Population municipale des communes du périmètre (pas celle du quartier)."""
        values = [c.population for c in self.communes if c.population is not None]
        return sum(values) if values else None


def territories_of(perimeter: Perimeter) -> PerimeterTerritories:
    """Communes → EPCI, départements, régions et unités urbaines d'un périmètre."""
    return territories_for(
        perimeter.insee_codes,
        department_codes=[perimeter.department_code] if perimeter.department_code else [],
        region_codes=[perimeter.region_code] if perimeter.region_code else [],
        epci_sirens=[perimeter.epci_siren] if perimeter.epci_siren else [],
        uu_codes=[perimeter.uu_code] if perimeter.uu_code else [],
    )


def territories_for(
    insee_codes: Iterable[str],
    department_codes: Sequence[str] = (),
    region_codes: Sequence[str] = (),
    epci_sirens: Sequence[str] = (),
    uu_codes: Sequence[str] = (),
) -> PerimeterTerritories:
    codes = [c for c in dict.fromkeys(insee_codes) if c]
    found: dict[str, Commune] = {}
    rank = {"commune-actuelle": 0, "arrondissement-municipal": 1}
    for commune in Commune.objects.filter(insee_code__in=codes).select_related(
        "department__region", "region", "epci"
    ):
        kept = found.get(commune.insee_code)
        if kept is None or rank.get(commune.kind, 9) < rank.get(kept.kind, 9):
            found[commune.insee_code] = commune
    # Un arrondissement municipal appartient à l'EPCI de sa commune (Paris, Lyon, Marseille).
    parents = {
        c.parent_code
        for c in found.values()
        if c.kind == "arrondissement-municipal" and c.parent_code
    }
    parent_epci = {
        c.insee_code: c.epci
        for c in Commune.objects.filter(
            insee_code__in=parents, kind="commune-actuelle"
        ).select_related("epci")
    }
    result = PerimeterTerritories()
    result.communes = [found[c] for c in codes if c in found]
    result.unknown_insee_codes = [c for c in codes if c not in found]
    epcis: dict[str, Epci] = {}
    departments: dict[str, Department] = {}
    regions: dict[str, Region] = {}
    for commune in result.communes:
        epci = commune.epci or parent_epci.get(commune.parent_code)
        if epci is not None:
            epcis[epci.epci_siren] = epci
        departments[commune.department.department_code] = commune.department
        regions[commune.region.region_code] = commune.region
    for epci in Epci.objects.filter(epci_siren__in=epci_sirens):
        epcis.setdefault(epci.epci_siren, epci)
    for department in Department.objects.filter(
        department_code__in=department_codes
    ).select_related("region"):
        departments.setdefault(department.department_code, department)
        regions.setdefault(department.region.region_code, department.region)
    for region in Region.objects.filter(region_code__in=region_codes):
        regions.setdefault(region.region_code, region)
    result.epcis = list(epcis.values())
    result.departments = sorted(departments.values(), key=lambda d: d.department_code)
    result.regions = sorted(regions.values(), key=lambda r: r.region_code)
    member_units = UrbanUnit.objects.filter(members__insee_code__in=codes)
    coded_units = UrbanUnit.objects.filter(uu_code__in=uu_codes)
    result.urban_units = list((member_units | coded_units).distinct().order_by("uu_code"))
    return result


def department_codes_of_region(region_code: str) -> list[str]:
    return list(
        Department.objects.filter(region__region_code=region_code).values_list(
            "department_code", flat=True
        )
    )
