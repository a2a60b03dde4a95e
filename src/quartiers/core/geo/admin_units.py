"""Lecture des territoires de référence : découpage administratif et unités urbaines.

- Découpage administratif : paquet npm d'Etalab `@etalab/decoupage-administratif`
  (`data/regions.json`, `data/departements.json`, `data/communes.json`, `data/epci.json`),
  lu depuis l'archive du paquet (`.tgz`, telle que `npm pack` la produit) ou un dossier dépaqueté.
- Unités urbaines 2020 de l'INSEE (« Unités urbaines 2020 », géographie au 01/01/2023) :
  la liste des unités (`UU2020`, `LIBUU2020`, `TUU2017`, `TDUU2017`, `TYPE`, `NB_COM`) et la
  composition communale (`CODGEO`, `LIBGEO`, `UU2020`, …, `STATUT_2017`, `DEP`, `REG`).
  Voir `reference/geography.md` et `shared/data/PROVENANCE.md` §3.

Tout est validé avant d'être rendu : la moindre erreur refuse l'ensemble, avec le fichier,
l'élément, le champ et ce qui était attendu.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tarfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DECOUPAGE_FILES = ("regions.json", "departements.json", "communes.json", "epci.json")
COMMUNE_KINDS = (
    "commune-actuelle",
    "arrondissement-municipal",
    "commune-deleguee",
    "commune-associee",
)
INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
DEPARTMENT_CODE = re.compile(r"^(\d{2}|2[AB]|9\d{2})$")
REGION_CODE = re.compile(r"^\d{2,3}$")
SIREN = re.compile(r"^\d{9}$")
UU_CODE = re.compile(r"^[0-9A-Z]{5}$")
UU_STATUSES = ("C", "B", "I", "H")
MAX_PROBLEMS = 20


class ReferenceFileError(ValueError):
    """Les fichiers de référence sont refusés ; rien n'a été importé."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        shown = self.problems[:MAX_PROBLEMS]
        lines = [f"Source « {self.source} » refusée, rien n'a été importé :"]
        lines += [f"  - {p}" for p in shown]
        if len(self.problems) > len(shown):
            lines.append(f"  … et {len(self.problems) - len(shown)} autre(s) problème(s).")
        return "\n".join(lines)


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    zone: str


@dataclass(frozen=True)
class DepartmentRow:
    code: str
    name: str
    region_code: str
    zone: str


@dataclass(frozen=True)
class CommuneRow:
    insee_code: str
    name: str
    kind: str
    department_code: str
    region_code: str
    population: int | None
    parent_code: str
    siren: str
    postcodes: tuple[str, ...]
    zone: str


@dataclass(frozen=True)
class EpciRow:
    epci_siren: str
    name: str
    kind: str
    financing: str
    population: int | None
    municipal_population: int | None
    member_codes: tuple[str, ...]


@dataclass
class Decoupage:
    """Le découpage administratif validé, prêt à enregistrer."""

    source: str
    version: str
    regions: list[RegionRow] = field(default_factory=list)
    departments: list[DepartmentRow] = field(default_factory=list)
    communes: list[CommuneRow] = field(default_factory=list)
    epcis: list[EpciRow] = field(default_factory=list)


@dataclass(frozen=True)
class UrbanUnitRow:
    uu_code: str
    name: str
    size_band: int
    detailed_band: int
    uu_type: str
    commune_count: int


@dataclass(frozen=True)
class UrbanUnitMemberRow:
    uu_code: str
    insee_code: str
    commune_name: str
    status: str
    department_code: str
    region_code: str


@dataclass
class UrbanUnits:
    source: str
    vintage: str
    units: list[UrbanUnitRow] = field(default_factory=list)
    members: list[UrbanUnitMemberRow] = field(default_factory=list)


# --------------------------------------------------------------------------- découpage


