"""Real polygons for the place tests."""


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    """A closed square polygon with its south-west corner at (lon, lat)."""
    return {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]],
    }
