"""The HTTP-level suites: SPARQL Protocol, Graph Store Protocol, Service Description.

The protocol and graph-store manifests describe each test as a sequence of HTTP
requests (W3C HTTP-in-RDF vocabulary ``ht:``) with the expected status, boolean,
result format, headers and body. This module replays them: paths starting with
``/sparql/`` go to the query or the update endpoint, ``/gsp`` to the Graph Store
endpoint, and the admin credentials go with every write.
The service-description manifest is prose only; its three checks are written here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from conformance import compare
from conformance.http import Response, request
from conformance.manifest import MF, W3CTest
from conformance.runner import Runner, TestFailure

HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

STATUS_CODES = {
    "OK": 200,
    "Created": 201,
    "Accepted": 202,
    "NoContent": 204,
    "BadRequest": 400,
    "NotFound": 404,
}
BOOLEAN_MEDIA = {"application/sparql-results+xml", "application/sparql-results+json"}
TABULAR_MEDIA = BOOLEAN_MEDIA | {"text/csv", "text/tab-separated-values"}
RDF_MEDIA = {
    "application/rdf+xml",
    "text/turtle",
    "application/n-triples",
}  # RDFa is allowed by the test too, but an HTML page proves nothing unless parsed: not offered


@dataclass
class HttpStep:
    """One request of a test and what its response must be."""

    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    statuses: list[str] = field(default_factory=list)  # hts local names
    boolean: bool | None = None
    fmt: str | None = None  # "boolean" | "tabular" | "RDF"
    resp_headers: dict[str, str] = field(default_factory=dict)
    resp_body: str | None = None
    location_var: str | None = None


def _headers(g: Graph, node: Node | None) -> dict[str, str]:
    out: dict[str, str] = {}
    if node is None:
        return out
    for h in Collection(g, node):
        out[str(g.value(h, HT.fieldName)).lower()] = str(g.value(h, HT.fieldValue))
    return out


def steps(test: W3CTest) -> list[HttpStep]:
    """Read the ``ht:requests`` list of a protocol or graph-store test."""
    g, node = test.graph, test.node
    assert g is not None and node is not None
    action = g.value(node, MF.action)
    out = []
    for req in Collection(g, g.value(action, HT.requests)):
        body = g.value(req, HT.body)
        resp = g.value(req, HT.resp)
        boolean = g.value(resp, MF.expectedBoolean)
        fmt = g.value(resp, MF.expectedFormat)
        resp_body = g.value(resp, HT.body)
        location = g.value(resp, MF.expectedLocation)
        out.append(
            HttpStep(
                method=str(g.value(req, HT.methodName)),
                path=str(g.value(req, HT.absolutePath)),
                headers=_headers(g, g.value(req, HT.headers)),
                body=str(g.value(body, CNT.chars)) if body is not None else None,
                statuses=sorted(
                    str(s).rsplit("#", 1)[-1] for s in g.objects(resp, MF.expectedStatus)
                ),
                boolean=boolean.toPython() if isinstance(boolean, Literal) else None,
                fmt=str(fmt) if fmt is not None else None,
                resp_headers=_headers(g, g.value(resp, HT.headers)),
                resp_body=str(g.value(resp_body, CNT.chars)) if resp_body is not None else None,
                location_var=str(location) if location is not None else None,
            )
        )
    return out


def status_ok(status: int, expected: list[str]) -> bool:
    """``hts:StatusCode2xx`` is a class of codes; ``hts:Created`` etc. are single codes."""
    for name in expected:
        if name.startswith("StatusCode") and name.endswith("xx"):
            if status // 100 == int(name[len("StatusCode")]):
                return True
        elif STATUS_CODES.get(name) == status:
            return True
    return not expected


def _is_query(step: HttpStep) -> bool:
    ctype = step.headers.get("content-type", "")
    query_string = step.path.split("?", 1)[1] if "?" in step.path else ""
    return (
        ctype.startswith("application/sparql-query")
        or (step.body or "").startswith("query=")
        or any(p.startswith("query=") for p in query_string.split("&"))
    )


def _encode_body(step: HttpStep) -> bytes | None:
    """Bodies go out in the charset their Content-Type declares (UTF-16 for the
    non-UTF-8 tests), UTF-8 otherwise."""
    if step.body is None:
        return None
    ctype = step.headers.get("content-type", "")
    charset = "utf-8"
    for param in ctype.split(";")[1:]:
        key, _, value = param.strip().partition("=")
        if key.lower() == "charset":
            charset = value.strip().strip('"')
    return step.body.encode(charset)


def check_response(step: HttpStep, r: Response, where: str) -> None:
    """Everything a step says about its response, checked in order."""
    if not status_ok(r.status, step.statuses):
        raise TestFailure(
            f"{where}: {step.method} answered {r.status}, expected {'/'.join(step.statuses)}"
            + (f" ({_snippet(r)})" if r.status >= 400 else "")
        )
    if step.fmt == "boolean":
        if r.media_type not in BOOLEAN_MEDIA:
            raise TestFailure(f"{where}: boolean result as {r.media_type!r}")
        parse = compare.parse_srj if r.media_type.endswith("json") else compare.parse_srx
        value = parse(r.body).boolean
        if value is None:
            raise TestFailure(f"{where}: no boolean in the response")
        if step.boolean is not None and value != step.boolean:
            raise TestFailure(f"{where}: expected {step.boolean}, got {value}")
    elif step.fmt == "tabular":
        if r.media_type not in TABULAR_MEDIA:
            raise TestFailure(f"{where}: SELECT result as {r.media_type!r}")
    elif step.fmt == "RDF":
        if r.media_type not in RDF_MEDIA:
            raise TestFailure(f"{where}: RDF result as {r.media_type!r}")
        if r.media_type in compare.GRAPH_FORMATS:
            compare.parse_graph(r.body, compare.GRAPH_FORMATS[r.media_type])
    expected_type = step.resp_headers.get("content-type")
    if expected_type:
        want = expected_type.split(";")[0].strip().lower()
        if r.media_type != want:
            raise TestFailure(f"{where}: Content-Type {r.media_type!r}, expected {want!r}")
    if step.resp_body is not None:
        fmt = compare.GRAPH_FORMATS.get(r.media_type)
        if fmt is None:
            raise TestFailure(f"{where}: cannot read a {r.media_type!r} body as RDF")
        want_fmt = compare.GRAPH_FORMATS.get(
            (expected_type or r.media_type).split(";")[0].strip().lower(), fmt
        )
        expected = compare.parse_graph(step.resp_body, want_fmt)
        actual = compare.parse_graph(r.body, fmt)
        problem = compare.compare_graphs(expected, actual)
        if problem:
            raise TestFailure(f"{where}: {problem}")


def _snippet(r: Response) -> str:
    text = " ".join(r.text.split())
    return text[:160] or "(empty body)"


def run_protocol(runner: Runner, test: W3CTest) -> None:
    t = runner.target
    runner.reset()
    for name, f in test.graph_data:
        runner.upload(f, graph=name)
    is_update_test = "update" in test.iri.rsplit("#", 1)[-1]
    for i, step in enumerate(steps(test), 1):
        assert step.path.startswith("/sparql/")
        rest = step.path[len("/sparql/") :]
        to_update = is_update_test and not _is_query(step)
        url = (t.update_url if to_update else t.query_url) + rest
        headers = dict(step.headers)
        if to_update:
            headers.update(t.admin_headers)
        r = request(step.method, url, headers=headers, body=_encode_body(step))
        check_response(step, r, f"request {i}")


def run_gsp(runner: Runner, test: W3CTest) -> None:
    t = runner.target
    runner.reset()
    if "DirectGraphIdentification" in test.requires and t.direct_store_base is None:
        raise TestFailure("direct graph identification is not offered by this server")
    variables: dict[str, str] = {}
    for i, step in enumerate(steps(test), 1):
        path = step.path
        for var, value in variables.items():
            path = path.replace(var, quote(value, safe=""))
        if path.startswith("/gsp?") or path == "/gsp":
            url = t.store_url + path[len("/gsp") :]
        elif path.startswith("/gsp/"):
            url = (t.direct_store_base or t.store_url) + path[len("/gsp") :]
        else:
            raise TestFailure(f"unexpected path {path}")
        headers = {**step.headers, **t.admin_headers}
        r = request(step.method, url, headers=headers, body=_encode_body(step))
        check_response(step, r, f"request {i}")
        if step.location_var:
            loc = r.headers.get("location")
            if not loc:
                raise TestFailure(f"request {i}: no Location header")
            variables[step.location_var] = loc


def _service_description(runner: Runner) -> Graph:
    accept = (
        "text/turtle, application/rdf+xml;q=0.9, application/n-triples;q=0.8, "
        "application/ld+json;q=0.7"
    )
    r = request("GET", runner.target.query_url, headers={"Accept": accept})
    if r.status != 200:
        raise TestFailure(f"GET on the endpoint answered {r.status}: {_snippet(r)}")
    fmt = compare.GRAPH_FORMATS.get(r.media_type)
    if fmt is None:
        raise TestFailure(f"GET on the endpoint returned {r.media_type!r}, not RDF")
    try:
        g = compare.parse_graph(r.body, fmt, base=runner.target.query_url)
    except Exception as e:
        raise TestFailure(f"service description does not parse as {fmt}: {e}") from e
    if len(g) == 0:
        raise TestFailure("service description is empty")
    return g


SD_LANGUAGES = {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}


def run_sd(runner: Runner, test: W3CTest) -> None:
    g = _service_description(runner)
    local = test.iri.rsplit("#", 1)[-1]
    if local == "returns-rdf":
        return
    if local == "has-endpoint-triple":
        if (None, SD.endpoint, URIRef(runner.target.query_url)) not in g:
            found = sorted(str(o) for o in g.objects(None, SD.endpoint))
            raise TestFailure(f"no sd:endpoint <{runner.target.query_url}>; found {found}")
        return
    # conforms-to-schema: the SD vocabulary's domain/range constraints that matter.
    services = set(g.subjects(RDF.type, SD.Service)) | set(g.subjects(SD.endpoint, None))
    if not services:
        raise TestFailure("no sd:Service")
    problems = []
    for s in services:
        endpoints = list(g.objects(s, SD.endpoint))
        if not endpoints or not all(isinstance(e, URIRef) for e in endpoints):
            problems.append("sd:Service without an IRI sd:endpoint")
        langs = set(g.objects(s, SD.supportedLanguage))
        if not langs or not langs <= SD_LANGUAGES:
            problems.append(f"sd:supportedLanguage {sorted(map(str, langs))}")
        for p in (SD.resultFormat, SD.inputFormat, SD.feature, SD.defaultEntailmentRegime):
            if any(not isinstance(o, URIRef) for o in g.objects(s, p)):
                problems.append(f"{p} must be an IRI")
        for ds in g.objects(s, SD.defaultDataset):
            types = set(g.objects(ds, RDF.type))
            if types and SD.Dataset not in types:
                problems.append("sd:defaultDataset is not an sd:Dataset")
            for ng in g.objects(ds, SD.namedGraph):
                if not isinstance(g.value(ng, SD.name), URIRef):
                    problems.append("sd:namedGraph without an IRI sd:name")
    if problems:
        raise TestFailure("; ".join(sorted(set(problems))))


def handler_for(runner: Runner, test: W3CTest) -> Callable[[W3CTest], None]:
    table = {
        "ProtocolTest": run_protocol,
        "GraphStoreProtocolTest": run_gsp,
        "ServiceDescriptionTest": run_sd,
    }
    if test.kind not in table:
        raise TestFailure(f"no handler for {test.kind}")
    fn = table[test.kind]
    return lambda t: fn(runner, t)
