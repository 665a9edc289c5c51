"""Map layers: one module per layer, GeoDataFrame/DataFrame in → plotly traces out.

No Dash here, so a second screen (analysis, briefing export) composes the same layers.
Draw order the wall uses, bottom to top: choropleth fills, heat (plotly draws heatmaps under
scatter traces of the same ``zorder``, so it gets its own), grid boundaries, township
boundaries, hotspot outlines, selection, cameras, labels, click fills, click markers.
"""
from layers._geom import areas_km2, bounds, polygon_xy, polygon_xy_each
from layers.canvas import (clear_corner, covers, emptiest_corner, legend_position, map_axes,
                           visible_range)
from layers.cameras import cameras
from layers.choropleth import choropleth, class_breaks, class_labels
from layers.click_fills import click_fills
from layers.click_targets import click_markers
from layers.grid_boundaries import grid_boundaries
from layers.heat import heat, raster_matrix
from layers.hotspots import hotspot_outlines
from layers.selection import selection_outline
from layers.township_boundaries import township_boundaries
from layers.township_labels import (callout_lines, declutter, fit_in_view, label_points,
                                     place_labels, township_labels)

__all__ = [
    "areas_km2", "bounds", "cameras", "choropleth", "class_breaks", "class_labels", "click_fills",
    "callout_lines", "clear_corner", "click_markers",
    "covers", "declutter", "emptiest_corner", "fit_in_view",
    "grid_boundaries", "heat",
    "hotspot_outlines", "label_points", "legend_position", "map_axes", "place_labels",
    "polygon_xy", "polygon_xy_each", "raster_matrix", "selection_outline",
    "township_boundaries", "township_labels", "visible_range",
]
