"""Pièces jointes : type reconnu au contenu, taille bornée, rangées sous VAR_DIR hors de la racine web.

Point d'accroche antivirus : `settings.QUARTIERS_FUNDING_SCANNER` (chemin pointé d'une fonction
`scan(path) -> str | None`, qui renvoie la raison d'un refus) ; aucun par défaut.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from quartiers.accounts import audit
from quartiers.accounts.models import Organisation, User
from quartiers.accounts.permissions import authorize
from quartiers.core.funding import int_parameter
from quartiers.funding.models import Document, GrantApplication
from quartiers.funding.services import ServiceError, today

SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


def storage_root() -> Path:
    return Path(settings.VAR_DIR) / "funding" / "documents"


def sniff(head: bytes) -> tuple[str, str] | None:
    """Type reconnu aux premiers octets (jamais à l'extension ni à l'en-tête envoyé)."""
    for magic, content_type, suffix in SIGNATURES:
        if head.startswith(magic):
            return content_type, suffix
    return None


def add_document(
    actor: User,
    organisation: Organisation,
    kind: str,
    name: str,
    content: bytes,
    application: GrantApplication | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> Document:
    """Dépose une pièce de la structure (réutilisable) ou d'une demande."""
    authorize(actor, "funding.add_application", organisation)
    if kind not in Document.Kind.values:
        raise ServiceError(f"nature de pièce « {kind} » inconnue")
    maximum = int_parameter("max_document_bytes", today())
    if len(content) > maximum:
        raise ServiceError(
            f"« {name} » pèse {len(content) // 1024} Kio : au plus {maximum // 1048576} Mio"
        )
    if not content:
        raise ServiceError(f"« {name} » est vide")
    found = sniff(content[:16])
    if found is None:
        raise ServiceError(f"« {name} » n'est ni un PDF, ni une image PNG ou JPEG (contenu lu)")
    content_type, suffix = found
    relative = Path(str(organisation.pk)) / f"{uuid.uuid4().hex}{suffix}"
    path = storage_root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(content)
    scanner = getattr(settings, "QUARTIERS_FUNDING_SCANNER", "")
    if scanner:
        refusal: Any = import_string(scanner)(tmp)
        if refusal:
            tmp.unlink(missing_ok=True)
            raise ServiceError(f"« {name} » refusé par l'antivirus : {refusal}")
    tmp.replace(path)
    with transaction.atomic():
        document = Document.objects.create(
            organisation=organisation,
            application=application,
            kind=kind,
            valid_from=valid_from,
            valid_until=valid_until,
            original_name=Path(name).name[:200] or f"piece{suffix}",
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            storage_path=str(relative),
            uploaded_by=actor,
        )
        audit.record(actor, "document.added", document, {"kind": (None, kind)})
    return document


def open_document(actor: User, document: Document) -> Path:
    """Le chemin du fichier, pour qui a `funding.view_document` seulement."""
    authorize(actor, "funding.view_document", document)
    path = (storage_root() / document.storage_path).resolve()
    if storage_root().resolve() not in path.parents or not path.is_file():
        raise LookupError(f"fichier de la pièce n° {document.pk} introuvable")
    return path
