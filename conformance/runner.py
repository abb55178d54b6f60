"""Run W3C tests against a :class:`~conformance.servers.Target`, over HTTP only.

Every test starts from an empty store (``DROP ALL`` through the update endpoint, then
checked empty), loads its data through the Graph Store Protocol (POST of the file's
content with its media type; never ``LOAD``, which would make the server fetch URLs),
sends the query or update and compares what comes back (see :mod:`conformance.compare`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from rdflib import Graph

from conformance import compare
from conformance.http import Response, request
from conformance.manifest import W3CTest, local_path
from conformance.servers import Target

MEDIA_BY_EXT = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
    ".nq": "application/n-quads",
    ".trig": "application/trig",
}
RESULT_ACCEPT = {
    ".srx": "application/sparql-results+xml",
    ".srj": "application/sparql-results+json",
    ".tsv": "text/tab-separated-values",
    ".csv": "text/csv",
}
# Expected results in RDF may be a graph (CONSTRUCT) or a result set in the rs: vocabulary.
ANY_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "application/n-triples;q=0.8, text/turtle;q=0.7"
)
SOLUTION_PARSERS: dict[str, Callable[[bytes], compare.Results]] = {
    "application/sparql-results+json": compare.parse_srj,
    "application/json": compare.parse_srj,
    "application/sparql-results+xml": compare.parse_srx,
    "application/xml": compare.parse_srx,
    "text/tab-separated-values": compare.parse_tsv,
    "text/csv": compare.parse_csv,
}
NOT_PARSED = {401, 403, 404, 405, 406, 413, 415}
DUMP_QUERY = "SELECT ?g ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
EMPTY_QUERY = "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
NOT_APPLICABLE_SUITES = {
    "entailment": "entailment regimes (RDFS/OWL/D entailment) are not offered by devgraph's "
    "endpoint, which evaluates under simple entailment only",
}


class TestFailure(Exception):
    """A test's expectation was not met (the message says how)."""


@dataclass
class Outcome:
    test: W3CTest
    status: str  # "pass", "fail", "skip", "n/a"
    message: str = ""
    seconds: float = 0.0


ServicePool = Callable[[int], AbstractContextManager[list[Target]]]