def read_decoupage(path: str | Path) -> Decoupage:
    """Lit et valide le paquet (archive `.tgz` ou dossier) ; `ReferenceFileError` sinon."""
    source = Path(path)
    if not source.exists():
        raise ReferenceFileError(str(path), ["chemin introuvable"])
    if source.is_dir():
        raw, version = _read_folder(source)
    elif source.name.endswith((".tgz", ".tar.gz")):
        raw, version = _read_tarball(source)
    else:
        raise ReferenceFileError(
            str(path),
            [
                "format non reconnu : attendu l'archive du paquet (.tgz, produite par "
                "« npm pack @etalab/decoupage-administratif ») ou son dossier dépaqueté"
            ],
        )
    return _validate_decoupage(str(path), version, raw)


def _read_folder(folder: Path) -> tuple[dict[str, Any], str]:
    candidates = [folder / "data", folder / "package" / "data", folder]
    data_dir = next((c for c in candidates if (c / "communes.json").is_file()), None)
    if data_dir is None:
        raise ReferenceFileError(
            str(folder),
            [
                "fichier « data/communes.json » introuvable : attendu le dossier du paquet "
                "@etalab/decoupage-administratif (avec son sous-dossier data/)"
            ],
        )
    problems: list[str] = []
    raw: dict[str, Any] = {}
    for name in DECOUPAGE_FILES:
        file = data_dir / name
        if not file.is_file():
            problems.append(f"fichier « data/{name} » absent")
            continue
        raw[name] = _parse_json(f"data/{name}", file.read_bytes(), problems)
    if problems:
        raise ReferenceFileError(str(folder), problems)
    version = _version(data_dir.parent / "package.json")
    return raw, version


def _version(package_json: Path) -> str:
    if package_json.is_file():
        try:
            return str(json.loads(package_json.read_text("utf-8")).get("version", ""))
        except (ValueError, AttributeError):
            return ""
    return ""


def _read_tarball(path: Path) -> tuple[dict[str, Any], str]:
    problems: list[str] = []
    raw: dict[str, Any] = {}
    version = ""
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = {m.name: m for m in tar.getmembers() if m.isfile()}
            by_suffix = {name.split("/", 1)[-1]: name for name in members}
            for name in DECOUPAGE_FILES:
                member_name = by_suffix.get(f"data/{name}")
                if member_name is None:
                    problems.append(f"fichier « package/data/{name} » absent de l'archive")
                    continue
                handle = tar.extractfile(members[member_name])
                content = handle.read() if handle is not None else b""
                raw[name] = _parse_json(f"data/{name}", content, problems)
            if "package.json" in by_suffix:
                handle = tar.extractfile(members[by_suffix["package.json"]])
                if handle is not None:
                    try:
                        version = str(json.loads(handle.read()).get("version", ""))
                    except (ValueError, AttributeError):
                        version = ""
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ReferenceFileError(
            str(path), [f"archive illisible ({exc}) : attendu un .tgz produit par npm pack"]
        ) from exc
    if problems:
        raise ReferenceFileError(str(path), problems)
    return raw, version


def _parse_json(name: str, content: bytes, problems: list[str]) -> Any:
    try:
        value = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError:
        problems.append(f"fichier « {name} » : encodage UTF-8 attendu")
        return []
    except ValueError as exc:
        problems.append(f"fichier « {name} » : JSON invalide ({exc})")
        return []
    if not isinstance(value, list):
        problems.append(f"fichier « {name} » : une liste JSON d'objets attendue")
        return []
    return value


