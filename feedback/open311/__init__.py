"""Open311 GeoReport v2 at /open311/v2/: a thin HTTP adapter over feedback.services.open311."""
