"""Masking of personal data (reporter name and phone) for officers' views.

The wall never shows a reporter; an officer's event card shows them masked: ``138****5678``,
``张*``. Each rule exists twice, in Python (single values, detail cards) and as a DuckDB SQL
expression (tables and CSV exports of many rows, no per-row Python); the tests hold the twins
to the same output on many values, so a CSV can never show more than a card.

Rules (spaces around the value are dropped first; None stays None):

* phone: a *phone-like* value (only digits, spaces and ``+-()``, with at least 11 digits)
  becomes its first 3 digits + ``****`` + its last 4 digits, the first 3 after China's
  country code (``+86 139…``, ``0086-139…``: ``139****5678``, not ``861****5678``). Anything else (a short landline,
  free text) keeps only its first and last character, ``*`` for each one between; a value of
  one or two characters becomes all ``*``.
* name: the first character, then one ``*`` per remaining character (欧阳娜娜 → 欧***).
* free text (address, description): every resident ID number written in it (18 characters:
  a region, a birth date 19xx/20xx, a sequence, a check digit or ``X``) keeps its first 3 and
  last 4 (``330***********123X``: the birth date and sequence go), and so does a
  first-generation one (15 digits, born 1920-1999: ``330*********123``), then every landline with
  its area code (``0575-85123456``, ``(0575)8512 3456``: ``0`` + 2-3 digits, then 7-8 digits,
  not glued to a letter or digit before it, except the word naming it: ``TEL0575-…``; with
  the country code and no 0, ``+86 575 85123456``, ``0086-10-…``, the code and the area code
  stay: ``+86 575****3456``) and every mainland mobile number (``1[3-9]`` and
  nine more digits) keep their first 3 and last 4 digits (``057****3456``, ``139****5678``,
  as the reporter's phone column). People write numbers as they like: ASCII or full-width
  digits (``１３９…``, ``Ｘ``), and up to three spaces or dashes (``-－—–‐``, the
  full-width space) between any two of them (``+86 139 1234 5678``, ``139-1234-5678``, ``330682 19900101 123X``)
  are all found. Grid workers write "当事人电话13912345678，身份证…" into descriptions; a
  masked reporter column means little if the description beside it carries the number. IDs
  go first: an ID holds digit runs that read as a phone number. Longer digit runs (bank
  cards, order numbers) lose their middle too: more masked than needed, never less. An
  8-digit local number without its area code stays (it cannot be told from an amount or a
  count), and so do names in free text (no rule can find them).
"""
from __future__ import annotations

import re

_PHONE_CHARS = re.compile(r"[0-9 +()\-]*")
_NON_DIGIT = re.compile(r"[^0-9]")
_SPACING = re.compile(r"[ ()\-]")
_CC_MOBILE = re.compile(r"861[3-9][0-9]{9}")
MIN_PHONE_DIGITS = 11
# Numbers inside text. No lookaround and no \d (RE2, DuckDB's and ClickHouse's, has no
# lookaround; Python's \d matches other scripts' digits): explicit classes, ASCII and full-width.
_D = "[0-9０-９]"
_NZ = "[1-9１-９]"
_SEP = "[ 　－—–‐-]{0,3}"     # spaces and dashes people put between digits ('-' last: literal)


def _digits(n: int) -> str:
    """``n`` more digits, each after an optional separator."""
    return f"(?:{_SEP}{_D}){{{n}}}"


PHONE_IN_TEXT = f"([1１]{_SEP}[3-9３-９]{_SEP}{_D}){_digits(4)}{_SEP}({_D}{_digits(3)})"
# region (6), birth date 19xx/20xx, sequence (3) and check digit or X: the date's shape keeps
# 18-digit grid codes and order numbers out
ID_IN_TEXT = (f"({_NZ}{_SEP}{_D}{_SEP}{_D}){_digits(3)}{_SEP}(?:[1１]{_SEP}[9９]|[2２]{_SEP}[0０])"
              f"{_digits(2)}{_SEP}(?:[0０]{_SEP}{_NZ}|[1１]{_SEP}[0-2０-２])"
              f"{_SEP}(?:[0０]{_SEP}{_NZ}|[12１２]{_SEP}{_D}|[3３]{_SEP}[01０１])"
              f"{_SEP}({_D}{_digits(2)}{_SEP}[0-9０-９XxＸｘ])")
