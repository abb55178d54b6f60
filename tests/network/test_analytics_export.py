"""Centralities, communities, partner overlap, 3W/4W and the exports."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from devgraph.namespaces import ORGANISATION, PLACE
from devgraph.network import centralities, communities, matrix_3w, partner_overlap, render
from devgraph.network.analytics import pagerank


def test_centralities_rank_the_intermediary(seed_flows):
    rows = {c.iri.removeprefix(ORGANISATION): c for c in centralities(seed_flows)}
    assert rows["plan-international-mali"].betweenness > 0  # BMZ → Plan → AMSS
    assert rows["bmz"].betweenness == 0
    assert rows["eu"].out_degree == 4 and rows["eu"].in_degree == 0
    assert sum(c.pagerank for c in rows.values()) == pytest.approx(1.0)
    sampled = {c.iri: c for c in centralities(seed_flows, sample_above=1, k=5)}
    assert set(sampled) == {ORGANISATION + s for s in rows}


def test_pagerank_is_the_stationary_distribution():
    """Each rank satisfies the PageRank equation (dangling node d spreads its rank evenly)."""
    g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
    rank = pagerank(g, tol=1e-14, max_iter=1000)
    n, alpha = 4, 0.85
    for v in g:
        inflow = sum(rank[u] / g.out_degree(u) for u in g.predecessors(v))
        expected = (1 - alpha) / n + alpha * rank["d"] / n + alpha * inflow
        assert rank[v] == pytest.approx(expected, rel=1e-6)
    assert rank["d"] < rank["c"] and sum(rank.values()) == pytest.approx(1.0)


def test_communities_and_overlap(seed_flows):
    groups = communities(seed_flows)
    kimalakan = {ORGANISATION + s for s in ("eu", "eclosio", "trias", "ose-innover", "cades")}
    assert any(kimalakan <= g for g in groups)
    overlap = {
        (o.a.removeprefix(ORGANISATION), o.b.removeprefix(ORGANISATION)): o
        for o in partner_overlap(seed_flows)
    }
    sos = overlap[("sos-villages-enfants-france", "sos-villages-enfants-mali")]
    assert len(sos.shared) == 2 and sos.jaccard == 1.0
    assert ("amss", "plan-international-mali") in overlap
    assert not [k for k in overlap if "eu" in k]  # a funder does not co-implement


def test_3w_matrix_for_guinea(seeds):
    m = matrix_3w(seeds, country="GN")
    regions = {c.region.removeprefix(PLACE) for c in m.cells}
    assert regions == {"GN-D", "GN-M", "GN-L", "GN-K"}
    assert {c.year for c in m.cells} == {"2019", "2020", "2021", "2022", "2023"}
    assert {c.organisation_label for c in m.cells} == {"Eclosio", "Trias", "Ose Innover", "CADES"}
    assert len(m.cells) == 4 * 2 * 4 * 5  # regions × sectors × organisations × years
    assert len(m.overlaps) == 8 and m.gaps == []
    assert all(c.region_label != c.region for c in m.cells)  # labels, not only IRIs


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "csv", "json"])
def test_exports_carry_labels(seed_flows, fmt):
    body = render(seed_flows, fmt)
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(body.decode())))
        bmz = [r for r in rows if r["source"] == ORGANISATION + "bmz"]
        assert bmz[0]["source_label"] == "Federal Ministry for Economic Cooperation and Development"
        assert bmz[0]["target_label"] == "Plan International Mali"
        assert len(rows) == len(seed_flows.weighted_graph().edges)
    elif fmt == "json":
        data = json.loads(body)
        assert {n["label"] for n in data["nodes"]} >= {
            "Plan International Mali",
            "Association Malienne pour la Survie au Sahel",
        }
        assert len(data["edges"]) == len(seed_flows.weighted_graph().edges)
    else:
        ET.fromstring(body)  # well-formed XML
        assert b"Plan International Mali" in body
        reread = (
            nx.read_graphml(io.BytesIO(body))
            if fmt == "graphml"
            else nx.read_gexf(io.BytesIO(body))
        )
        assert reread.number_of_edges() == len(seed_flows.weighted_graph().edges)
