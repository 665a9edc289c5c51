"""Masking of personal data (reporter name and phone) for officers' views.

The wall never shows a reporter; an officer's event card shows them masked: ``138****5678``,
``张*``. Each rule exists twice, in Python (single values, detail cards) and as a DuckDB SQL
expression (tables and CSV exports of many rows, no per-row Python); the tests hold the twins
to the same output on many values, so a CSV can never show more than a card.

Rules (spaces around the value are dropped first; None stays None):

* phone: a *phone-like* value (only digits, spaces and ``+-()``, with at least 11 digits)
  becomes its first 3 digits + ``****`` + its last 4 digits. Anything else (a short landline,
  free text) keeps only its first and last character, ``*`` for each one between; a value of
  one or two characters becomes all ``*``.
* name: the first character, then one ``*`` per remaining character (欧阳娜娜 → 欧***).
* free text (address, description): every resident ID number written in it (18 characters:
  a region, a birth date 19xx/20xx, a sequence, a check digit or ``X``) keeps its first 3 and
  last 4 (``330***********123X``: the
  birth date and sequence go), then every mainland mobile number (``1[3-9]`` and nine more
  digits) becomes ``139****5678``. Grid workers write "当事人电话13912345678，身份证…" into
  descriptions; a masked reporter column means little if the description beside it carries
  the number. IDs go first: an ID holds digit runs that read as a mobile number, and the
  phone rule alone left its birth date showing. Longer digit runs (bank cards, order numbers)
  lose their middle too: more masked than needed, never less. (Names in free text cannot be
  found by a rule.)
"""
from __future__ import annotations

import re

_PHONE_CHARS = re.compile(r"[0-9 +()\-]*")
_NON_DIGIT = re.compile(r"[^0-9]")
MIN_PHONE_DIGITS = 11
# a mobile number inside text; [0-9], not \d (which in Python matches other scripts' digits)
PHONE_IN_TEXT = "(1[3-9][0-9])[0-9]{4}([0-9]{4})"
# region (6 digits), birth date 19xx/20xx, sequence (3) and check digit or X: the date's shape
# keeps 18-digit grid codes and order numbers out (no lookaround in RE2, DuckDB's and ClickHouse's)
ID_IN_TEXT = ("([1-9][0-9]{2})[0-9]{3}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
              "([0-9]{3}[0-9Xx])")
_PHONE_IN_TEXT = re.compile(PHONE_IN_TEXT)
_ID_IN_TEXT = re.compile(ID_IN_TEXT)


def mask_phone(s: str | None) -> str | None:
    if s is None:
        return None
    t = str(s).strip(" ")
    digits = _NON_DIGIT.sub("", t)
    if _PHONE_CHARS.fullmatch(t) and len(digits) >= MIN_PHONE_DIGITS:
        return digits[:3] + "****" + digits[-4:]
    if len(t) <= 2:
        return "*" * len(t)
    return t[0] + "*" * (len(t) - 2) + t[-1]


def mask_name(s: str | None) -> str | None:
    if s is None:
        return None
    t = str(s).strip(" ")
    return t[:1] + "*" * max(len(t) - 1, 0)


def mask_phone_sql(col: str) -> str:
    """DuckDB expression equal to :func:`mask_phone` applied to the SQL expression ``col``."""
    t = f"trim(CAST({col} AS VARCHAR), ' ')"
    digits = f"regexp_replace({t}, '[^0-9]', '', 'g')"
    return (
        f"CASE WHEN {col} IS NULL THEN NULL"
        f" WHEN regexp_full_match({t}, '[0-9 +()\\-]*') AND length({digits}) >= {MIN_PHONE_DIGITS}"
        f" THEN left({digits}, 3) || '****' || right({digits}, 4)"
        f" WHEN length({t}) <= 2 THEN repeat('*', length({t}))"
        f" ELSE left({t}, 1) || repeat('*', length({t}) - 2) || right({t}, 1) END"
    )


def mask_name_sql(col: str) -> str:
    """DuckDB expression equal to :func:`mask_name` applied to the SQL expression ``col``."""
    t = f"trim(CAST({col} AS VARCHAR), ' ')"
    return (f"CASE WHEN {col} IS NULL THEN NULL"
            f" ELSE left({t}, 1) || repeat('*', greatest(length({t}) - 1, 0)) END")


def mask_ids(s: str) -> str:
    """Every resident ID number in ``s`` keeps its first 3 and last 4: '330***********123X'."""
    return _ID_IN_TEXT.sub(r"\1***********\2", s)


def mask_text(s: str | None) -> str | None:
    """Every ID and mobile number in free text masked: '电话13912345678' → '电话139****5678'."""
    return None if s is None else _PHONE_IN_TEXT.sub(r"\1****\2", mask_ids(str(s)))


def mask_text_sql(col: str) -> str:
    """DuckDB expression equal to :func:`mask_text` of the SQL expression ``col``."""
    ids = f"regexp_replace(CAST({col} AS VARCHAR), '{ID_IN_TEXT}', '\\1***********\\2', 'g')"
    return f"regexp_replace({ids}, '{PHONE_IN_TEXT}', '\\1****\\2', 'g')"