class _Checker:
    """Collecte les problèmes d'un fichier, élément par élément."""

    def __init__(self, name: str, problems: list[str]) -> None:
        self.name = name
        self.problems = problems

    def fail(self, index: int, item: Any, key: str, expected: str) -> None:
        code = item.get("code") if isinstance(item, dict) else None
        where = f"élément n° {index + 1}" + (f" (code {code})" if code else "")
        got = item.get(key) if isinstance(item, dict) else item
        shown = "absent" if got is None else f"reçu « {got} »"
        self.problems.append(
            f"fichier « {self.name} », {where}, champ « {key} » : {expected}, {shown}"
        )

    def text(
        self, index: int, item: Any, key: str, pattern: re.Pattern[str] | None, expected: str
    ) -> str:
        value = item.get(key) if isinstance(item, dict) else None
        if not isinstance(value, str) or not value.strip():
            self.fail(index, item, key, expected)
            return ""
        if pattern is not None and not pattern.match(value):
            self.fail(index, item, key, expected)
            return ""
        return value.strip()

    def integer(self, index: int, item: Any, key: str, required: bool) -> int | None:
        value = item.get(key) if isinstance(item, dict) else None
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(index, item, key, "entier positif ou nul attendu")
            return None
        return value


def _validate_decoupage(source: str, version: str, raw: Mapping[str, Any]) -> Decoupage:
    problems: list[str] = []
    result = Decoupage(source=source, version=version)

    check = _Checker("data/regions.json", problems)
    for i, item in enumerate(raw["regions.json"]):
        code = check.text(i, item, "code", REGION_CODE, "code de région (2 ou 3 chiffres) attendu")
        name = check.text(i, item, "nom", None, "nom de région attendu")
        if code and name:
            result.regions.append(RegionRow(code, name, str(item.get("zone", ""))))
    region_codes = _unique(result.regions, lambda r: r.code, "data/regions.json", problems)

    check = _Checker("data/departements.json", problems)
    for i, item in enumerate(raw["departements.json"]):
        code = check.text(i, item, "code", DEPARTMENT_CODE, "code de département attendu")
        name = check.text(i, item, "nom", None, "nom de département attendu")
        region = check.text(i, item, "region", REGION_CODE, "code de région attendu")
        if region and region not in region_codes:
            check.fail(i, item, "region", "région présente dans data/regions.json attendue")
            region = ""
        if code and name and region:
            result.departments.append(DepartmentRow(code, name, region, str(item.get("zone", ""))))
    department_codes = _unique(
        result.departments, lambda d: d.code, "data/departements.json", problems
    )

    check = _Checker("data/communes.json", problems)
    for i, item in enumerate(raw["communes.json"]):
        code = check.text(i, item, "code", INSEE_CODE, "code INSEE sur 5 caractères attendu")
        name = check.text(i, item, "nom", None, "nom de commune attendu")
        kind = str(item.get("type", "")) if isinstance(item, dict) else ""
        if kind not in COMMUNE_KINDS:
            check.fail(i, item, "type", "un de " + ", ".join(COMMUNE_KINDS) + " attendu")
            kind = ""
        department = check.text(i, item, "departement", None, "code de département attendu")
        if department and department not in department_codes:
            check.fail(i, item, "departement", "département présent dans data/departements.json")
            department = ""
        region = check.text(i, item, "region", None, "code de région attendu")
        if region and region not in region_codes:
            check.fail(i, item, "region", "région présente dans data/regions.json attendue")
            region = ""
        population = check.integer(i, item, "population", required=False)
        postcodes = item.get("codesPostaux", []) if isinstance(item, dict) else []
        if not isinstance(postcodes, list):
            check.fail(i, item, "codesPostaux", "liste de codes postaux attendue")
            postcodes = []
        if code and name and kind and department and region:
            result.communes.append(
                CommuneRow(
                    insee_code=code,
                    name=name,
                    kind=kind,
                    department_code=department,
                    region_code=region,
                    population=population,
                    parent_code=str(item.get("commune") or item.get("chefLieu") or ""),
                    siren=str(item.get("siren") or ""),
                    postcodes=tuple(str(p) for p in postcodes),
                    zone=str(item.get("zone", "")),
                )
            )
    _unique(
        result.communes,
        lambda c: f"{c.insee_code} ({c.kind})",
        "data/communes.json",
        problems,
    )
    current = {c.insee_code for c in result.communes if c.kind == "commune-actuelle"}

    check = _Checker("data/epci.json", problems)
    seen_members: dict[str, str] = {}
    for i, item in enumerate(raw["epci.json"]):
        siren = check.text(i, item, "code", SIREN, "SIREN de l'EPCI (9 chiffres) attendu")
        name = check.text(i, item, "nom", None, "nom de l'EPCI attendu")
        members = item.get("membres") if isinstance(item, dict) else None
        codes: list[str] = []
        if not isinstance(members, list) or not members:
            check.fail(i, item, "membres", "liste non vide de communes membres attendue")
        else:
            for member in members:
                member_code = member.get("code") if isinstance(member, dict) else None
                if not isinstance(member_code, str) or member_code not in current:
                    problems.append(
                        f"fichier « data/epci.json », EPCI {siren or i + 1}, champ « membres » : "
                        f"commune « {member_code} » absente de data/communes.json"
                    )
                elif member_code in seen_members:
                    problems.append(
                        f"fichier « data/epci.json », EPCI {siren}, champ « membres » : commune "
                        f"{member_code} déjà membre de l'EPCI {seen_members[member_code]}"
                    )
                else:
                    seen_members[member_code] = siren
                    codes.append(member_code)
        population = check.integer(i, item, "populationTotale", required=False)
        municipal = check.integer(i, item, "populationMunicipale", required=False)
        if siren and name and codes:
            result.epcis.append(
                EpciRow(
                    epci_siren=siren,
                    name=name,
                    kind=str(item.get("type", "")),
                    financing=str(item.get("modeFinancement", "")),
                    population=population,
                    municipal_population=municipal,
                    member_codes=tuple(codes),
                )
            )
    _unique(result.epcis, lambda e: e.epci_siren, "data/epci.json", problems)

    for name, rows in (
        ("data/regions.json", result.regions),
        ("data/departements.json", result.departments),
        ("data/communes.json", result.communes),
    ):
        if not rows and not any(p.startswith(f"fichier « {name} »") for p in problems):
            problems.append(f"fichier « {name} » : aucun élément")
    if problems:
        raise ReferenceFileError(source, problems)
    return result


