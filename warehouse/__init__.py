"""The DuckDB warehouse: schema migrations, loading and the analysts' queries."""
