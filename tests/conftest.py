from collections.abc import Iterator

import pytest

from tests.servers.replica import ReplicaServer


@pytest.fixture
def replica() -> Iterator[ReplicaServer]:
    """A fresh replica of the seed site on 127.0.0.1 for each test."""
    with ReplicaServer() as server:
        yield server
