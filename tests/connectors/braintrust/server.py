"""The fake Braintrust behind a real HTTP socket on 127.0.0.1, for CLI tests (the CLI opens its own client).

It is the conformance suite's loopback server (``tests/connectors/conformance/hostile.py``) with no
fault: it runs on a thread of the test process, listens on loopback only, on a free port, and stops
when the ``with`` block ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tests.connectors.braintrust.fake import FakeBraintrust
from tests.connectors.conformance.hostile import hostile


@contextmanager
def serve(fake: FakeBraintrust) -> Iterator[str]:
    """Serve ``fake`` on 127.0.0.1; yields the base URL (also the org's data plane at login)."""
    with hostile(fake.handler) as server:
        fake.org_api_url = server.url
        yield server.url
