"""From analysts' verdicts to a reviewable change of the gazetteers under models/.

Which file a verdict implies:
- a name that is no person (not_entity, or a wrong label other than COUNTRY): a row of kind
  `other` in organisations/organisations.jsonl, the gazetteer that keeps names from being read as
  people (a person inside a listed organisation's name is dropped);
- a generic weapon phrase that is no weapon: a veto row (category `-`) in weapons/heads.tsv;
- a wrong norm, or a merge, of a person: an alias of the right person in people/known.jsonl (a
  new row when nobody listed has that name);
- a wrong norm of a country: the row of countries/names.tsv or demonyms.tsv that gives the words
  another code is changed, else an alias row is added to names.tsv;
- a wrong norm, or a merge, of a weapon: an alias of the system in weapons/systems.jsonl.
What no file can say (a country word that is no country here, a named system misread) becomes a
`#` line above the diff for the reviewer; `git apply` and `patch` skip such lines.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.norms.organisations import form_key
from pipeline.verdicts import country_code

PEOPLE = "people/known.jsonl"
ORGANISATIONS = "organisations/organisations.jsonl"
COUNTRY_NAMES = "countries/names.tsv"
DEMONYMS = "countries/demonyms.tsv"
SYSTEMS = "weapons/systems.jsonl"
HEADS = "weapons/heads.tsv"
FILES = (PEOPLE, ORGANISATIONS, COUNTRY_NAMES, DEMONYMS, SYSTEMS, HEADS)


@dataclass(frozen=True, slots=True)
class Judged:
    """A verdict in force with the mention it judged: its label, words, norm and how the norm was
    reached (kind), and the label and norm it is counted by since."""

    verdict: str
    correction: str | None
    label: str
    text: str
    norm: str | None
    kind: str | None
    new_label: str | None
    new_norm: str | None


class ModelFiles:
    """The gazetteer files as lines, edited in memory; `diff` says what changed."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.before = texts
        self.lines = {name: text.splitlines(keepends=True) for name, text in texts.items()}
        self.notes: list[str] = []

    def note(self, line: str) -> None:
        if line not in self.notes:
            self.notes.append(line)

    def rows(self, name: str) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.lines[name] if line.strip()]

    def append(self, name: str, line: str) -> None:
        lines = self.lines[name]
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.append(line + "\n")

    def diff(self, root: str) -> str:
        """A unified diff of every changed file, paths as `a/<root>/<file>`, `#` notes first."""
        parts = [f"# {note}\n" for note in self.notes]
        for name, text in self.before.items():
            after = "".join(self.lines[name])
            if after != text:
                old, new = text.splitlines(keepends=True), after.splitlines(keepends=True)
                diff = difflib.unified_diff(old, new, f"a/{root}/{name}", f"b/{root}/{name}")
                parts += [
                    line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                    for line in diff
                ]
        return "".join(parts)


def model_patch(judged: Sequence[Judged], models: Path) -> str:
    """The diff against the files under `models` that the verdicts call for (see the module)."""
    files = ModelFiles({name: (models / name).read_text(encoding="utf-8") for name in FILES})
    for verdict in judged:
        apply_verdict(files, verdict)
    return files.diff(models.name)


def apply_verdict(files: ModelFiles, judged: Judged) -> None:
    """Edit `files` as one verdict implies, or note why it cannot."""
    if judged.verdict == "not_entity" or judged.verdict == "wrong_label":
        _not_this_label(files, judged)
    elif judged.verdict == "wrong_norm" and judged.new_norm:
        _alias(files, judged.label, judged.text, judged.new_norm)
    elif judged.verdict == "merge" and judged.new_norm and judged.norm:
        if judged.new_label != judged.label:
            merged = f"{judged.label} {judged.norm!r} into {judged.new_label} {judged.new_norm!r}"
            files.note(f"merge of {merged}: the labels differ, no gazetteer row says so")
        else:
            _alias(files, judged.label, judged.norm, judged.new_norm)


