"""Browsers ask for /favicon.ico whatever the page says: they get the portal's icon, not a 404."""


def test_favicon_ico_leads_to_the_portals_icon(client, db):
    answer = client.get("/favicon.ico", follow=True)

    assert answer.status_code == 200
    assert answer.redirect_chain[-1][0].endswith("img/favicon.svg")
    assert answer["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(answer.streaming_content)


def test_every_page_names_the_icon(client, db):
    page = client.get("/about/")

    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page.content.decode()