def _unique(
    rows: Sequence[Any], key: Callable[[Any], str], name: str, problems: list[str]
) -> set[str]:
    seen: set[str] = set()
    for row in rows:
        k = key(row)
        if k in seen:
            problems.append(f"fichier « {name} » : code {k} en double")
        seen.add(k)
    return seen


# --------------------------------------------------------------------------- unités urbaines

UU_LIST_COLUMNS = ("UU2020", "LIBUU2020", "TUU2017", "TDUU2017", "TYPE", "NB_COM")
UU_COMPOSITION_COLUMNS = ("CODGEO", "LIBGEO", "UU2020", "STATUT_2017", "DEP", "REG")
UU_LIST_NAME = "uu2020_liste"
UU_COMPOSITION_NAME = "uu2020_composition_communale"


def find_urban_unit_files(folder: str | Path) -> tuple[Path, Path]:
    """Dans un dossier, la liste des unités et la composition communale (fichiers CSV INSEE)."""
    base = Path(folder)
    lists = sorted(base.glob(f"{UU_LIST_NAME}*.csv"))
    compositions = sorted(base.glob(f"{UU_COMPOSITION_NAME}*.csv"))
    problems = []
    if not lists:
        problems.append(f"fichier « {UU_LIST_NAME}….csv » (liste des unités urbaines) absent")
    if not compositions:
        problems.append(f"fichier « {UU_COMPOSITION_NAME}….csv » (composition communale) absent")
    if problems:
        raise ReferenceFileError(str(folder), problems)
    return lists[-1], compositions[-1]


