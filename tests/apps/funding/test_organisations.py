"""Fiche « tiers » : forme juridique, siège localisé, personnes et signataires, pièces datées
réutilisées d'une demande à l'autre et vérifiées contre les pièces exigées par l'appel."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from quartiers.accounts.models import AuditEvent
from quartiers.core.accounts import NotAllowed
from quartiers.funding import documents, organisations, services
from quartiers.funding.models import OrganisationPerson
from quartiers.funding.organisations import PersonInput

from .conftest import World

PDF = b"%PDF-1.4\n% piece de test\n"


def test_the_head_office_is_located_in_a_qpv_and_audited(world: World) -> None:
    from quartiers import demo

    demo.build()  # périmètres et adresses fictives du géocodeur embarqué
    user, org = world.users["applicant"], world.orgs["association"]
    profile = organisations.update_profile(
        user,
        org,
        {"legal_form": "association", "head_office_address": "20 avenue des Tilleuls Bellerive"},
    )
    assert profile.head_office_qpv_code == "QN01801M"
    assert profile.head_office_status.startswith("dans le quartier prioritaire")
    assert profile.head_office_checked_on == services.today()
    profile = organisations.update_profile(
        user, org, {"head_office_address": "10 boulevard de la Lune Bellerive"}
    )
    assert (profile.head_office_qpv_code, profile.head_office_status) == (
        "",
        "hors quartier prioritaire",
    )
    events = AuditEvent.objects.filter(
        action="organisation.funding_profile_saved", target_id=str(org.pk)
    )
    assert events.count() == 2
    assert events.last() is not None
    assert events.last().changes["head_office_qpv_code"] == {"before": "QN01801M", "after": ""}


def test_a_profile_needs_a_known_legal_form(world: World) -> None:
    user, org = world.users["applicant"], world.orgs["association"]
    with pytest.raises(services.ServiceError, match="forme juridique est obligatoire"):
        organisations.update_profile(user, org, {"email": "contact@tilleuls.invalid"})
    with pytest.raises(services.ServiceError, match="forme juridique inconnue") as exc:
        organisations.update_profile(user, org, {"legal_form": "sarl-ish"})
    assert exc.value.problems[0].field == "legal_form"


@pytest.mark.parametrize(
    "who", ["state_instructor", "funder_agent", "outside", "city_contract_lead"]
)
def test_only_the_structure_manages_its_profile(world: World, who: str) -> None:
    org = world.orgs["association"]
    with pytest.raises(NotAllowed):
        organisations.update_profile(world.users[who], org, {"legal_form": "association"})
    with pytest.raises(NotAllowed):
        organisations.save_person(world.users[who], org, PersonInput("Intrus", is_contact=True))


def test_only_a_signatory_signs_the_attestation(world: World) -> None:
    app = world.complete_draft()  # signée par la porteuse, signataire
    assert app.attested_by == world.users["applicant"]
    admin = world.users["organisation_admin"]  # responsable, mais pas signataire
    with pytest.raises(services.ServiceError, match="signataire") as exc:
        services.attest(admin, app, app.version)
    assert exc.value.problems[0].field == "attestation"
    # La signataire retirée après avoir signé : la transmission le dit, sur le bon champ.
    person = OrganisationPerson.objects.get(user=world.users["applicant"])
    organisations.remove_person(admin, world.orgs["association"], person.pk)
    fields = {p.field: p.message for p in services.check_completeness(app)}
    assert "n'est plus signataire" in fields["attestation"]


def test_a_signatory_must_be_a_member_of_the_structure(world: World) -> None:
    admin, org = world.users["organisation_admin"], world.orgs["association"]
    with pytest.raises(services.ServiceError, match="aucun membre") as exc:
        organisations.save_person(
            admin, org, PersonInput("Sam Extérieur", email="inst@t.invalid", is_signatory=True)
        )
    assert exc.value.problems[0].field == "email"
    person = organisations.save_person(
        admin,
        org,
        PersonInput("Rita Resp", "Trésorière", "resp@t.invalid", is_administrator=True),
    )
    assert person.user == admin and person.role_labels == ["administrateur"]
    person = organisations.save_person(
        admin,
        org,
        PersonInput("Rita Resp", "Trésorière", "resp@t.invalid", is_signatory=True),
        person.pk,
    )
    assert services.is_signatory(admin, org.pk)


def test_required_documents_are_checked_with_their_validity_and_reused(world: World) -> None:
    user, org = world.users["applicant"], world.orgs["association"]
    world.call.required_documents = ["rib", "statuts"]
    world.call.save()
    app = world.complete_draft()
    problems = {p.field: p.message for p in services.check_completeness(app)}
    assert problems == {
        "documents.rib": "pièce obligatoire manquante : RIB",
        "documents.statuts": "pièce obligatoire manquante : Statuts",
    }
    today = services.today()
    yesterday = today - dt.timedelta(days=1)
    documents.add_document(user, org, "rib", "rib-2020.pdf", PDF, valid_until=yesterday)
    documents.add_document(user, org, "statuts", "statuts.pdf", PDF)
    problems = {p.field: p.message for p in services.check_completeness(app)}
    assert problems == {
        "documents.rib": f"pièce obligatoire périmée depuis le {yesterday:%d/%m/%Y} : RIB "
        "(déposez-en une à jour)"
    }
    with pytest.raises(services.ServiceError, match="pas complète"):
        services.transition(user, app, "submit")
    documents.add_document(
        user, org, "rib", "rib.pdf", PDF, valid_from=yesterday, valid_until=today
    )
    assert services.check_completeness(app) == []
    services.transition(user, app, "submit")
    # Les mêmes pièces servent à la demande suivante : rien à redéposer.
    second = world.complete_draft()
    assert services.check_completeness(second) == []
    status = organisations.required_documents_status(
        org, ["rib", "statuts"], today + dt.timedelta(days=1)
    )
    assert [p.field for p in status] == ["documents.rib"]


def test_the_organisation_page(world: World, client: Any) -> None:
    org = world.orgs["association"]
    url = f"/financements/structures/{org.pk}"
    client.force_login(world.users["state_instructor"])
    assert client.get(url).status_code == 403
    client.force_login(world.users["applicant"])
    page = client.get(url)
    assert page.status_code == 200
    assert "Paula Porteur" in page.content.decode()
    response = client.post(
        url, {"kind": "profile", "legal_form": "association", "email": "contact@tilleuls.invalid"}
    )
    assert response.status_code == 302
    response = client.post(
        url,
        {"kind": "person", "full_name": "Rita Resp", "email": "resp@t.invalid", "is_contact": "1"},
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Association loi 1901" in page and "Rita Resp" in page
    response = client.post(url, {"kind": "profile", "legal_form": "inconnue"}, follow=True)
    assert "forme juridique inconnue" in response.content.decode()
