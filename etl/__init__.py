"""The ETL: county export files in, one DuckDB file out, published by an atomic swap.

Public API: ``etl.load.run_load`` / ``etl.load.LoadError``; CLI ``python -m etl load``.
Nothing here imports Dash (the wall only reads what this package writes).
"""
