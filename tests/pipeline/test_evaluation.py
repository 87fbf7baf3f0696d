from __future__ import annotations

from pipeline.evaluation import country_names_only, markdown_table


def _entity(label: str, kind: str | None, start: int) -> dict:
    return {"start": start, "end": start + 4, "label": label, "text": "x", "norm": "X", "kind": kind}


def test_names_only_view_drops_demonyms_and_capitals_but_nothing_else() -> None:
    doc = {
        "id": "d",
        "entities": [
            _entity("COUNTRY", "name", 0),
            _entity("COUNTRY", "adjective", 10),
            _entity("COUNTRY", "plural", 20),
            _entity("COUNTRY", "capital", 30),
            _entity("COUNTRY", "compound", 40),
            _entity("COUNTRY", "abbreviation", 50),
            _entity("PERSON", None, 60),
            _entity("WEAPON", "class", 70),
        ],
    }
    kept = country_names_only({"d": doc})["d"]["entities"]
    assert [e["start"] for e in kept] == [0, 40, 50, 60, 70]
    assert len(doc["entities"]) == 8  # the full predictions are left as they were


def test_table_without_micro_row() -> None:
    result = {
        "views": {
            v: {"COUNTRY": {"f1": 0.5, "p": 0.5, "r": 0.5, "tp": 1, "pred": 2, "gold": 2}}
            for v in ("exact", "overlap", "doc")
        }
    }
    table = markdown_table("t", ("COUNTRY",), result, result, micro=False)
    assert "| micro |" not in table and table.count("| COUNTRY |") == 3
