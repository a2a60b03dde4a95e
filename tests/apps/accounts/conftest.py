"""Fixtures des comptes : hachage rapide, vrai serveur SMTP local (aiosmtpd), monde de démonstration."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fast_hasher_and_clean_cache(settings: Any) -> Iterator[None]:
    # Le hachage PBKDF2 coûte ~0,3 s par mot de passe : inutile ici, le hachage n'est pas testé.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@dataclass
class SmtpCapture:
    """Ce qu'un vrai serveur SMTP local a reçu."""

    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    received: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            email.message_from_bytes(envelope.original_content or envelope.content)
        )
        self.received.set()
        return "250 Message accepté"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpCapture]:
    """Serveur SMTP aiosmtpd sur un port libre de 127.0.0.1 ; Django y envoie par SMTP."""
    from aiosmtpd.controller import Controller

    capture = SmtpCapture("127.0.0.1", _free_port())
    controller = Controller(capture, hostname=capture.host, port=capture.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = capture.host
    settings.EMAIL_PORT = capture.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield capture
    finally:
        controller.stop()


@pytest.fixture
def demo_world(db: Any) -> dict[str, Any]:
    """Les comptes de démonstration (un par rôle) : {rôle: compte}."""
    from quartiers.accounts.models import User
    from quartiers.demo.accounts import DEMO_ACCOUNTS, build_demo_accounts

    build_demo_accounts(write_file=False)
    return {a.role: User.objects.get(email=a.email) for a in DEMO_ACCOUNTS}
