"""newsint's pipeline: fetching, extraction, NLP and normalisation, free of any orchestrator."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The checkout the package runs from (installed in editable mode): models/ and config/ live here."""
