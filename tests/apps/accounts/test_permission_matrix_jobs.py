"""Matrice des traitements : chaque rôle contre les traitements de chaque autre rôle, sur les trois
portes. Un traitement n'est visible (et annulable) que de qui l'a lancé : aucun rôle, pas même
l'administrateur de la plateforme, n'y accède par les pages, l'API ou la ligne de commande ; la
réponse est « introuvable », comme pour un jeton inconnu, pour ne rien révéler.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from quartiers import cli
from quartiers.accounts import services as accounts
from quartiers.accounts.models import User
from quartiers.demo.accounts import DEMO_ACCOUNTS
from quartiers.jobs import services
from quartiers.jobs.models import Job
from tests.apps.jobs import kinds  # noqa: F401 — inscrit la sorte « test.slow »

pytestmark = pytest.mark.django_db
ROLES = [a.role for a in DEMO_ACCOUNTS]


def expected(actor: str, owner: str) -> bool:
    return actor == owner


@pytest.fixture
def jobs_of(demo_world: dict[str, User]) -> dict[str, Job]:
    return {
        role: services.submit("test.slow", services.Owner(user=user), {"steps": 1})
        for role, user in demo_world.items()
    }


def view_web(user: User, job: Job) -> bool:
    client = Client()
    client.force_login(user)
    codes = {client.get(f"/traitements/{job.token}").status_code}
    codes.add(client.get(f"/traitements/{job.token}/etat").status_code)
    assert codes <= {200, 404}, codes
    assert len(codes) == 1, f"réponses incohérentes entre la page et son état : {codes}"
    return codes == {200}


def view_api(user: User, job: Job) -> bool:
    secret = accounts.create_token(user, "matrice").secret
    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(f"/api/v1/jobs/{job.token}")
    assert response.status_code in (200, 404), response.content
    if response.status_code == 404:
        assert response.json()["detail"] == "traitement introuvable"
    return response.status_code == 200


def view_cli(user: User, job: Job, capsys: Any) -> bool:
    code = cli.main(["jobs", "show", str(job.token), "--as", user.email])
    captured = capsys.readouterr()
    assert code in (0, 4), captured.err
    return code == 0


def cancel_web(user: User, job: Job) -> bool:
    client = Client()
    client.force_login(user)
    response = client.post(f"/traitements/{job.token}/annuler")
    assert response.status_code in (302, 404), response.status_code
    return response.status_code == 302


def cancel_cli(user: User, job: Job, capsys: Any) -> bool:
    code = cli.main(["jobs", "cancel", str(job.token), "--as", user.email])
    captured = capsys.readouterr()
    assert code in (0, 4), captured.err
    return code == 0


@pytest.mark.parametrize("actor", ROLES)
@pytest.mark.parametrize("door", ["web-voir", "api-voir", "cli-voir", "web-annuler", "cli-annuler"])
def test_only_the_owner_reaches_a_job(
    demo_world: dict[str, User], jobs_of: dict[str, Job], door: str, actor: str, capsys: Any
) -> None:
    user = demo_world[actor]
    mismatches = []
    for owner in [o for o in ROLES if o != actor] + [actor]:
        job = jobs_of[owner]
        if door == "web-voir":
            allowed = view_web(user, job)
        elif door == "api-voir":
            allowed = view_api(user, job)
        elif door == "cli-voir":
            allowed = view_cli(user, job, capsys)
        elif door == "web-annuler":
            allowed = cancel_web(user, job)
        else:
            allowed = cancel_cli(user, job, capsys)
        if allowed != expected(actor, owner):
            mismatches.append(f"{owner}: {'permis' if allowed else 'refusé'}")
        if door.endswith("annuler"):
            job.refresh_from_db()
            assert (job.state == "cancelled") == expected(actor, owner)
    assert not mismatches, f"{door} / {actor} : {mismatches}"


def test_an_anonymous_visitor_reaches_only_its_own_session_job(
    demo_world: dict[str, User], jobs_of: dict[str, Job]
) -> None:
    visitor = Client()
    visitor.get("/")  # ouvre une session
    visitor.session.save()
    key = visitor.session.session_key
    assert key
    mine = services.submit("test.slow", services.Owner(session_key=key), {"steps": 1})
    assert visitor.get(f"/traitements/{mine.token}").status_code == 200
    assert visitor.get(f"/api/v1/jobs/{mine.token}").status_code == 200
    for job in jobs_of.values():
        assert visitor.get(f"/traitements/{job.token}").status_code == 404
        assert visitor.get(f"/api/v1/jobs/{job.token}").status_code == 404
    for user in demo_world.values():
        client = Client()
        client.force_login(user)
        assert client.get(f"/traitements/{mine.token}").status_code == 404
