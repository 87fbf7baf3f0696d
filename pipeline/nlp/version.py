"""The pipeline's version: which data, code and base model made a mention.

Kept apart from the build so that a run can stamp its version without importing spaCy: a run
with nothing new to read never pays for loading the NLP stack.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from pathlib import Path

from pipeline import REPO_ROOT

MODELS = REPO_ROOT / "models"


def base_model_version(model: str) -> str:
    """The base model's version, from its folder's meta.json or its installed package."""
    meta = Path(model) / "meta.json"
    if meta.is_file():
        return str(json.loads(meta.read_text(encoding="utf-8")).get("version", "unknown"))
    try:
        return importlib.metadata.version(model)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def pipeline_version(model: str) -> str:
    """Hash of the data under models/ (not build/), the code that turns it into patterns and
    components, and the base model's name and version: any change gives a new version."""
    digest = hashlib.sha256(f"{model}=={base_model_version(model)}".encode())
    code = Path(__file__).resolve().parent.parent
    inputs = [
        path
        for top in MODELS.iterdir()
        if top.name != "build"  # what is built from the data is not part of its identity
        for path in ([top] if top.is_file() else top.rglob("*"))
        if path.is_file()
    ]
    inputs += [*(code / "nlp").glob("*.py"), *(code / "norms").glob("*.py")]
    for path in sorted(inputs):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
