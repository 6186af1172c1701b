import pytest

from tests.factories import make_article, make_image

pytestmark = pytest.mark.django_db


def test_home_and_article(client):
    a = make_article(tags=["Energy", "Rivers"], hero_image=make_image())
    make_article(tags=["Energy"], section=a.section)
    assert client.get("/").status_code == 200
    r = client.get(a.get_absolute_url())
    assert r.status_code == 200, r.content
    assert a.headline in r.content.decode()
    assert client.get(a.section.get_absolute_url()).status_code == 200
    assert client.get("/tag/energy/").status_code == 200
    assert client.get(a.byline_authors[0].get_absolute_url()).status_code == 200
