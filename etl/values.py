"""Map source values onto canonical ones: the mapping file first, then the built-in vocabulary.

Works on the distinct values only (factorize), so a million rows cost a few hundred lookups.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.aliases import VOCAB, norm


def factorize_text(text: pd.Series) -> tuple[np.ndarray, list[str]]:
    """(codes, distinct values) of a text column; nulls count as ''. Uses Arrow when the
    column is Arrow-backed (no per-row Python objects)."""
    try:
        arr = pa.array(text.array) if isinstance(text.dtype, pd.StringDtype) else None
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        arr = None
    if arr is None:
        codes, uniques = pd.factorize(text.fillna("").astype(object), sort=False)
        return codes, [str(u) for u in uniques]
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    enc = pc.dictionary_encode(pc.fill_null(arr, ""))
    return enc.indices.to_numpy(zero_copy_only=False), enc.dictionary.to_pylist()


def map_values(text: pd.Series, config_map: dict[str, list[str]] | None = None,
               vocab: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return (values, unknown mask) as an object array with None for empty cells.

    With ``vocab`` (a key of aliases.VOCAB) values outside the vocabulary become None and
    are flagged unknown; without one they are kept as given (trimmed).
    """
    table: dict[str, str] = {}
    if config_map:
        for canon, sources in config_map.items():
            table[norm(canon)] = canon
            for s in sources:
                table[norm(s)] = canon
    builtin = VOCAB.get(vocab, {}) if vocab else {}
    codes, uniques = factorize_text(text)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    unknown = np.zeros(len(uniques) + 1, dtype=bool)
    for i, u in enumerate(uniques):
        u = str(u).strip()
        key = norm(u)
        if u == "":
            mapped[i] = None
        elif key in table:
            # a mapped value goes through the vocabulary too ("已办结" = ["Closed"])
            mapped[i] = builtin.get(norm(table[key]), table[key]) if vocab else table[key]
        elif key in builtin:
            mapped[i] = builtin[key]
        elif vocab:
            mapped[i] = None
            unknown[i] = True
        else:
            mapped[i] = u
    mapped[-1] = None  # factorize gives -1 for NA
    return mapped[codes], unknown[codes]


def top_counts(values: np.ndarray, mask: np.ndarray, limit: int = 20) -> dict[str, int]:
    """The most frequent values where ``mask`` is set, for the run report."""
    if not mask.any():
        return {}
    vc = pd.Series(values[mask]).value_counts().head(limit)
    return {str(k): int(v) for k, v in vc.items()}
