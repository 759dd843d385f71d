import pytest


@pytest.mark.django_db
def test_healthz_answers_ok_when_database_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_my_work_requires_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_my_work_shows_role(cast, client_for):
    response = client_for(cast.coordinator).get("/")
    assert response.status_code == 200
    assert "Referrals coordinator" in response.content.decode()
