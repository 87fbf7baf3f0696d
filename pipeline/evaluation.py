"""Scoring the extractor on benchmark files with the shared scorer, beside a plain reference.

The reference is what the field starts from: spaCy's small model out of the box, PERSON as PERSON,
GPE/NORP names that pycountry knows as COUNTRY, PRODUCT as WEAPON.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pycountry
import spacy

from pipeline.entities import Extractor

LABELS = ("PERSON", "COUNTRY", "WEAPON")
VIEWS = ("exact", "overlap", "doc")


@dataclass(frozen=True)
class Benchmark:
    name: str
    gold: Path
    labels: tuple[str, ...]


def load_scorer(path: Path) -> ModuleType:
    """The shared scorer, imported from its file (standard library only)."""
    spec = importlib.util.spec_from_file_location("newsint_shared_score", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"cannot import the scorer at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_docs(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def ours(extractor: Extractor, docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    pairs = ((str(d["id"]), d["text"]) for d in docs)
    return {
        doc_id: {"id": doc_id, "entities": [m.as_json() for m in mentions]}
        for doc_id, mentions in extractor.extract(pairs)
    }


# The forms re3d's annotators mark as a country: names, not demonyms ("Syrians") or capitals.
NAME_KINDS = frozenset({"name", "abbreviation", "compound"})


def country_names_only(predictions: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Our predictions with COUNTRY cut to name forms: the question re3d's gold answers.

    re3d marks demonyms as Nationality and mostly rejected them (confidence < 0.5), and capitals
    as places; newsint counts both as mentions of a country. Scoring this view beside the full
    one shows how much of the COUNTRY gap is that difference of definition, not misreading.
    """
    return {
        doc_id: {
            **doc,
            "entities": [
                e for e in doc["entities"] if e["label"] != "COUNTRY" or e.get("kind") in NAME_KINDS
            ],
        }
        for doc_id, doc in predictions.items()
    }


def reference(model: str, docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    nlp = spacy.load(model)
    out = {}
    for doc_dict, doc in zip(docs, nlp.pipe(d["text"] for d in docs), strict=True):
        entities = list(_reference_entities(doc.ents))
        out[str(doc_dict["id"])] = {"id": str(doc_dict["id"]), "entities": entities}
    return out


def _reference_entities(ents: Iterable[Any]) -> Iterator[dict[str, Any]]:
    for ent in ents:
        base = {"start": ent.start_char, "end": ent.end_char, "text": ent.text}
        if ent.label_ == "PERSON":
            yield {**base, "label": "PERSON", "norm": ent.text}
        elif ent.label_ in ("GPE", "NORP"):
            try:
                code = pycountry.countries.lookup(ent.text.removeprefix("the ")).alpha_3
            except LookupError:
                continue
            yield {**base, "label": "COUNTRY", "norm": code}
        elif ent.label_ == "PRODUCT":
            yield {**base, "label": "WEAPON", "norm": ent.text}


def score(
    scorer: ModuleType, gold: Path, predictions: dict[str, dict[str, Any]], labels: tuple[str, ...]
) -> dict[str, Any]:
    result: dict[str, Any] = scorer.score(scorer.read_jsonl(str(gold)), predictions, labels)
    return result


def markdown_table(
    name: str,
    labels: tuple[str, ...],
    ours_result: dict[str, Any],
    ref_result: dict[str, Any],
    micro: bool = True,
) -> str:
    """F1 per label and view, ours beside the reference, plus our precision and recall."""
    lines = [
        f"### {name}",
        "",
        "| label | view | newsint F1 | reference F1 | newsint P | newsint R | tp / pred / gold |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label in (*labels, "micro") if micro else labels:
        for view in VIEWS:
            m = ours_result["views"][view][label]
            r = ref_result["views"][view][label]
            lines.append(
                f"| {label} | {view} | {m['f1']:.3f} | {r['f1']:.3f} | {m['p']:.3f} | {m['r']:.3f} "
                f"| {m['tp']} / {m['pred']} / {m['gold']} |"
            )
    return "\n".join(lines) + "\n"
