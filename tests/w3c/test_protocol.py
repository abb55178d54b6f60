"""The W3C SPARQL 1.1 Protocol suite (34 tests) against devgraph's own HTTP server.

devgraph is served by waitress on 127.0.0.1 in this process (admin writes on, a real
default graph); every test is replayed from ``protocol/manifest.ttl`` by the
conformance harness, which sends the manifest's exact requests over HTTP.
"""

from __future__ import annotations

import pytest

from conformance import W3C_ROOT
from conformance.manifest import load_suite
from conformance.runner import Runner
from conformance.servers import Target, devgraph_server

if not (W3C_ROOT / "protocol" / "manifest.ttl").exists():
    pytest.skip(f"W3C suites not found at {W3C_ROOT}", allow_module_level=True)

PROTOCOL_TESTS = load_suite("protocol")


@pytest.fixture(scope="module")
def devgraph() -> Target:
    with devgraph_server() as target:
        yield target


def test_the_suite_has_its_34_tests() -> None:
    names = [t.short for t in PROTOCOL_TESTS]
    assert len(names) == 34 and len(set(names)) == 34
    assert {t.kind for t in PROTOCOL_TESTS} == {"ProtocolTest"}


@pytest.mark.parametrize("test", PROTOCOL_TESTS, ids=lambda t: t.short.split("/")[-1])
def test_protocol(devgraph: Target, test) -> None:
    outcome = Runner(devgraph).run(test)
    assert outcome.status == "pass", f"{test.name}: {outcome.message}"


def test_a_write_without_the_token_is_refused(devgraph: Target) -> None:
    """The suite runs with the admin token; without it the same update must not pass."""
    anonymous = Target(
        name="anonymous",
        query_url=devgraph.query_url,
        update_url=devgraph.update_url,
        store_url=devgraph.store_url,
    )
    test = next(t for t in PROTOCOL_TESTS if t.short.endswith("update_post_direct"))
    outcome = Runner(anonymous).run(test)
    assert outcome.status == "fail"
    assert "401" in outcome.message or "403" in outcome.message
