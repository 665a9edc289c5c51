"""The figure package, the deck.gl layer builders and the analysis reads import no Dash
(architecture.md): the weekly briefing and the API draw the same figures without a web app."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULES = ["dashboard.figures", "dashboard.figures.style", "dashboard.figures.deck_density",
           "dashboard.figures.hour_weekday", "dashboard.figures.category_trend",
           "layers.deck_density", "layers.deck_outlines", "layers.deck_points",
           "store.analysis_reads", "store.analysis_filters", "store.cameras_near",
           "store.hotspots", "store.event_table", "dashboard.analysis",
           "dashboard.analysis.deck_view", "dashboard.analysis.views", "dashboard.api_analysis"]


def test_figures_and_deck_layers_do_not_import_dash():
    code = ("import importlib, sys\n"
            f"for name in {MODULES!r}:\n"
            "    importlib.import_module(name)\n"
            "bad = sorted(m for m in sys.modules if m == 'dash' or m.startswith('dash.'))\n"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_check_would_catch_a_dash_import():
    """The probe itself works: importing the page module does pull Dash in."""
    code = ("import sys, dashboard.analysis.page\n"
            "print(any(m == 'dash' for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "True"
