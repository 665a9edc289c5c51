"""Masking the raw row of a reject for a view that must not show personal data.

A reject's raw row is the source row as read, keyed by the file's own headers, so which keys
hold a reporter's name or phone depends on the file. A key is personal when it is the
canonical field name, one of the built-in aliases (etl/aliases.py), or a header the load's
config mapped to reporter_name / reporter_phone. On top of that, any value anywhere in the
row that holds a mainland mobile number (1[3-9] and 9 more digits, not part of a longer
number) or a landline with its area code is masked as a phone, and any resident ID number
keeps only its first 3 and last 4, however they are written (spaces, dashes, full-width
digits: store.privacy): a phone or an ID under an unexpected header must not slip through.
"""
from __future__ import annotations

import functools
import json
import os
import re

from etl.aliases import FIELDS, norm
from store.privacy import PHONE_IN_TEXT, mask_ids, mask_landlines, mask_name, mask_phone

PERSONAL = ("reporter_name", "reporter_phone")
_MOBILE = re.compile(f"(?<![0-9０-９]){PHONE_IN_TEXT}(?![0-9０-９])")


def personal_headers(extra: dict[str, set[str]] | None = None) -> dict[str, str]:
    """Normalised header -> "name" | "phone"."""
    out: dict[str, str] = {}
    for fld in PERSONAL:
        what = "name" if fld == "reporter_name" else "phone"
        for h in (fld, *FIELDS["events"][fld], *((extra or {}).get(fld, ()))):
            out[norm(h)] = what
    return out


def config_headers(config_path: str | None) -> dict[str, set[str]]:
    """Headers a load config mapped to the reporter fields ({} when it cannot be read)."""
    if not config_path:
        return {}
    try:
        mtime = os.stat(config_path).st_mtime_ns
    except OSError:
        return {}
    return _config_headers(config_path, mtime)


@functools.lru_cache(maxsize=512)
def _config_headers(config_path: str, _mtime: int) -> dict[str, frozenset[str]]:
    from etl.config import parse_config
    from etl.errors import LoadError

    try:
        cfg = parse_config(config_path)
    except (LoadError, OSError):
        return {}
    out: dict[str, set[str]] = {}
    for src in cfg.sources:
        for fld in PERSONAL:
            if fld in src.columns:
                out.setdefault(fld, set()).add(src.columns[fld])
    return {k: frozenset(v) for k, v in out.items()}


def mask_raw(raw: str | None, headers: dict[str, str]) -> str | None:
    """The raw JSON row with personal values masked (``138****5678``, ``张*``)."""
    if not raw:
        return raw
    try:
        row = json.loads(raw)
    except ValueError:
        return _mask_text(raw)
    if not isinstance(row, dict):
        return _mask_text(raw)
    out = {}
    for key, value in row.items():
        what = headers.get(norm(key))
        text = "" if value is None else str(value)
        if what == "name" and text:
            out[key] = mask_name(text)
        elif what == "phone" and text:
            out[key] = mask_phone(text)
        else:
            out[key] = _mask_text(text) if isinstance(value, str) else value
    return json.dumps(out, ensure_ascii=False)


def _mask_text(text: str) -> str:
    return _MOBILE.sub(r"\1****\2", mask_landlines(mask_ids(text)))
