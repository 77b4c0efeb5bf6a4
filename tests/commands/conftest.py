"""One real Prefect server (`prefect server start`) for the tests that run commands the way a user does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prefect_server import PrefectServer, start_prefect_server


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    server = start_prefect_server(tmp_path_factory.mktemp("prefect-server"))
    yield server
    server.stop()