def _not_this_label(files: ModelFiles, judged: Judged) -> None:
    """A mention that is no entity of its label."""
    what = f"{judged.label} {judged.text!r}"
    if judged.label == "PERSON" and judged.new_label != "COUNTRY":
        _veto_person(files, judged.text)
    elif judged.label == "WEAPON" and judged.kind == "generic" and judged.norm:
        _veto_weapon_phrase(files, judged.norm)
    elif judged.verdict == "wrong_label":
        files.note(f"{what} is a {judged.new_label}: no gazetteer row moves it, the rules must")
    else:
        files.note(f"{what} is no entity here: see countries/ambiguous.tsv or the weapon gazetteer by hand")


def _veto_person(files: ModelFiles, name: str) -> None:
    people = {form_key(str(f)) for row in files.rows(PEOPLE) for f in [row["name"], *_list(row, "aliases")]}
    if form_key(name) in people:
        files.note(f"PERSON {name!r} is listed in {PEOPLE}: judge the rule that read it, not the list")
        return
    organisations = files.rows(ORGANISATIONS)
    if form_key(name) in {
        form_key(str(f)) for row in organisations for f in [row["name"], *_list(row, "aliases")]
    }:
        return
    row = {"name": name, "aliases": [], "country": None, "kind": "other", "state_body": False}
    files.append(ORGANISATIONS, json.dumps(row, ensure_ascii=False))


def _veto_weapon_phrase(files: ModelFiles, norm: str) -> None:
    heads = {line.split("\t", 1)[0] for line in files.lines[HEADS] if not line.startswith("#")}
    if norm.lower() in heads:
        files.note(f"WEAPON {norm!r} is a listed head in {HEADS}: judge its row by hand")
        return
    files.append(HEADS, f"{norm.lower()}\t-\tno")


def _alias(files: ModelFiles, label: str, alias: str, norm: str) -> None:
    """`alias` made a name of the entity whose norm is `norm`."""
    if label == "PERSON":
        _person_alias(files, alias, norm)
    elif label == "COUNTRY":
        _country_alias(files, alias, norm)
    elif label == "WEAPON":
        _json_alias(files, SYSTEMS, alias, norm, ("id", "name", "designation"))


def _person_alias(files: ModelFiles, alias: str, name: str) -> None:
    if not _json_alias(files, PEOPLE, alias, name, ("name",), quiet=True):
        aliases = [alias] if form_key(alias) != form_key(name) else []
        row = {"name": name, "aliases": aliases, "country": None, "roles": [], "surname_alone": False}
        files.append(PEOPLE, json.dumps(row, ensure_ascii=False))


def _json_alias(
    files: ModelFiles, name: str, alias: str, norm: str, keys: tuple[str, ...], quiet: bool = False
) -> bool:
    """Add `alias` to the row of `name` that `norm` names by one of `keys`; False when none does."""
    lines = files.lines[name]
    for i, line in enumerate(lines):
        row = json.loads(line) if line.strip() else {}
        if any(str(row.get(key, "")).casefold() == norm.casefold() for key in keys):
            forms = [str(row.get("name", "")), *_list(row, "aliases")]
            if form_key(alias) not in {form_key(f) for f in forms}:
                row["aliases"] = [*_list(row, "aliases"), alias]
                lines[i] = json.dumps(row, ensure_ascii=False) + "\n"
            return True
    if not quiet:
        files.note(f"{alias!r} should name {norm!r}, which {name} does not list: add it by hand")
    return False


def _country_alias(files: ModelFiles, text: str, code: str) -> None:
    if not country_code(code):
        files.note(f"COUNTRY {text!r} -> {code!r}: not an ISO 3166-1 alpha-3 code")
        return
    for name in (COUNTRY_NAMES, DEMONYMS):
        lines = files.lines[name]
        rows = [
            i for i, line in enumerate(lines) if not line.startswith("#") and line.split("\t")[1:2] == [text]
        ]
        if len(rows) > 1:
            files.note(f"COUNTRY {text!r} has several rows in {name} (ambiguous): give it {code} by hand")
        if len(rows) == 1:
            cells = lines[rows[0]].split("\t")
            lines[rows[0]] = "\t".join([code, *cells[1:]])
        if rows:
            return
    lines = files.lines[COUNTRY_NAMES]
    at = max((i for i, line in enumerate(lines) if line.split("\t", 1)[0] <= code), default=len(lines) - 1)
    lines.insert(at + 1, f"{code}\t{text}\talias\n")


def _list(row: dict[str, object], key: str) -> list[str]:
    value = row.get(key)
    return [str(v) for v in value] if isinstance(value, list) else []
