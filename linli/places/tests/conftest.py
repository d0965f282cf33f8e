import pytest


@pytest.fixture(autouse=True)
def _fresh_point_index():
    """Each test starts without this process's point index (the database is rolled back between tests)."""
    from linli.places import geo

    geo.reset_index()
    yield
    geo.reset_index()
