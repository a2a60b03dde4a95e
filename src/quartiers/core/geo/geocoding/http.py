"""Géocodeur HTTP au protocole de la BAN et d'addok : l'API nationale ou un serveur addok local.

Points d'entrée utilisés : `GET /search/?q=…&limit=…`, `GET /reverse/?lon=…&lat=…`,
`POST /search/csv/` (multipart, fichier `data`, paramètres `columns`, `delimiter`, `min_score`)
dont les colonnes de résultat sont `result_label, result_score, result_type, latitude,
longitude, result_citycode, result_postcode, result_city`. Bibliothèque standard uniquement.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Sequence
from typing import Any

from quartiers.core.geo.geocoding.base import (
    GeocodeResult,
    GeocoderUnavailable,
    GeocodingError,
    ResultType,
)

USER_AGENT = "Quartiers/0.1 (politique de la ville ; client BAN/addok)"
_TYPES = {t.value: t for t in ResultType}


class HttpGeocoder:
    """Client d'un serveur au protocole addok (URL de base, ex. `http://127.0.0.1:7878`)."""

    supports_csv = True

    def __init__(
        self,
        base_url: str,
        timeout: float = 10.0,
        csv_timeout: float = 300.0,
        max_concurrency: int = 4,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise GeocodingError(
                f"URL du géocodeur « {base_url} » invalide : http:// ou https:// attendu"
            )
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.csv_timeout = csv_timeout
        self.max_concurrency = max(1, max_concurrency)

    # -- transport ----------------------------------------------------------------------------

    def _request(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> bytes:
        url = f"{self.base_url}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        request = urllib.request.Request(
            url,
            data=body,
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            method="POST" if body is not None else "GET",
        )
        wait = timeout or self.timeout
        try:
            with urllib.request.urlopen(request, timeout=wait) as response:
                data: bytes = response.read()
                return data
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace").strip()
            if exc.code in (502, 503, 504):
                raise GeocoderUnavailable(
                    f"le service de géocodage ({self.base_url}) est indisponible "
                    f"(HTTP {exc.code}) ; réessayez plus tard"
                ) from exc
            raise GeocodingError(
                f"le service de géocodage ({self.base_url}) a refusé la demande "
                f"(HTTP {exc.code}) : {detail or exc.reason}"
            ) from exc
        except TimeoutError as exc:
            raise GeocoderUnavailable(
                f"le service de géocodage ({self.base_url}) n'a pas répondu en {wait:g} s"
            ) from exc
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise GeocoderUnavailable(
                    f"le service de géocodage ({self.base_url}) n'a pas répondu en {wait:g} s"
                ) from exc
            raise GeocoderUnavailable(
                f"le service de géocodage ({self.base_url}) est injoignable : {reason}"
            ) from exc
        except (ConnectionError, OSError) as exc:
            raise GeocoderUnavailable(
                f"le service de géocodage ({self.base_url}) est injoignable : {exc}"
            ) from exc

    def _json(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        raw = self._request(path, params)
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise GeocodingError(
                f"réponse illisible du service de géocodage ({self.base_url}{path}) : JSON attendu"
            ) from exc
        if not isinstance(data, dict) or not isinstance(data.get("features"), list):
            raise GeocodingError(
                f"réponse inattendue du service de géocodage ({self.base_url}{path}) : "
                "collection GeoJSON attendue"
            )
        return data

    # -- protocole ----------------------------------------------------------------------------

    def search(self, query: str, limit: int = 5) -> list[GeocodeResult]:
        """`GET /search/?q=…&limit=…` : les meilleurs résultats, le meilleur d'abord."""
        if not query.strip():
            return []
        data = self._json("/search/", {"q": query.strip()[:200], "limit": max(1, limit)})
        return [_feature(f) for f in data["features"] if _usable(f)]

    def reverse(self, lon: float, lat: float, limit: int = 1) -> list[GeocodeResult]:
        """`GET /reverse/?lon=…&lat=…` : les adresses les plus proches."""
        data = self._json("/reverse/", {"lon": lon, "lat": lat, "limit": max(1, limit)})
        return [_feature(f) for f in data["features"] if _usable(f)]

    def search_many(self, queries: Sequence[str]) -> list[GeocodeResult | None]:
        """Un lot par un seul `POST /search/csv/` ; l'ordre des réponses suit celui des adresses."""
        if not queries:
            return []
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
        writer.writerow(["rid", "q"])
        for i, query in enumerate(queries):
            # Une adresse vide garde sa place ; addok n'y répondra rien.
            writer.writerow([i, " ".join(query.split())[:200]])
        boundary = uuid.uuid4().hex
        body = _multipart(
            boundary,
            fields=[("columns", "q"), ("delimiter", ";"), ("min_score", "0")],
            file_field="data",
            filename="adresses.csv",
            content=buffer.getvalue().encode("utf-8"),
        )
        raw = self._request(
            "/search/csv/",
            body=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            timeout=self.csv_timeout,
        )
        text = raw.decode("utf-8-sig", errors="replace")
        reader = csv.DictReader(io.StringIO(text), delimiter=";")
        out: list[GeocodeResult | None] = [None] * len(queries)
        seen = 0
        for row in reader:
            seen += 1
            try:
                rid = int(row.get("rid") or "")
            except ValueError as exc:
                raise GeocodingError(
                    "réponse illisible de /search/csv/ : colonne « rid » absente ou invalide"
                ) from exc
            if 0 <= rid < len(out):
                out[rid] = _csv_row(row)
        if seen != len(queries):
            raise GeocodingError(
                f"réponse incomplète de /search/csv/ : {seen} lignes pour {len(queries)} adresses"
            )
        return out


def _usable(feature: Any) -> bool:
    try:
        coords = feature["geometry"]["coordinates"]
        return len(coords) >= 2 and isinstance(feature.get("properties"), dict)
    except (KeyError, TypeError):
        return False


def _result_type(raw: str) -> ResultType:
    return _TYPES.get(raw, ResultType.LOCALITY)


def _feature(feature: dict[str, Any]) -> GeocodeResult:
    props = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"][:2]
    return GeocodeResult(
        label=str(props.get("label") or ""),
        lon=float(lon),
        lat=float(lat),
        score=float(props.get("score") or 0.0),
        result_type=_result_type(str(props.get("type") or "")),
        insee_code=str(props.get("citycode") or ""),
        postcode=str(props.get("postcode") or ""),
        city=str(props.get("city") or ""),
    )


def _csv_row(row: dict[str, str]) -> GeocodeResult | None:
    lat_s, lon_s = row.get("latitude") or "", row.get("longitude") or ""
    if not lat_s or not lon_s:
        return None
    try:
        lat, lon = float(lat_s), float(lon_s)
        score = float(row.get("result_score") or 0.0)
    except ValueError:
        return None
    return GeocodeResult(
        label=row.get("result_label") or "",
        lon=lon,
        lat=lat,
        score=score,
        result_type=_result_type(row.get("result_type") or ""),
        insee_code=row.get("result_citycode") or "",
        postcode=row.get("result_postcode") or "",
        city=row.get("result_city") or "",
    )


def _multipart(
    boundary: str,
    fields: Sequence[tuple[str, str]],
    file_field: str,
    filename: str,
    content: bytes,
) -> bytes:
    parts: list[bytes] = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
    )
    parts.append(content)
    parts.append(f"\r\n--{boundary}--\r\n".encode())
    return b"".join(parts)