# area code 0 + 2-3 digits (a ')' may close it), then 7-8 digits starting 2-8; the character
# before it (kept, group 1) is no letter or digit, so a case number 'SZ2025083100…' stays
# ... or glued to a word that names it (TEL0575-…, Fax0575…: a case number has no such word)
_LABEL = "[Tt][Ee][Ll]|[Ff][Aa][Xx]|[Pp][Hh][Oo][Nn][Ee]|ＴＥＬ|Ｔｅｌ"
LANDLINE_IN_TEXT = (f"(^|[^0-9０-９A-Za-zＡ-Ｚａ-ｚ]|{_LABEL})([0０]{_SEP}{_NZ}{_SEP}{_D})"
                    f"(?:{_SEP}{_D})?[)）]?{_SEP}[2-8２-８]{_digits(2)}(?:{_SEP}{_D})?{_SEP}"
                    f"({_D}{_digits(3)})")
# the same written with China's country code and no trunk 0 ('+86 575 85123456', '0086-575-…',
# '(+86)575…'): the code and the area code (10, 2x: 2 digits; 3xx-9xx: 3) stay, as a mobile's
# '+86 139' does; an area code starting 1 is only 10, so no mobile ('+86 138…') passes for one
_CC = "(?:[+＋]|[0０]" + _SEP + "[0０])" + _SEP + "[8８]" + _SEP + "[6６]"
CC_LANDLINE_IN_TEXT = (f"(^|[^0-9０-９A-Za-zＡ-Ｚａ-ｚ]|{_LABEL})({_CC}[)）]?{_SEP}[(（]?"
                       f"(?:[1１]{_SEP}[0０]|[2２]{_SEP}{_D}|[3-9３-９]{_SEP}{_D}{_SEP}{_D}))"
                       f"[)）]?{_SEP}[2-8２-８]{_digits(2)}(?:{_SEP}{_D})?{_SEP}"
                       f"({_D}{_digits(3)})")
# a first-generation (15-digit) ID: region (6), birth date YYMMDD, sequence (3), written
# whole or with spaces only (grid codes are written with dashes), neither glued to a letter
# or digit on either side: a case number 'SZ2025…' or an 18-digit code holds no such run.
# YY from 20: a grid code's township part (street 0xx, town 1xx) cannot pass for a birth year.
_SP = "[ 　]{0,3}"
_NOT_WORD = "[^0-9０-９A-Za-zＡ-Ｚａ-ｚ_－-]"
OLD_ID_IN_TEXT = (f"(^|{_NOT_WORD})({_NZ}{_SP}{_D}{_SP}{_D})(?:{_SP}{_D}){{3}}"
                  f"{_SP}[2-9２-９]{_SP}{_D}{_SP}(?:[0０]{_SP}{_NZ}|[1１]{_SP}[0-2０-２])"
                  f"{_SP}(?:[0０]{_SP}{_NZ}|[12１２]{_SP}{_D}|[3３]{_SP}[01０１])"
                  f"{_SP}({_D}{_SP}{_D}{_SP}{_D})($|{_NOT_WORD})")
# every pattern above needs 7 digits in a row (separators allowed): texts without skip the rest
_ANY_NUMBER = f"{_D}{_digits(6)}"
_LANDLINE_IN_TEXT = re.compile(LANDLINE_IN_TEXT)
_CC_LANDLINE_IN_TEXT = re.compile(CC_LANDLINE_IN_TEXT)
_PHONE_IN_TEXT = re.compile(PHONE_IN_TEXT)
_ID_IN_TEXT = re.compile(ID_IN_TEXT)
_OLD_ID_IN_TEXT = re.compile(OLD_ID_IN_TEXT)
_OLD_ID_MASK = r"\1\2*********\3\4"


