"""The name an event gives its weapon: the fullest the text gives for that system."""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc

from pipeline.records import Mention

# Determiners that make a shortened name refer back to a system named in full.
DEFINITE = frozenset({"the", "these", "those"})


def full_names(doc: Doc, weapons: list[Mention]) -> list[Mention]:
    """The fullest name the text gives each system: its designation where the text writes it,
    and for a definite shortened name ("the F-16s" after "F-16 Block 70 jets") the system named
    in full before it."""
    written = {
        m.attrs.get("weapon_id"): m.attrs["designation"]
        for m in weapons
        if m.attrs.get("designation") and str(m.attrs["designation"]).lower() in m.text.lower()
    }
    named: list[str] = []
    found = []
    for m in weapons:
        # "Eurofighter Typhoon jets ... 72 Typhoons": where the text gives a system's full
        # designation, each of its mentions takes it, as the fullest name the text gives.
        if m.attrs.get("weapon_id") in written:
            m = replace(m, norm=written[m.attrs["weapon_id"]])
        norm = m.norm or ""
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        definite = span is not None and span.start > 0 and doc[span.start - 1].lower_ in DEFINITE
        fuller = [n for n in named if n.lower().startswith(norm.lower() + " ")] if m.kind != "generic" else []
        found.append(replace(m, norm=fuller[-1]) if definite and norm and fuller else m)
        if m.kind != "generic" and norm:
            named.append(norm)
    return found
