"""Prefect flows: thin wrappers that add retries, logging, artifacts and schedules to pipeline/."""
