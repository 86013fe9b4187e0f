"""Text measures shared by `generate`'s record checks (`prompts.quality`) and `audit`: one definition each.

- `tokens`: words, word n-grams, shingles, Jaccard, distinct-n.
- `overlap`: `OverlapIndex`, runs of words shared with indexed texts (probe contamination, pasted
  constitution text).
- `near`: near-duplicates by word 5-gram Jaccard (exact inverted index; MinHash LSH for many texts).
- `voice`: stage directions and third-person talk about the assistant or the user.
- `placeholder`: an author's unfilled TODO, TBD, `[insert ...]` or lorem ipsum.
- `embed`: similarity of meaning with the packaged embedding model (the `embeddings` extra).
- `sources`: the constitution's and a probe's texts, the references the measures compare against.
- `hashed`, `joined`: many texts at once, as arrays of word hashes or as one string searched once.

Pure functions of strings; standard library only, except numpy for the figures over many texts (`hashed`).
"""

from .near import Duplicate, NearDuplicateIndex, near_duplicate_count
from .overlap import Overlap, OverlapIndex
from .placeholder import placeholder
from .sources import constitution_texts, probe_texts
from .tokens import distinct_n, jaccard, ngrams, shingles, words
from .voice import is_stage_direction, talks_about_user, third_person_assistant

__all__ = ["Duplicate", "NearDuplicateIndex", "Overlap", "OverlapIndex", "constitution_texts", "distinct_n",
           "is_stage_direction", "jaccard", "near_duplicate_count", "ngrams", "placeholder", "probe_texts", "shingles",
           "talks_about_user", "third_person_assistant", "words"]
