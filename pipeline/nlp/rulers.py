"""The span ruler our gazetteers of phrases use: spaCy's, made quick to load."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from spacy.language import Language
from spacy.pipeline.span_ruler import SpanRuler
from spacy.tokens import Span

# The token attributes a phrase's tokens alone decide.
TOKEN_ATTRS = frozenset({"ORTH", "LOWER"})


class PhraseRuler(SpanRuler):
    """spaCy's span ruler, its phrase patterns made by the tokenizer alone.

    spaCy's own ruler runs each phrase through every component before it (tok2vec, tagger, parser,
    and the NER for the rulers placed after it): for our ~18,000 gazetteer phrases that was ~8 s at
    every load of the pipeline. A phrase matched on its words (ORTH) or their lower case (LOWER)
    needs only its tokens, and matches exactly the same.
    """

    def add_patterns(self, patterns: list[dict[str, Any]]) -> None:
        with self.nlp.select_pipes(disable=self.nlp.pipe_names):
            super().add_patterns(patterns)


@Language.factory(
    "newsint_phrase_ruler",
    default_config={
        "spans_key": "ruler",
        "spans_filter": None,
        "annotate_ents": False,
        "ents_filter": {"@misc": "spacy.first_longest_spans_filter.v1"},
        "phrase_matcher_attr": "ORTH",
        "matcher_fuzzy_compare": {"@misc": "spacy.levenshtein_compare.v1"},
        "validate": False,
        "overwrite": True,
        "scorer": {"@scorers": "spacy.overlapping_labeled_spans_scorer.v1", "spans_key": "ruler"},
    },
    assigns=["doc.spans"],
)
def make_phrase_ruler(
    nlp: Language,
    name: str,
    spans_key: str | None,
    spans_filter: Callable[[Iterable[Span], Iterable[Span]], Iterable[Span]] | None,
    annotate_ents: bool,
    ents_filter: Callable[[Iterable[Span], Iterable[Span]], Iterable[Span]],
    phrase_matcher_attr: str,
    matcher_fuzzy_compare: Callable[..., Any],
    validate: bool,
    overwrite: bool,
    scorer: Callable[..., Any] | None,
) -> PhraseRuler:
    if phrase_matcher_attr not in TOKEN_ATTRS:
        raise ValueError(
            f"{name}: newsint_phrase_ruler matches on {sorted(TOKEN_ATTRS)}, not {phrase_matcher_attr}"
        )
    return PhraseRuler(
        nlp,
        name,
        spans_key=spans_key,
        spans_filter=spans_filter,
        annotate_ents=annotate_ents,
        ents_filter=ents_filter,
        phrase_matcher_attr=phrase_matcher_attr,
        matcher_fuzzy_compare=matcher_fuzzy_compare,
        validate=validate,
        overwrite=overwrite,
        scorer=scorer,
    )