class Runner:
    """Runs tests one by one against ``target``.

    ``services`` are extra plain SPARQL endpoints for the federation tests: each
    ``qt:serviceData`` endpoint IRI is mapped to one of them for the test's duration.
    """

    def __init__(self, target: Target, *, services: list[Target] | None = None) -> None:
        self.target = target
        self.services = services or []

    # --- store handling -----------------------------------------------------------

    def update(self, text: str, *, target: Target | None = None) -> Response:
        t = target or self.target
        headers = {"Content-Type": "application/sparql-update", **t.admin_headers}
        return request("POST", t.update_url, headers=headers, body=text)

    def reset(self, target: Target | None = None) -> None:
        """Empty the dataset, and check it really is empty."""
        t = target or self.target
        r = self.update("DROP ALL", target=t)
        if r.status // 100 != 2:
            raise TestFailure(f"DROP ALL answered {r.status}: {r.text[:200]}")
        r = self.query(EMPTY_QUERY, accept="application/sparql-results+json", target=t)
        if r.status != 200 or compare.parse_srj(r.body).boolean:
            raise TestFailure("store not empty after DROP ALL")

    def upload(
        self,
        file_iri: str,
        *,
        graph: str | None,
        target: Target | None = None,
        rewrite: dict[str, str] | None = None,
    ) -> None:
        """POST a data file into the default graph (``graph=None``) or a named graph."""
        t = target or self.target
        path = local_path(file_iri)
        media = MEDIA_BY_EXT[path.suffix]
        body = path.read_text(encoding="utf-8")
        if media == "text/turtle":
            body = f"@base <{file_iri}> .\n" + body
        elif media == "application/rdf+xml":
            # RDF/XML may use relative IRIs (rdf:about=""); resolve them here, where the
            # file's IRI is known, and send N-Triples.
            media = "application/n-triples"
            body = _read_graph(file_iri).serialize(format="nt")
        for old, new in (rewrite or {}).items():
            body = body.replace(old, new)
        where = "default" if graph is None else "graph=" + quote(graph, safe="")
        headers = {"Content-Type": media, **t.admin_headers}
        r = request("POST", f"{t.store_url}?{where}", headers=headers, body=body)
        if r.status // 100 != 2:
            raise TestFailure(f"loading {path.name} answered {r.status}: {r.text[:300]}")

    def query(self, text: str, *, accept: str, target: Target | None = None) -> Response:
        t = target or self.target
        headers = {"Content-Type": "application/sparql-query", "Accept": accept}
        return request("POST", t.query_url, headers=headers, body=text)

    def dump(self) -> dict[str | None, Graph]:
        """Every graph of the dataset (None = default graph), blank nodes kept apart."""
        r = self.query(DUMP_QUERY, accept="application/sparql-results+json")
        if r.status != 200:
            raise TestFailure(f"dump query answered {r.status}: {r.text[:200]}")
        graphs: dict[str | None, Graph] = {}
        for row in compare.parse_srj(r.body).rows:
            g = row.get("g")
            name = str(g) if g is not None else None
            graphs.setdefault(name, Graph()).add((row["s"], row["p"], row["o"]))
        return graphs

    # --- running ------------------------------------------------------------------

    def run(self, test: W3CTest) -> Outcome:
        start = time.perf_counter()
        try:
            if test.suite in NOT_APPLICABLE_SUITES:
                return Outcome(test, "n/a", NOT_APPLICABLE_SUITES[test.suite])
            handler = {
                "QueryEvaluationTest": self.run_query_eval,
                "CSVResultFormatTest": self.run_query_eval,
                "UpdateEvaluationTest": self.run_update_eval,
                "PositiveSyntaxTest11": self.run_syntax,
                "NegativeSyntaxTest11": self.run_syntax,
                "PositiveUpdateSyntaxTest11": self.run_syntax,
                "NegativeUpdateSyntaxTest11": self.run_syntax,
            }.get(test.kind)
            if handler is None:
                from conformance import httptests

                handler = httptests.handler_for(self, test)
            handler(test)
            return Outcome(test, "pass", "", time.perf_counter() - start)
        except TestFailure as e:
            return Outcome(test, "fail", str(e), time.perf_counter() - start)
        except SkipTest as e:
            return Outcome(test, "skip", str(e), time.perf_counter() - start)
        except Exception as e:  # a crash in the harness or a dropped connection
            msg = f"{type(e).__name__}: {e}"
            return Outcome(test, "fail", msg, time.perf_counter() - start)

    def run_all(self, tests: list[W3CTest]) -> Iterator[Outcome]:
        for t in tests:
            yield self.run(t)

    def load_dataset(self, test: W3CTest, rewrite: dict[str, str] | None = None) -> None:
        self.reset()
        for f in test.data:
            self.upload(f, graph=None, rewrite=rewrite)
        for name, f in test.graph_data:
            self.upload(f, graph=name, rewrite=rewrite)

    def run_syntax(self, test: W3CTest) -> None:
        """Negative: the server must answer 400 (the protocol's MalformedQuery).
        Positive: it must not. Other answers mean the text was parsed and then
        evaluated (2xx), or evaluation failed or was refused (e.g. 409, 500, 501):
        ``LOAD <http://example.org/faraway>`` with no network, ``DROP GRAPH`` of a graph
        that does not exist, a custom function the engine lacks. Statuses that say the
        request never reached the parser (401, 403, 404, 405, 406, 413, 415) fail.
        Updates (``.ru`` files) go to the update endpoint, queries to the query endpoint."""
        assert test.query is not None
        text = _with_base(test.query)
        self.reset()
        if test.query.endswith(".ru"):
            r = self.update(text)
        else:
            r = self.query(text, accept=ANY_ACCEPT)
        if test.kind.startswith("Positive"):
            if r.status == 400:
                raise TestFailure(f"valid syntax refused with 400: {_first_line(r.text)}")
            if r.status in NOT_PARSED:
                raise TestFailure(f"request not processed: {r.status} {_first_line(r.text)}")
        elif r.status != 400:
            raise TestFailure(f"invalid syntax answered {r.status}, expected 400")

    def run_query_eval(self, test: W3CTest) -> None:
        assert test.query is not None and test.result is not None
        text = _with_base(test.query)
        rewrite: dict[str, str] = {}
        back: dict[str, str] = {}
        if test.service_data:
            rewrite, back = self._start_services(test)
            for old, new in rewrite.items():
                text = text.replace(f"<{old}>", f"<{new}>")
        self.load_dataset(test, rewrite)
        ext = Path(test.result).suffix
        accept = RESULT_ACCEPT.get(ext, ANY_ACCEPT)
        r = self.query(text, accept=accept)
        if r.status != 200:
            raise TestFailure(f"query answered {r.status}: {_first_line(r.text)}")
        body = r.body
        for new, old in back.items():
            body = body.replace(new.encode(), old.encode())
        if ext in RESULT_ACCEPT and r.media_type != accept:
            raise TestFailure(f"asked for {accept}, got {r.media_type or 'no Content-Type'}")
        expected = _expected(test.result)
        actual = _actual(r.media_type, body)
        if isinstance(expected, compare.Results) and isinstance(actual, compare.Results):
            ordered = compare.has_outer_order_by(text) and ext != ".csv"
            problem = compare.compare_results(expected, actual, ordered=ordered)
        elif isinstance(expected, Graph) and isinstance(actual, Graph):
            problem = compare.compare_graphs(expected, actual)
        else:
            problem = f"expected a {type(expected).__name__}, got {r.media_type}"
        if problem:
            raise TestFailure(problem)

    def _start_services(self, test: W3CTest) -> tuple[dict[str, str], dict[str, str]]:
        """Map each service endpoint IRI to a local endpoint holding its data."""
        endpoints = sorted({e for e, _ in test.service_data})
        if len(endpoints) > len(self.services):
            raise SkipTest(
                f"needs {len(endpoints)} SERVICE endpoints, {len(self.services)} available"
            )
        rewrite = {e: s.query_url for e, s in zip(endpoints, self.services, strict=False)}
        for e, s in zip(endpoints, self.services, strict=False):
            self.reset(s)
            for endpoint, f in test.service_data:
                if endpoint == e:
                    self.upload(f, graph=None, target=s, rewrite=rewrite)
        return rewrite, {v: k for k, v in rewrite.items()}

    def run_update_eval(self, test: W3CTest) -> None:
        assert test.query is not None
        self.load_dataset(test)
        r = self.update(_with_base(test.query))
        if test.result == "failure":
            if r.status // 100 == 2:
                raise TestFailure(f"update should fail, answered {r.status}")
            return
        if r.status // 100 != 2:
            raise TestFailure(f"update answered {r.status}: {_first_line(r.text)}")
        actual = self.dump()
        expected: dict[str | None, Graph] = {}
        for f in test.result_data:
            expected.setdefault(None, Graph())
            expected[None] += _read_graph(f)
        for name, f in test.result_graph_data:
            expected.setdefault(name, Graph())
            expected[name] += _read_graph(f)
        problems = []
        for name in sorted(set(expected) | set(actual), key=lambda n: n or ""):
            exp = expected.get(name, Graph())
            act = actual.get(name, Graph())
            problem = compare.compare_graphs(exp, act)
            if problem:
                problems.append(f"{name or 'default graph'}: {problem}")
        if problems:
            raise TestFailure("; ".join(problems))


