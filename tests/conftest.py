from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from newscrawl.sitecopy import serve_site
from tests.helpers import SITE

if TYPE_CHECKING:
    from collections.abc import Iterator

    from newscrawl.sitecopy.server import SiteServer


@pytest.fixture(scope="session")
def fixture_site() -> Iterator[SiteServer]:
    """The bundled site copy (fixtures/site) served on 127.0.0.1 for the whole session."""
    with serve_site(SITE) as server:
        yield server
