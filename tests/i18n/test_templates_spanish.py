"""A deployment with LANGUAGE_CODE=es gets the reading site, the signup form and the staff
pages of our templates in Spanish, with Spanish plural forms."""

import re
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from articles.models import Article, Section
from tests.factories import make_article

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")


def test_search_says_1_noticia_and_2_noticias(client, spanish):
    make_article("Reabre el puerto tras el temporal")

    one = client.get(SEARCH, {"q": "puerto"}).content.decode()
    make_article("El puerto recibe el primer crucero")
    two = client.get(SEARCH, {"q": "puerto"}).content.decode()

    assert "1 noticia coincide con <strong>puerto</strong>." in one
    assert "2 noticias coinciden con <strong>puerto</strong>." in two


def test_no_results_and_pagination_words_are_spanish(client, spanish):
    page = client.get(SEARCH, {"q": "inexistente"}).content.decode()

    assert "Ninguna noticia coincide con <strong>inexistente</strong>." in page
    assert '<html lang="es">' in page
    assert 'placeholder="Buscar"' in page


def test_article_page_and_signup_form_are_spanish(client, spanish, terms):
    article = make_article("Reabre el puerto tras el temporal")

    page = client.get(article.get_absolute_url()).content.decode()

    assert "¡Suscríbete para recibir nuestras últimas noticias!" in page
    assert "Al enviar este formulario, acepto las <a" in page
    assert "Publicado el <time" in page
    assert ">Suscríbete</button>" in page


def test_confirmation_email_is_spanish(
    client, spanish, terms, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("newsletter:signup"),
            {"email": "lectora@example.com", "agree": "on", "website": "", "next": "/newsletter/"},
        )

    (message,) = mail.outbox
    assert message.subject.startswith("Confirma tu suscripción al boletín")
    assert "Para confirmar tu suscripción, abre este enlace:" in message.body
    html = message.alternatives[0][0]
    assert "Confirmar mi suscripción" in html
    assert '<html lang="es">' in html


def test_public_pages_ignore_the_readers_browser_language(client, settings):
    """One language per deployment: public pages are cached for everyone, so a reader's
    Accept-Language never changes them."""
    settings.LANGUAGE_CODE = "en-gb"

    page = client.get(SEARCH, HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert 'placeholder="Search"' in page


def test_staff_pages_follow_the_staff_members_browser_language(editor_client):
    dashboard = editor_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="es")

    assert dashboard["Content-Language"] == "es"
    assert "Accept-Language" in dashboard["Vary"]
    assert "Escribir un artículo" in dashboard.content.decode()
    assert translation.get_language() != "es", "the staff language leaked out of the request"


def test_staff_pages_in_the_sites_own_english_for_an_english_browser(editor_client, settings):
    settings.LANGUAGE_CODE = "en-gb"

    dashboard = editor_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en-US")

    assert dashboard["Content-Language"] == "en-gb"
    assert "Write an article" in dashboard.content.decode()


def test_load_demo_in_spanish_gives_a_spanish_front_page(client, spanish, terms):
    call_command("load_demo", "--language", "es", "--password", "demo-Passw0rd!", stdout=StringIO())

    page = client.get(reverse("articles:home")).content.decode()

    assert "Noticias" in page and "Economía" in page
    assert "Vuelven los autobuses nocturnos a Zaragoza" in page
    assert Section.objects.filter(slug="politica", name="Política").exists()
    # The story in review is not on the site.
    assert "El teatro del barrio reabre" not in page


def test_load_demo_follows_the_sites_language_by_default(spanish):
    out = StringIO()
    call_command("load_demo", "--password", "demo-Passw0rd!", stdout=out)

    assert Article.objects.filter(slug="vuelven-los-autobuses-nocturnos-a-zaragoza").exists()
    assert not Section.objects.filter(slug="politics").exists()


def test_load_demo_refuses_a_language_it_has_no_demo_in():
    with pytest.raises(CommandError, match="no demo in 'xx'"):
        call_command("load_demo", "--language", "xx", stdout=StringIO())


def test_the_admins_scripts_get_their_messages_in_the_staff_members_language(editor_client):
    catalog = editor_client.get(reverse("admin:jsi18n"), HTTP_ACCEPT_LANGUAGE="es").content
    catalog = catalog.decode()

    assert '"Copied": "Copiado"' in catalog
    assert '"Your changes will be saved first.": "Primero se guardar\\u00e1n tus cambios."' in (
        catalog
    )


@pytest.mark.postgres
def test_spanish_search_config_stems_spanish_words(client, settings):
    """With SEARCH_CONFIG=spanish (what LANGUAGE_CODE=es picks), "reabrió" finds the story
    that "reabre" (both stem to "reabr"; English stemming leaves "reabrió" whole): the vector is
    made and queried with the same configuration."""
    settings.SEARCH_CONFIG = "spanish"
    make_article("El puerto reabre tras el temporal")

    page = client.get(SEARCH, {"q": "reabrió"}).content.decode()

    assert "El puerto reabre tras el temporal" in page


def test_staff_choose_the_admin_language_and_readers_keep_the_sites(editor_client, client):
    admin_index = reverse("admin:index")
    assert "admin-language" in editor_client.get(admin_index).content.decode()

    answer = editor_client.post(reverse("set_language"), {"language": "es", "next": admin_index})

    assert answer.status_code == 302 and answer["Location"] == admin_index
    page = editor_client.get(admin_index)
    assert page["Content-Language"] == "es"
    assert '<option value="es" lang="es" selected>español</option>' in page.content.decode()
    # The cookie is the reader's too, but public pages are the same for everyone.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    home = client.get(reverse("articles:home"))
    assert re.search(r'<html lang="([^"]+)"', home.content.decode()).group(1).startswith("en")


def test_choosing_a_language_needs_a_signed_in_staff_member(client):
    answer = client.post(reverse("set_language"), {"language": "es", "next": "/"})

    assert answer.status_code == 302 and "/admin/login/" in answer["Location"]
    assert settings.LANGUAGE_COOKIE_NAME not in answer.cookies
