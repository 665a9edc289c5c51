"""The drilled township's outline grown by a label's box is kept between views
(layers.township_labels._grown_kept): what it gives is exactly what growing the shape gives,
for a concave polygon, one with a hole and a multipolygon, at several label sizes."""
from __future__ import annotations

import shapely

from layers.township_labels import _grown, _grown_kept


def test_the_kept_grown_outline_is_the_outline_grown():
    shapes = [
        shapely.Polygon([(0, 0), (4, 0), (4, 3), (2, 1.2), (0, 3)]),
        shapely.Polygon([(0, 0), (5, 0), (5, 5), (0, 5)],
                        [[(1, 1), (2, 1), (2, 2.5), (1, 2)]]),
        shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(3, 0.5, 4.25, 2.1)]),
        shapely.Polygon([(120.1, 29.5), (120.4, 29.51), (120.38, 29.8), (120.2, 29.7)]),
    ]
    for shape in shapes:
        for hw, hh in ((0.05, 0.02), (0.3, 0.1), (0.0123456789, 0.0044)):
            kept = _grown_kept(shape.wkb, hw, hh)
            assert kept.wkb == _grown(shape, hw, hh).wkb
            hits = _grown_kept.cache_info().hits
            assert _grown_kept(shape.wkb, hw, hh) is kept
            assert _grown_kept.cache_info().hits == hits + 1
