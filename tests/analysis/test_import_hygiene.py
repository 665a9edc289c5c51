"""The figure package, the deck.gl layer builders and the analysis reads import no Dash
(architecture.md): the weekly briefing and the API draw the same figures without a web app."""
from __future__ import annotations

from tests.hygiene import dash_imported_by

MODULES = ["dashboard.figures", "dashboard.figures.style", "dashboard.figures.deck_density",
           "dashboard.figures.hour_weekday", "dashboard.figures.category_trend",
           "layers.deck_density", "layers.deck_outlines", "layers.deck_points",
           "store.analysis_reads", "store.analysis_filters", "store.cameras_near",
           "store.hotspots", "store.event_table", "dashboard.analysis",
           "dashboard.analysis.deck_view", "dashboard.analysis.views", "dashboard.api_analysis"]


def test_figures_and_deck_layers_do_not_import_dash():
    assert dash_imported_by(*MODULES) == []


def test_the_check_would_catch_a_dash_import():
    """The probe itself works: importing the page module does pull Dash in."""
    assert "dash" in dash_imported_by("dashboard.analysis.page")
