"""A person's tour in a real browser: home, search, an activity, French, an organisation,
the partner network. Every step is checked on the page and photographed (full page)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("browser_ready")


def assert_not_blank(path: Path, *, min_height: int = 400) -> None:
    """A real page: a sensible size, many colours, and ink on more than 1% of the pixels."""
    from PIL import Image

    with Image.open(path) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        assert width >= 800 and height >= min_height, (path, rgb.size)
        colours = rgb.getcolors(maxcolors=1 << 24)
        assert colours is not None and len(colours) >= 16, (path, len(colours or []))
        background = max(colours)[0]
        assert background < 0.99 * width * height, f"{path} is almost one colour"


def policy_errors(driver) -> list[str]:
    """Console messages about refused inline code or resources (the CSP at work)."""
    return [
        e["message"]
        for e in driver.get_log("browser")
        if "Content Security Policy" in e["message"] or "Refused to" in e["message"]
    ]


def wait_for(driver, css: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 15).until(ec.visibility_of_element_located((By.CSS_SELECTOR, css)))


def test_tour_home_search_activity_french_organisation_network(driver, live_url, shoot):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    # 1. Home page
    driver.get(live_url + "/")
    wait_for(driver, "main h1")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert_not_blank(shoot("01-home"))

    # 2. Search from the header's search box (keyboard only)
    box = driver.find_element(By.ID, "site-q")
    box.send_keys("jeunes", Keys.ENTER)
    WebDriverWait(driver, 15).until(lambda d: "q=jeunes" in d.current_url)
    results = driver.find_elements(By.CSS_SELECTOR, "main a[href*='/activity/']")
    assert results, "searching 'jeunes' found no activity"
    assert_not_blank(shoot("02-search"))

    # 3. Open the first activity found
    title = results[0].text.strip()
    results[0].click()
    heading = wait_for(driver, "main h1")
    assert title and title in heading.text
    assert "/activity/" in driver.current_url
    assert_not_blank(shoot("03-activity"), min_height=800)

    # 4. Switch to French with the language link
    driver.find_element(By.CSS_SELECTOR, "a[hreflang='fr']").click()
    WebDriverWait(driver, 15).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    )
    nav = driver.find_element(By.CSS_SELECTOR, "header nav").text
    assert "Accueil" in nav and "Réseau" in nav
    assert_not_blank(shoot("04-activity-fr"), min_height=800)

    # 5. An organisation taking part in it: its page and its ego network picture
    org_links = driver.find_elements(By.CSS_SELECTOR, "main a[href*='/organisation/']")
    assert org_links, "the activity page links to no organisation"
    org_name = org_links[0].text.strip()
    org_links[0].click()
    assert org_name in wait_for(driver, "main h1").text
    ego = wait_for(driver, "main img.ego")  # drawn by /network/ego.svg
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth > 0", ego
        )
    )
    assert ego.get_attribute("alt")
    assert_not_blank(shoot("05-organisation-fr"))

    # 6. The partner network from the main navigation, still in French
    driver.find_element(By.LINK_TEXT, "Réseau").click()
    picture = wait_for(driver, "svg.dg-picture")
    assert driver.find_element(By.CSS_SELECTOR, "main h1").text == "Réseau des partenaires"
    headings = [t.text for t in picture.find_elements(By.CSS_SELECTOR, "text")][:3]
    assert headings == ["Bailleurs", "Intermédiaires", "Organismes de mise en œuvre"]
    nodes = picture.find_elements(By.CSS_SELECTOR, "g.dg-node")
    assert len(nodes) >= 10
    # network.js (a served file, allowed by the CSP) highlights a funder's links on hover
    ActionChains(driver).move_to_element(nodes[0]).perform()
    WebDriverWait(driver, 5).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "svg.dg-picture g.dg-link.dg-dim")
    )
    assert_not_blank(shoot("06-network-fr"))

    assert policy_errors(driver) == []


def test_flows_queries_and_sparql_editor(driver, live_url, shoot):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(live_url + "/flows?lang=en")
    picture = wait_for(driver, "svg.dg-picture")
    assert picture.find_elements(By.CSS_SELECTOR, "g.dg-band")
    assert_not_blank(shoot("07-flows"))

    # keyboard: a box of the network picture is a link that Enter follows
    driver.get(live_url + "/network?lang=en")
    first = wait_for(driver, "svg.dg-picture g.dg-node a")
    driver.execute_script("arguments[0].focus()", first)
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    WebDriverWait(driver, 15).until(lambda d: "/organisation/" in d.current_url)
    wait_for(driver, "main h1")

    driver.get(live_url + "/queries/cq-01-kimalakan-implementers")
    field = wait_for(driver, "#p-activity")
    field.send_keys("act:kimalakan")
    driver.find_element(By.CSS_SELECTOR, "form.dg-query-form button[type=submit]").click()
    WebDriverWait(driver, 15).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "table.dg-table tbody tr")) >= 4
    )
    assert "CADES" in driver.find_element(By.CSS_SELECTOR, "table.dg-table").text
    assert_not_blank(shoot("08-query"), min_height=300)

    driver.get(live_url + "/sparql")
    area = wait_for(driver, "#sparql-query")
    # sparql.js shows the buttons and loads an example into the editor
    first = driver.find_element(By.CSS_SELECTOR, "ul.dg-examples details summary")
    first.click()
    button = wait_for(driver, "button.dg-load-example")
    button.click()
    assert "#+ title:" in area.get_property("value")
    assert_not_blank(shoot("09-sparql-editor"))
    assert policy_errors(driver) == []
