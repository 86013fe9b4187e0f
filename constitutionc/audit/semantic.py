"""Near-duplicates and probe contamination by meaning (the `embeddings` extra): what shared words miss.

A paraphrase of a probe shares no 8-word run with it, and two prompts that ask the same thing in
other words have a low 5-gram Jaccard; an embedding model sees both. The texts are the audit's
hash-chosen samples (the first `SEMANTIC_SAMPLE` of each, by key), so the cost is bounded however
large the build; the probes' user turns are the references.
"""

from __future__ import annotations

import numpy as np

from .measures import EXAMPLES, Partial, _excerpt, _share

SEMANTIC_SAMPLE = 1000  # distinct prompts, and distinct answers, embedded (each a hash-chosen sample)


def semantic_figures(partial: Partial, probe_prompts: list[tuple[str, str]], encoder, similarity: float) -> dict:
    prompts = [text for text, _, _ in partial.prompts.items()[:SEMANTIC_SAMPLE]]
    answers = [text for text, _, _ in partial.answers.items()[:SEMANTIC_SAMPLE]]
    from ..textmeasures.embed import near_duplicates, nearest

    prompt_vectors = encoder.encode(prompts)
    duplicates = int(near_duplicates(prompt_vectors, similarity).sum())
    training = prompts + answers
    vectors = np.concatenate((prompt_vectors, encoder.encode(answers))) if answers else prompt_vectors
    references = encoder.encode([text for _, text in probe_prompts])
    best, which = nearest(vectors, references)
    close = [(float(best[i]), i) for i in range(len(training)) if best[i] >= similarity]
    close.sort(key=lambda c: (-c[0], c[1]))
    worst = [{"text": _excerpt(training[i]), "kind": "prompt" if i < len(prompts) else "answer",
              "probe": probe_prompts[int(which[i])][0], "similarity": round(score, 4)} for score, i in close[:EXAMPLES]]
    return {"model": encoder.name, "similarity": similarity, "prompt_sample": len(prompts),
            "near_duplicate_share": _share(duplicates, len(prompts)), "training_sample": len(training),
            "probe_texts": len(probe_prompts), "contaminated_texts": len(close),
            "contaminated_share": _share(len(close), len(training)) if probe_prompts else None, "worst": worst}