def _read_csv(path: Path, expected: Sequence[str], problems: list[str]) -> list[dict[str, str]]:
    try:
        content = path.read_bytes()
    except OSError as exc:
        problems.append(f"fichier « {path.name} » illisible : {exc}")
        return []
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in expected if c not in header]
    if missing:
        problems.append(
            f"fichier « {path.name} » : colonne(s) "
            + ", ".join(f"« {c} »" for c in missing)
            + " absente(s) ; colonnes trouvées : "
            + ", ".join(f"« {h} »" for h in header[:20])
        )
        return []
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]


def read_urban_units(list_path: str | Path, composition_path: str | Path) -> UrbanUnits:
    """Lit et valide la liste des unités urbaines 2020 et leur composition communale."""
    problems: list[str] = []
    list_file, composition_file = Path(list_path), Path(composition_path)
    units_raw = _read_csv(list_file, UU_LIST_COLUMNS, problems)
    members_raw = _read_csv(composition_file, UU_COMPOSITION_COLUMNS, problems)
    result = UrbanUnits(source=f"{list_file} + {composition_file}", vintage="uu2020")
    if problems:
        raise ReferenceFileError(result.source, problems)

    def bad(name: str, line: int, column: str, value: str, expected: str) -> None:
        problems.append(
            f"fichier « {name} », ligne {line}, colonne « {column} » : {expected}, reçu « {value} »"
        )

    for line, row in enumerate(units_raw, start=2):
        code = row["UU2020"]
        if not UU_CODE.match(code):
            bad(list_file.name, line, "UU2020", code, "code d'unité urbaine sur 5 caractères")
            continue
        numbers = {}
        for column in ("TUU2017", "TDUU2017", "NB_COM"):
            value = row[column]
            if not value.isdigit():
                bad(list_file.name, line, column, value, "nombre entier attendu")
            numbers[column] = int(value) if value.isdigit() else 0
        if not row["LIBUU2020"]:
            bad(list_file.name, line, "LIBUU2020", "", "nom de l'unité urbaine attendu")
        result.units.append(
            UrbanUnitRow(
                code,
                row["LIBUU2020"],
                numbers["TUU2017"],
                numbers["TDUU2017"],
                row["TYPE"],
                numbers["NB_COM"],
            )
        )
    known = _unique(result.units, lambda u: u.uu_code, list_file.name, problems)
    counts: dict[str, int] = {}
    seen: set[str] = set()
    for line, row in enumerate(members_raw, start=2):
        code, uu = row["CODGEO"], row["UU2020"]
        if not INSEE_CODE.match(code):
            bad(composition_file.name, line, "CODGEO", code, "code INSEE sur 5 caractères")
            continue
        if code in seen:
            bad(composition_file.name, line, "CODGEO", code, "commune présente une seule fois")
            continue
        seen.add(code)
        status = row["STATUT_2017"]
        if status not in UU_STATUSES:
            bad(composition_file.name, line, "STATUT_2017", status, "H, C, B ou I attendu")
            continue
        if uu.endswith("000") and status == "H":
            continue  # commune hors unité urbaine
        if uu not in known:
            bad(
                composition_file.name,
                line,
                "UU2020",
                uu,
                f"unité urbaine présente dans {list_file.name} attendue",
            )
            continue
        counts[uu] = counts.get(uu, 0) + 1
        result.members.append(
            UrbanUnitMemberRow(uu, code, row["LIBGEO"], status, row["DEP"], row["REG"])
        )
    for unit in result.units:
        if unit.uu_code in known and counts.get(unit.uu_code, 0) != unit.commune_count:
            problems.append(
                f"unité urbaine {unit.uu_code} ({unit.name}) : {unit.commune_count} communes "
                f"annoncées dans {list_file.name}, {counts.get(unit.uu_code, 0)} trouvées dans "
                f"{composition_file.name}"
            )
    if not result.units:
        problems.append(f"fichier « {list_file.name} » : aucune unité urbaine")
    if problems:
        raise ReferenceFileError(result.source, problems)
    return result
