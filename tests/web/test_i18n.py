"""Interface language: ?lang= switch, cookie, Accept-Language, catalogues, graph labels."""

from __future__ import annotations

import json

from devgraph.web.i18n import CATALOGUES, catalogue


def test_default_is_english(seed_client):
    html = seed_client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html and ">Activities<" in html


def test_accept_language_picks_french(seed_client):
    html = seed_client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}).get_data(
        as_text=True
    )
    assert '<html lang="fr">' in html and ">Activités<" in html


def test_switch_is_remembered_in_a_cookie(seed_app):
    client = seed_app.test_client()
    first = client.get("/?lang=fr")
    assert "lang=fr" in first.headers["Set-Cookie"]
    assert "Accept-Language" in first.headers["Vary"]
    # The next page, without ?lang and with an English browser, stays French.
    html = client.get("/activities", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr">' in html and "Chercher" in html
    back = client.get("/activities?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in back


def test_language_switch_links_keep_the_page_and_its_query(seed_client):
    html = seed_client.get("/activities?q=emploi").get_data(as_text=True)
    assert 'href="/activities?q=emploi&amp;lang=fr"' in html


def test_graph_labels_follow_the_language(seed_client):
    en = seed_client.get("/organisation/eu.json?lang=en").get_json()
    fr = seed_client.get("/organisation/eu.json?lang=fr").get_json()
    assert en["name"] == {"text": "European Union", "lang": "en"}
    assert fr["name"] == {"text": "Union Européenne", "lang": "fr"}
    # Eclosio has only a French name: English falls back to it.
    eclosio = seed_client.get("/organisation/eclosio.json?lang=en").get_json()
    assert eclosio["name"] == {"text": "Eclosio", "lang": "fr"}


def test_catalogues_merge_every_area_file(tmp_path):
    (tmp_path / "fr.a.json").write_text(json.dumps({"Home": "Accueil"}))
    (tmp_path / "fr.b.json").write_text(json.dumps({"Network": "Réseau"}))
    (tmp_path / "en.a.json").write_text(json.dumps({"Home": "Start"}))
    assert catalogue("fr", tmp_path) == {"Home": "Accueil", "Network": "Réseau"}


def test_every_french_string_is_used_by_a_template_or_view():
    """No dead entries: each msgid of the catalogues appears in the code or templates."""
    web = CATALOGUES.parent
    sources = "".join(
        p.read_text() for p in web.parent.rglob("*") if p.suffix in (".html", ".py", ".rq")
    )
    unused = [k for k in json.loads((CATALOGUES / "fr.core.json").read_text()) if k not in sources]
    assert unused == []
