"""Anchors, verdict checks, the Wilson interval and the patch verdicts make for models/."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.norms.organisations import load_organisations
from pipeline.norms.people import KnownPeople
from pipeline.norms.weapons import load_heads, load_systems
from pipeline.settings import DEFAULT_MODELS
from pipeline.verdict_patch import FILES, Judged, model_patch
from pipeline.verdicts import CONTEXT_CHARS, Verdict, anchor_of, verdict_problem, wilson_interval

TEXT = "Officials in Kyiv said on Monday that Ukraine received more drones. Ukraine thanked them."


def _anchor(text: str, words: str, nth: int = 0, label: str = "COUNTRY") -> tuple[str, str]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(words, start + 1)
    anchor = anchor_of("a1", text, label, start, start + len(words))
    return anchor.item_id, anchor.text


def test_anchor_keeps_the_words_and_their_context() -> None:
    start = TEXT.index("Ukraine")
    anchor = anchor_of("a1", TEXT, "COUNTRY", start, start + 7)
    assert anchor.text == "Ukraine"
    assert anchor.before == TEXT[start - CONTEXT_CHARS : start]
    assert anchor.after == TEXT[start + 7 : start + 7 + CONTEXT_CHARS]
    assert anchor_of("a1", TEXT, "COUNTRY", 0, 9).before == ""  # at the start of the text
    assert len(anchor.item_id) == 16 and int(anchor.item_id, 16) >= 0


def test_the_same_words_in_the_same_place_are_one_item_even_when_offsets_move() -> None:
    edited = "An editor's note added at the top of the story, well away. " + TEXT
    assert _anchor(edited, "Ukraine") == _anchor(TEXT, "Ukraine")
    # The second "Ukraine" has other words around it; an edit next to a mention changes it.
    assert _anchor(TEXT, "Ukraine", nth=1)[0] != _anchor(TEXT, "Ukraine")[0]
    assert _anchor(TEXT.replace("received", "got"), "Ukraine")[0] != _anchor(TEXT, "Ukraine")[0]
    # Another label, or another article, is another claim about the words.
    assert _anchor(TEXT, "Ukraine", label="PERSON")[0] != _anchor(TEXT, "Ukraine")[0]
    start = TEXT.index("Ukraine")
    assert anchor_of("a2", TEXT, "COUNTRY", start, start + 7).item_id != _anchor(TEXT, "Ukraine")[0]


@pytest.mark.parametrize(
    ("verdict", "correction", "queue", "problem"),
    [
        ("correct", None, "sample", None),
        ("not_entity", None, "new", None),
        ("wrong_label", "WEAPON", "low_confidence", None),
        ("wrong_norm", "UKR", "sample", None),
        ("merge", "person:vladimir-putin", "sample", None),
        ("correct", "UKR", "sample", "correct takes no correction"),
        ("wrong_norm", " ", "sample", "wrong_norm needs a correction"),
        ("merge", None, "sample", "merge needs a correction"),
        ("wrong_label", "ORG", "sample", "wrong_label needs the right label"),
        ("maybe", None, "sample", "unknown verdict 'maybe'"),
        ("correct", None, "later", "unknown queue 'later'"),
    ],
)
def test_verdict_problems(verdict: str, correction: str | None, queue: str, problem: str | None) -> None:
    found = verdict_problem(Verdict("abc", verdict, correction, "ana", queue))  # type: ignore[arg-type]
    assert found == problem if problem is None else (found or "").startswith(problem)


def test_wilson_interval_against_the_formula() -> None:
    # 8 correct of 10, z = 1.96, by hand: p = 0.8, z² = 3.8416, d = 1 + z²/n = 1.38416;
    # centre = (p + z²/2n) / d = (0.8 + 0.19208) / 1.38416 = 0.71674;
    # half = z/d * sqrt(p(1-p)/n + z²/4n²) = 1.41602 * sqrt(0.016 + 0.009604) = 1.41602 * 0.16001
    #      = 0.22658; so [0.49016, 0.94332].
    interval = wilson_interval(8, 10)
    assert interval.estimate == pytest.approx(0.8)
    assert interval.low == pytest.approx(0.49016, abs=5e-5)
    assert interval.high == pytest.approx(0.94332, abs=5e-5)
    assert (interval.n, interval.correct) == (10, 8)


def test_wilson_interval_at_the_edges() -> None:
    # 0 of 5: centre = half = (z²/2n) / d = 0.38416 / 1.76832 = 0.21725: [0, 0.43450].
    none = wilson_interval(0, 5)
    assert none.low == 0.0 and none.high == pytest.approx(0.43450, abs=5e-5)
    every = wilson_interval(5, 5)
    assert every.high == pytest.approx(1.0) and every.low == pytest.approx(1 - 0.43450, abs=5e-5)
    empty = wilson_interval(0, 0)
    assert math.isnan(empty.estimate) and (empty.low, empty.high) == (0.0, 1.0)
    assert wilson_interval(8, 10, z=2.576).low < wilson_interval(8, 10).low  # 99 % is wider


def _models_copy(tmp_path: Path) -> Path:
    """The gazetteer files a patch may touch, copied under tmp_path/models."""
    models = tmp_path / "models"
    for name in FILES:
        (models / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DEFAULT_MODELS / name, models / name)
    return models


JUDGED = [
    # A militia read as a person; a household thing read as a generic weapon.
    Judged("not_entity", None, "PERSON", "Kataib Sayyid", "Kataib Sayyid", "name", None, None),
    Judged("not_entity", None, "WEAPON", "mop bucket", "mop bucket", "generic", None, None),
    # A nickname of a listed person; an unlisted person's spelling; a word for a country.
    Judged("wrong_norm", "Vladimir Putin", "PERSON", "Vova", "Vova", "name", None, "Vladimir Putin"),
    Judged("wrong_norm", "Jane Q. Doe", "PERSON", "J. Doe", "J. Doe", "name", None, "Jane Q. Doe"),
    Judged("wrong_norm", "UKR", "COUNTRY", "Kyivan Rus", None, None, None, "UKR"),
    Judged("merge", "kalibr", "WEAPON", "Kalibr cruise", "Kalibr cruise", "name", "WEAPON", "Kalibr"),
    # What no file says.
    Judged("not_entity", None, "COUNTRY", "Chad", "TCD", "name", None, None),
    Judged("wrong_label", "COUNTRY", "PERSON", "Jordan", "Jordan", "name", "COUNTRY", None),
]  # fmt: skip


def test_patch_applies_and_the_gazetteers_then_say_what_the_verdicts_said(tmp_path: Path) -> None:
    models = _models_copy(tmp_path)
    patch = model_patch(JUDGED, models)
    assert patch.startswith("# ")  # the notes come first
    assert "'Chad' is no entity here" in patch and "'Jordan' is a COUNTRY" in patch
    (tmp_path / "verdicts.patch").write_text(patch, encoding="utf-8")
    for check in (["git", "apply", "--check", "verdicts.patch"], ["git", "apply", "verdicts.patch"]):
        done = subprocess.run(check, cwd=tmp_path, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr

    organisations = {o.name: o for o in load_organisations(models / "organisations/organisations.jsonl")}
    assert organisations["Kataib Sayyid"].kind == "other"
    assert load_heads(models / "weapons/heads.tsv")["mop", "bucket"].category == "-"
    people = KnownPeople.load(models / "people/known.jsonl")
    assert "Vova" in people.people["Vladimir Putin"].aliases
    assert people.people["Jane Q. Doe"].aliases == ("J. Doe",)
    assert "Kalibr cruise" in load_systems(models / "weapons/systems.jsonl")["kalibr"].aliases
    names = (models / "countries/names.tsv").read_text(encoding="utf-8")
    assert "UKR\tKyivan Rus\talias\n" in names


def test_a_second_patch_from_the_same_verdicts_changes_nothing(tmp_path: Path) -> None:
    models = _models_copy(tmp_path)
    (tmp_path / "first.patch").write_text(model_patch(JUDGED, models), encoding="utf-8")
    subprocess.run(["git", "apply", "first.patch"], cwd=tmp_path, check=True)
    again = model_patch(JUDGED, models)
    assert "---" not in again and "+++" not in again
    assert again.startswith("# ")  # what no file says is still said


def test_a_country_word_given_another_code_is_changed_in_place(tmp_path: Path) -> None:
    models = _models_copy(tmp_path)
    judged = Judged("wrong_norm", "GEO", "COUNTRY", "Georgian", "GEO", "adjective", None, "GEO")
    before = (models / "countries/demonyms.tsv").read_text(encoding="utf-8")
    assert "GEO\tGeorgian\tadjective" in before
    assert model_patch([judged], models) == ""  # it already says GEO: nothing to change
    moved = model_patch(
        [Judged("wrong_norm", "ARM", "COUNTRY", "Georgian", "GEO", None, None, "ARM")], models
    )
    assert "-GEO\tGeorgian\tadjective\n+ARM\tGeorgian\tadjective\n" in moved
    assert "names.tsv" not in moved
    bad = model_patch(
        [Judged("wrong_norm", "Ukraine", "COUNTRY", "Kiev", None, None, None, "Ukraine")], models
    )
    assert bad.startswith("# COUNTRY 'Kiev' -> 'Ukraine': not an ISO") and "---" not in bad


def test_a_listed_person_is_not_vetoed(tmp_path: Path) -> None:
    models = _models_copy(tmp_path)
    listed = json.loads((models / "people/known.jsonl").read_text(encoding="utf-8").splitlines()[0])
    patch = model_patch(
        [Judged("not_entity", None, "PERSON", listed["name"], None, None, None, None)], models
    )
    assert "organisations.jsonl" not in patch and f"PERSON {listed['name']!r} is listed" in patch