def _national(t: str, digits: str) -> str:
    """``digits`` without China's country code: '+86 139…', '0086-139…', '86139…' (13 digits)
    keep '139' in front, not '861' (whose last 4 would be the same, the first 3 a lie).
    Only when a whole national number (10 digits or more) is left."""
    lead = _SPACING.sub("", t)
    if lead.startswith("+86") and len(digits) >= 12:
        return digits[2:]
    if lead.startswith("0086") and len(digits) >= 14:
        return digits[4:]
    if _CC_MOBILE.fullmatch(digits):
        return digits[2:]
    return digits


def mask_phone(s: str | None) -> str | None:
    if s is None:
        return None
    t = str(s).strip(" ")
    digits = _NON_DIGIT.sub("", t)
    if _PHONE_CHARS.fullmatch(t) and len(digits) >= MIN_PHONE_DIGITS:
        digits = _national(t, digits)
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
    lead = f"regexp_replace({t}, '[ ()\\-]', '', 'g')"
    nat = (f"CASE WHEN left({lead}, 3) = '+86' AND length({digits}) >= 12"
           f" THEN right({digits}, length({digits}) - 2)"
           f" WHEN left({lead}, 4) = '0086' AND length({digits}) >= 14"
           f" THEN right({digits}, length({digits}) - 4)"
           f" WHEN regexp_full_match({digits}, '861[3-9][0-9]{{9}}')"
           f" THEN right({digits}, length({digits}) - 2) ELSE {digits} END")
    return (
        f"CASE WHEN {col} IS NULL THEN NULL"
        f" WHEN regexp_full_match({t}, '[0-9 +()\\-]*') AND length({digits}) >= {MIN_PHONE_DIGITS}"
        f" THEN left({nat}, 3) || '****' || right({digits}, 4)"
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
    s = _ID_IN_TEXT.sub(r"\1***********\2", s)
    # twice: a match takes the character after it, which may be the next one's boundary
    return _OLD_ID_IN_TEXT.sub(_OLD_ID_MASK, _OLD_ID_IN_TEXT.sub(_OLD_ID_MASK, s))


def mask_landlines(s: str) -> str:
    """Every landline with its area code in ``s``: '座机0575-85123456' → '座机057****3456',
    '+86 575 85123456' → '+86 575****3456'."""
    return _CC_LANDLINE_IN_TEXT.sub(r"\1\2****\3", _LANDLINE_IN_TEXT.sub(r"\1\2****\3", s))


def mask_text(s: str | None) -> str | None:
    """Every ID and phone number in free text masked: '电话139 1234 5678' → '电话139****5678'."""
    if s is None:
        return None
    return _PHONE_IN_TEXT.sub(r"\1****\2", mask_landlines(mask_ids(str(s))))


def mask_text_sql(col: str) -> str:
    """DuckDB expression equal to :func:`mask_text` of the SQL expression ``col``."""
    v = f"CAST({col} AS VARCHAR)"
    ids = f"regexp_replace({v}, '{ID_IN_TEXT}', '\\1***********\\2', 'g')"
    for _ in range(2):
        ids = f"regexp_replace({ids}, '{OLD_ID_IN_TEXT}', '{_OLD_ID_MASK}', 'g')"
    lines = f"regexp_replace({ids}, '{LANDLINE_IN_TEXT}', '\\1\\2****\\3', 'g')"
    lines = f"regexp_replace({lines}, '{CC_LANDLINE_IN_TEXT}', '\\1\\2****\\3', 'g')"
    phones = f"regexp_replace({lines}, '{PHONE_IN_TEXT}', '\\1****\\2', 'g')"
    # the three patterns cost 3x a plain copy: only texts holding 7 digits go through them
    return f"CASE WHEN regexp_matches({v}, '{_ANY_NUMBER}') THEN {phones} ELSE {v} END"
