"""The DuckDB store: schema, settings, read connections and the metric definitions.

Nothing in this package imports Dash: the ETL, the API, the wall and (later) the briefing
export all read figures through it, so a number is computed by one piece of code only.
"""
