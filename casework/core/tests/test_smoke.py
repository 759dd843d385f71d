def test_my_work_requires_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_my_work_shows_role(cast, client_for):
    response = client_for(cast.coordinator).get("/")
    assert response.status_code == 200
    assert "Referrals coordinator" in response.content.decode()
