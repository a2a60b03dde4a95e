"""La limite de `/adresse/lot` est appliquée pendant la réception du corps (issue 9, §5)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from quartiers.jobs.models import Job

pytestmark = pytest.mark.django_db

LIMIT = 100_000


class CountingStream(io.BytesIO):
    """Le corps de la requête, qui compte ce que le serveur en a lu."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.consumed = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        chunk = super().readline(size)
        self.consumed += len(chunk)
        return chunk


def _body(size: int) -> bytes:
    content = b"id;lon;lat\n" + b"1;1.40;43.58\n" * (size // 13)
    return encode_multipart(
        BOUNDARY,
        {
            "kind": "coordinates",
            "lon_col": "lon",
            "lat_col": "lat",
            "file": SimpleUploadedFile("gros.csv", content, content_type="text/csv"),
        },
    )


def _post(client: Client, body: bytes, content_length: int | None = None) -> tuple[Any, int]:
    stream = CountingStream(body)
    response = client.generic(
        "POST",
        "/adresse/lot",
        b"",
        **{
            "wsgi.input": stream,
            "CONTENT_LENGTH": str(content_length or len(body)),
            "CONTENT_TYPE": MULTIPART_CONTENT,
        },
    )
    return response, stream.consumed


def test_announced_size_refused_without_reading_the_body(client: Client, settings: Any) -> None:
    settings.QUARTIERS_BATCH_MAX_BYTES = LIMIT
    body = _body(3 * 1024 * 1024)
    response, consumed = _post(client, body)
    assert response.status_code == 413
    assert "fichier trop volumineux" in response.content.decode()
    assert consumed == 0
    assert Job.objects.count() == 0


def test_upload_stopped_as_soon_as_the_limit_is_crossed(client: Client, settings: Any) -> None:
    settings.QUARTIERS_BATCH_MAX_BYTES = LIMIT
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 2_500  # petits morceaux, comme un gros fichier
    body = _body(LIMIT + 40_000)  # sous la marge des champs : seul le gestionnaire peut couper
    response, consumed = _post(client, body)
    assert response.status_code == 413
    assert "au plus 97 ko" in response.content.decode()
    assert consumed < len(body)
    assert Job.objects.count() == 0


def test_upload_under_the_limit_still_accepted(client: Client, settings: Any) -> None:
    settings.QUARTIERS_BATCH_MAX_BYTES = LIMIT
    body = _body(5_000)
    response, _ = _post(client, body)
    assert response.status_code in (302, 400)  # accepté, ou refusé pour une autre raison
    assert "trop volumineux" not in response.content.decode()
