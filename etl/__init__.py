"""ETL for the AI-impact dashboard: curated and online sources into immutable DuckDB vintages."""

__version__ = "0.1.0"
