"""Assemble the spaCy pipeline from the data in a models folder, and load it by version."""

from __future__ import annotations

import logging
import shutil
import tempfile
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
import spacy
from spacy.language import Language

from pipeline.nlp import attributes, components, rulers  # noqa: F401  (registers our factories)
from pipeline.nlp.components import ORGANISATIONS
from pipeline.nlp.lines import LINE_BREAKS
from pipeline.nlp.version import pipeline_version
from pipeline.norms.countries import CountryTable
from pipeline.norms.organisations import load_organisations, organisation_patterns
from pipeline.norms.people import context_cues, known_people
from pipeline.norms.tables import read_lines, read_tsv
from pipeline.norms.weapons import (
    ClassModifiers,
    designation_patterns,
    load_abbreviations,
    load_heads,
    load_systems,
    ship_patterns,
    system_patterns,
)

log = logging.getLogger(__name__)

# Countries whose towns the news names with their state or province ("Austin, Texas").
REGION_COUNTRIES = ("US", "CA", "AU")


def model_config(models: Path) -> dict[str, Any]:
    with (models / "pipeline.toml").open("rb") as handle:
        return tomllib.load(handle)


def build(model: str, models: Path, target: Path) -> None:
    """Write the assembled pipeline to `target`: base model + the gazetteers of `models` + our
    components."""
    config = model_config(models)
    nlp = spacy.load(model, exclude=config["base"].get("exclude", []))
    if "attribute_ruler" in nlp.pipe_names:  # the same rules, looked up by tag
        rules = nlp.get_pipe("attribute_ruler").patterns
        nlp.replace_pipe("attribute_ruler", "newsint_attribute_ruler").add_patterns(rules)
    nlp.add_pipe(LINE_BREAKS, before="parser")
    countries = CountryTable.load(models / "countries")
    systems = load_systems(models / "weapons" / "systems.jsonl")
    loose, exact = system_patterns(systems)
    roles = [
        {"label": "ROLE", "pattern": title, "id": f"gazetteer|role|{title}"}
        for title in read_lines(models / "people" / "titles.txt")
    ]
    ruler_config = {"annotate_ents": True, "spans_key": None, "overwrite": False}
    exact_ruler = nlp.add_pipe(
        "newsint_phrase_ruler",
        name="gazetteer_exact",
        before="ner",
        config={**ruler_config, "phrase_matcher_attr": "ORTH"},
    )
    designations = {r["prefix"]: r["category"] for r in read_tsv(models / "weapons" / "designations.tsv")}
    ships = read_lines(models / "weapons" / "ship_prefixes.txt")
    hulls = read_lines(models / "weapons" / "hull_prefixes.txt")
    exact_ruler.add_patterns(countries.patterns() + exact)
    loose_ruler = nlp.add_pipe(
        "newsint_phrase_ruler",
        name="gazetteer_loose",
        before="ner",
        config={**ruler_config, "phrase_matcher_attr": "LOWER"},
    )
    loose_ruler.add_patterns(loose + roles)
    # Patterns for systems the gazetteer lacks come after it, so a listed system keeps its identity.
    pattern_ruler = nlp.add_pipe("span_ruler", name="weapon_patterns", before="ner", config={**ruler_config})
    pattern_ruler.add_patterns(designation_patterns(designations) + ship_patterns(ships, hulls))
    heads = [head.as_config() for head in load_heads(models / "weapons" / "heads.tsv").values()]
    stop = [r["word"] for r in read_tsv(models / "weapons" / "modifiers.tsv")]
    nlp.add_pipe(
        "newsint_weapon_phrases",
        before="ner",
        config={
            "heads": heads,
            "stop_modifiers": stop,
            "non_weapon_heads": read_lines(models / "weapons" / "non_weapon_heads.txt"),
            "class_modifiers": ClassModifiers.load(models / "weapons" / "class_modifiers.tsv").as_config(),
            "abbreviations": load_abbreviations(models / "weapons" / "abbreviations.tsv"),
        },
    )
    # Known people come after the model, filling only what it missed ("Assad's regime"), so the
    # model's reading of a longer name ("Yasuichi Hamada") is never cut to a listed surname.
    people_ruler = nlp.add_pipe(
        "newsint_phrase_ruler",
        name="gazetteer_people",
        after="ner",
        config={
            **ruler_config,
            "phrase_matcher_attr": "ORTH",
            "ents_filter": {"@misc": "newsint_known_people_filter.v1"},
        },
    )
    people_ruler.add_patterns(known_people(models).patterns())
    # Organisations go to their own span group: they are no label of ours, but the rules after
    # read them to keep firms and groups from being people and to judge country words inside names.
    exact_orgs, loose_orgs = organisation_patterns(
        load_organisations(models / "organisations" / "organisations.jsonl")
    )
    previous = "gazetteer_people"
    for name, attr, patterns in (
        ("organisations_exact", "ORTH", exact_orgs),
        ("organisations_loose", "LOWER", loose_orgs),
    ):
        org_ruler = nlp.add_pipe(
            "newsint_phrase_ruler",
            name=name,
            after=previous,
            config={
                "spans_key": ORGANISATIONS,
                "annotate_ents": False,
                "overwrite": False,
                "phrase_matcher_attr": attr,
            },
        )
        org_ruler.add_patterns(patterns)
        previous = name
    titles = read_lines(models / "people" / "titles.txt")
    nlp.add_pipe(
        "newsint_entity_rules",
        after="organisations_loose",
        config={**context_cues(models), "title": titles, "region": _regions()},
    )
    nlp.meta["newsint"] = {"base_model": model, "version": pipeline_version(model, models)}
    nlp.to_disk(target)


def _regions() -> list[str]:
    """States and provinces that follow a town's name ("Austin, Texas"), from pycountry."""
    return sorted(
        {sub.name for code in REGION_COUNTRIES for sub in pycountry.subdivisions.get(country_code=code)}
    )


@lru_cache(maxsize=2)
def load_pipeline(model: str, models: Path) -> tuple[Language, str]:
    """The built pipeline for `model` and the data in `models`, and its version, building it
    first if the data changed. It is built into the folder's own build/, so another models
    folder never reuses it."""
    version = pipeline_version(model, models)
    builds = models / "build"
    target = builds / f"{Path(model).name}-{version}"
    if not (target / "meta.json").exists():
        log.info("building spaCy pipeline %s for %s from %s", version, model, models)
        builds.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".build-", dir=builds))
        try:
            build(model, models, staging)
            staging.rename(target)
        except OSError:
            if not (target / "meta.json").exists():
                raise  # a concurrent build winning the rename is fine; anything else is not
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return spacy.load(target), version
