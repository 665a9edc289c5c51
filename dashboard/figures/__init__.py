"""Figure builders: pure functions of data (a DataFrame, an array or a small dataclass in →
a plotly figure or a pydeck deck out). No Dash here (tests enforce it), so the analysis page,
the JSON API and the weekly briefing export draw the same figures.
"""