class SkipTest(Exception):
    """The test cannot run in this set-up (the message says why)."""


def _with_base(query_iri: str) -> str:
    """The query text with the W3C base IRI of its file prepended, so that relative
    IRIs resolve as in the published suite (the HTTP request itself carries no base)."""
    text = local_path(query_iri).read_text(encoding="utf-8")
    return f"BASE <{query_iri}>\n{text}"


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "(empty body)"
    return line[:300]


def _read_graph(file_iri: str) -> Graph:
    path = local_path(file_iri)
    fmt = compare.EXTENSION_FORMATS[path.suffix]
    return compare.parse_graph(path.read_bytes(), fmt, base=file_iri)


def _expected(file_iri: str) -> compare.Results | Graph:
    path = local_path(file_iri)
    data = path.read_bytes()
    parsers = {
        ".srx": compare.parse_srx,
        ".srj": compare.parse_srj,
        ".tsv": compare.parse_tsv,
        ".csv": compare.parse_csv,
    }
    if path.suffix in parsers:
        return parsers[path.suffix](data)
    g = _read_graph(file_iri)
    rs = compare.parse_rdf_results(g)
    return rs if rs is not None else g


def _actual(media_type: str, body: bytes) -> compare.Results | Graph:
    if media_type in SOLUTION_PARSERS:
        return SOLUTION_PARSERS[media_type](body)
    if media_type in compare.GRAPH_FORMATS:
        return compare.parse_graph(body, compare.GRAPH_FORMATS[media_type])
    raise TestFailure(f"unexpected response media type {media_type or '(none)'}")
