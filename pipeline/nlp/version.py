"""The pipeline's version: which data, code and base model made a mention.

Kept apart from the build so that a run can stamp its version without importing spaCy: a run
with nothing new to read never pays for loading the NLP stack.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from pathlib import Path


def base_model_version(model: str) -> str:
    """The base model's version, from its folder's meta.json or its installed package."""
    meta = Path(model) / "meta.json"
    if meta.is_file():
        return str(json.loads(meta.read_text(encoding="utf-8")).get("version", "unknown"))
    try:
        return importlib.metadata.version(model)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# The code that decides a mention or an event, relative to the `pipeline` package: the spaCy
# components and their build, the norms, the mention finding itself, the event rules, the
# records and the rows they become.
MENTION_CODE = ("nlp", "norms", "entities.py", "events", "mention_table.py", "event_table.py", "records.py")


def pipeline_version(model: str, models: Path, code: Path | None = None) -> str:
    """Hash of the data in the `models` folder (not its build/; events/ with the rest), the code
    that decides mentions and events (`MENTION_CODE`), and the base model's name and version:
    any change gives a new version, so `newsint reprocess` refreshes what an older version
    stored. `code` defaults to this checkout's `pipeline/`."""
    code = code or Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{model}=={base_model_version(model)}".encode())
    # Each input under a name relative to its root, so a moved checkout keeps its version.
    inputs = {
        f"models/{path.relative_to(models)}": path
        for top in models.iterdir()
        if top.name != "build"  # what is built from the data is not part of its identity
        for path in ([top] if top.is_file() else top.rglob("*"))
        if path.is_file()
    }
    for name in MENTION_CODE:
        part = code / name
        files = [part] if part.is_file() else part.rglob("*.py")
        inputs |= {f"pipeline/{path.relative_to(code)}": path for path in files}
    for name in sorted(inputs):
        digest.update(name.encode())
        digest.update(inputs[name].read_bytes())
    return digest.hexdigest()[:12]
