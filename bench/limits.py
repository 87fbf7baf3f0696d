"""What the libraries alone do with every core, and what each NLP component costs one core.

The bare limit runs trafilatura over the pages in a pool of one process per core, and newsint's
spaCy pipeline with `n_process` = cores: each stage timed apart, then both together (the pool's
texts streamed into `nlp.pipe` as they come). The component costs are CPU seconds in one
process (`time.process_time`), so other load on the machine changes them less than wall time.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Iterable, Iterator
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from pipeline.nlp.build import load_pipeline


def extract_text(html: bytes) -> str:
    """The article text trafilatura finds, with metadata as newsint asks for it; "" if none."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    return doc.text if doc is not None and doc.text else ""


def word_count(texts: Iterable[str]) -> int:
    return sum(len(text.split()) for text in texts)


def bare_limit(
    pages: dict[str, bytes], model: str, models: Path, batch_size: int, cores: int
) -> dict[str, Any]:
    """Extraction in a pool of `cores` processes and NLP with `n_process=cores`, apart and together."""
    html = list(pages.values())
    nlp, _ = load_pipeline(model, models)
    # fork: the pool and spaCy's workers start from this process, the pipeline already loaded.
    context = get_context("fork")
    started = time.perf_counter()
    with context.Pool(cores) as pool:
        texts = pool.map(extract_text, html, chunksize=4)
    extract_s = time.perf_counter() - started
    started = time.perf_counter()
    _drain(nlp, texts, batch_size, cores, len(texts))
    nlp_s = time.perf_counter() - started
    started = time.perf_counter()
    with context.Pool(cores) as pool:
        _drain(nlp, pool.imap(extract_text, html, chunksize=4), batch_size, cores, len(html))
    together_s = time.perf_counter() - started
    count, words = len(html), word_count(texts)
    return {
        "pages": count,
        "words": words,
        "cores": cores,
        "extract_s": extract_s,
        "nlp_s": nlp_s,
        "together_s": together_s,
        "pages_per_s_extract": count / extract_s,
        "words_per_s_nlp": words / nlp_s,
        # The limit is the better of the two ways to run the stages: one after the other, or
        # overlapped; end to end is judged against it.
        "articles_per_s": count / min(together_s, extract_s + nlp_s),
    }


def worker_batch(count: int, processes: int, largest: int) -> int:
    """Texts per minibatch for `nlp.pipe` over `count` texts in `processes` processes.

    spaCy deals whole minibatches out to its worker processes in turn, so a call whose texts fit
    in one minibatch leaves every worker but one idle. Four minibatches per process keep the
    workers evenly busy, so the bare limit is the best `n_process` can do; one process takes
    minibatches of `largest`.
    """
    if processes <= 1:
        return largest
    return max(1, min(largest, -(-count // (processes * 4))))


def _drain(nlp: Any, texts: Iterable[str], batch_size: int, processes: int, count: int) -> None:
    """Parse `count` texts with spaCy's own worker processes, minibatches spread over them all."""
    batch = worker_batch(count, processes, batch_size)
    with nlp.memory_zone():
        for _ in nlp.pipe(texts, batch_size=batch, n_process=processes):
            pass


def component_costs(pages: dict[str, bytes], settings: Any) -> dict[str, Any]:
    """CPU seconds of each pipeline component over the pages' texts in this one process, then
    of newsint's conversion of the Docs (mentions, events, the tables the writer loads), and the
    cost of shipping texts and tables between processes (pickling both ways), per article."""
    from pipeline.entities import Extractor, doc_mentions
    from pipeline.event_table import event_table
    from pipeline.events import doc_events
    from pipeline.mention_table import mention_table

    started = time.process_time()
    texts = [extract_text(html) for html in pages.values()]
    extract_cpu_s = time.process_time() - started
    extractor = Extractor.from_settings(settings)
    nlp = extractor.nlp
    costs: dict[str, float] = {}
    with nlp.memory_zone():
        docs = _timed(costs, "tokenizer", lambda: [nlp.make_doc(text) for text in texts])
        for name, component in nlp.pipeline:
            docs = _timed(costs, name, lambda c=component, d=docs: list(_piped(c, d, settings.batch_size)))
        ids = [str(n) for n in range(len(docs))]
        pairs = list(zip(ids, docs, strict=True))
        known, rules = extractor.known, extractor.rules
        mentions = _timed(costs, "newsint: mentions", lambda: [doc_mentions(i, d, known) for i, d in pairs])
        found = list(zip(pairs, mentions, strict=True))
        events = _timed(
            costs, "newsint: events", lambda: [e for (i, d), m in found for e in doc_events(i, d, m, rules)]
        )
    tables = _timed(
        costs,
        "newsint: tables",
        lambda: (
            mention_table((m for found in mentions for m in found), dict(zip(ids, texts, strict=True))),
            event_table(events),
        ),
    )
    words = word_count(texts)
    cpu = sum(costs.values())
    return {
        "pages": len(texts),
        "words": words,
        "mentions": sum(len(found) for found in mentions),
        "components": list(nlp.pipe_names),
        "extract_cpu_s": extract_cpu_s,
        "cpu_s": list(costs.items()),  # in pipeline order
        "cpu_total_s": cpu,
        "words_per_cpu_s": words / cpu,
        "ship_ms_per_article": 1000 * _shipping_seconds(texts, tables) / len(texts),
        "ship_bytes_per_article": len(pickle.dumps((texts, tables), protocol=5)) / len(texts),
    }


def _piped(component: Any, docs: list[Any], batch_size: int) -> Iterator[Any]:
    if hasattr(component, "pipe"):
        return component.pipe(docs, batch_size=batch_size)
    return (component(doc) for doc in docs)


def _timed(costs: dict[str, float], name: str, work: Any) -> Any:
    started = time.process_time()
    result = work()
    costs[name] = time.process_time() - started
    return result


def _shipping_seconds(texts: list[str], tables: Any) -> float:
    """Pickling and unpickling the texts out and the tables back: what a worker process adds."""
    started = time.process_time()
    pickle.loads(pickle.dumps(texts, protocol=5))
    pickle.loads(pickle.dumps(tables, protocol=5))
    return time.process_time() - started
