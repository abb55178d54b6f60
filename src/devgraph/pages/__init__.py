"""Page data for the browser: plain dicts read from the store, one function per page.

The web layer renders these dicts as HTML and serves them unchanged as each page's JSON
twin, so everything a page shows is computed here, testable without Flask. Every function
takes the store and ``lang`` (``"en"`` or ``"fr"``): labels from the graph are chosen by
language tag (:mod:`devgraph.pages.labels`). The SPARQL lives in ``sparql/*.rq``.
"""

from devgraph.pages.activities import search_activities
from devgraph.pages.activity import activity_page
from devgraph.pages.home import home_page
from devgraph.pages.organisation import organisation_page, organisations_index
from devgraph.pages.places import place_page, places_index, sector_page, sectors_index
from devgraph.pages.warm import warm_up

__all__ = [
    "activity_page",
    "home_page",
    "organisation_page",
    "organisations_index",
    "place_page",
    "places_index",
    "search_activities",
    "sector_page",
    "sectors_index",
    "warm_up",
]
