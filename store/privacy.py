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
  cards, order numbers) lose their middle too: more masked than needed, never less.
* then, in the same texts (:func:`mask_text` with the row's reporter): the reporter's own
  phone (7 digits or more; as stored and as its digits) and name (2 characters or more)
  wherever written, masked as their columns are ('张三反映…' → '张*反映…'); a 7-8 digit local
  number after a phone word ('电话85123456' → '电话****3456'; without one it stays: it cannot
  be told from an amount or a count); the name after a role word ('来电人李四称' →
  '来电人李*称'). Another name in free text stays: no rule can tell it (docs/metrics.md).
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


# --- the reporter's own name and phone, local numbers and names in free text (#17, round 4) ---

# a local number without its area code (7-8 digits, first 2-9) after a word naming a phone:
# '电话85123456' → '电话****3456'; without that word it cannot be told from an amount or a count
_PHONE_WORD = ("(?:电话|手机|座机|联系方式|[Tt][Ee][Ll]|ＴＥＬ|Ｔｅｌ)(?:号码|号)?"
               "[:：]?[ 　]{0,3}[(（]?")
LOCAL_IN_TEXT = (f"({_PHONE_WORD})[2-9２-９]{_digits(2)}(?:{_SEP}{_D})?{_SEP}"
                 f"({_D}{_digits(3)})($|[^0-9０-９])")
# a name after a word naming the person ('联系人：王五，' → '联系人：王*，'): the first CJK
# character after the word and up to 3 more, the longest run followed by the text's end, a
# character that is not CJK or a word that ends a name (电话, 称, 反映, 的 ...). A name
# never starts with a word that often follows a role word (称, 反映, 要求, 双方 ...).
ROLE_WORDS = ("联系人", "来电人", "报警人", "举报人", "反映人", "投诉人", "求助人", "当事人",
              "报案人", "上报人", "姓名")
_HAN_LO, _HAN_HI = "\u4e00", "\u9fff"
# (and relatives: 当事人母亲, 当事人家属)
_NOT_FIRST = ("称说讲表要反投举报求来联电手已未不对因在的是为和与及并也都均现本一双之情同拒所等该其自"
              "家母父妻丈儿女姓身了进做协调签达沟劝教核上下中后前经由无有没多各员匿今昨")
# a word that ends a name: a word no name holds (电话, 反映, 性别, 男) ends the shortest
# name before them, anything else (the end, a character not CJK, 称, 的, 家 ...) the longest
_ENDS_NAME_WORD = ("电话|手机|座机|联系|反映|来电|投诉|举报|报警|求助|表示|要求|性别|年龄|拨打|家住|住址"
                   "|身份证|男|女")
_ENDS_NAME = (f"$|[^{_HAN_LO}-{_HAN_HI}]|称|说|等|的|家|住|在|于|与|和|及|向|到|因|对|将|被|已|现"
              "|今|昨|诉|性|男|女|年|系|是|为|拨|打|来|同")


def _han_except(chars: str) -> str:
    """A class of the CJK characters U+4E00-U+9FFF but ``chars`` (RE2 has no class
    subtraction: the range is cut around each one)."""
    out, lo = [], ord(_HAN_LO)
    for c in sorted({ord(ch) for ch in chars}):
        if c > lo:
            out.append(chr(lo) if c - 1 == lo else f"{chr(lo)}-{chr(c - 1)}")
        lo = c + 1
    out.append(f"{chr(lo)}-{_HAN_HI}")
    return "[" + "".join(out) + "]"


_HAN = f"[{_HAN_LO}-{_HAN_HI}]"
ROLE_IN_TEXT = "|".join(ROLE_WORDS)


def name_in_text(n: int, ends: str) -> str:
    """A name of ``n`` characters after a role word, then ``ends`` (groups: role and what
    follows it, the first character, the rest, the character or word after the name)."""
    return (f"((?:{ROLE_IN_TEXT})[:：]?[ 　]{{0,2}}(?:为|是)?[ 　]{{0,2}})"
            f"({_han_except(_NOT_FIRST)})({_HAN}{{{n - 1}}})({ends})")


# RE2's replacement cannot count the characters it masks: one pattern per length, the
# shortest first before a two-character word ('张三电话…'), else the longest first
NAMES_IN_TEXT = tuple((name_in_text(n, ends), "\\1\\2" + "*" * (n - 1) + "\\4")
                      for ends, lengths in ((_ENDS_NAME_WORD, (2, 3, 4)), (_ENDS_NAME, (4, 3, 2)))
                      for n in lengths)
_LOCAL_IN_TEXT = re.compile(LOCAL_IN_TEXT)
_NAMES_IN_TEXT = tuple((re.compile(p), r) for p, r in NAMES_IN_TEXT)
_ROLE = re.compile(ROLE_IN_TEXT)
_ASCII_DIGIT = re.compile(r"[0-9]")
MIN_OWN_PHONE_DIGITS = 7


def own_name(name: str | None) -> str:
    """The reporter's name as searched for in the texts: '' (nothing) when it is empty or
    one character (it would mask that character everywhere). A placeholder (匿名, 市民) is
    masked as the column masks it: '匿*'."""
    t = "" if name is None else str(name).strip(" ")
    return t if len(t) >= 2 else ""


def own_phone(phone: str | None) -> tuple[str, str]:
    """The reporter's phone as searched for in the texts, as stored and as its digits alone;
    ('', '') when it holds fewer than 7 digits (it would mask short numbers everywhere)."""
    t = "" if phone is None else str(phone).strip(" ")
    digits = "".join(_ASCII_DIGIT.findall(t))
    return (t, digits) if len(digits) >= MIN_OWN_PHONE_DIGITS else ("", "")


def mask_numbers(s: str) -> str:
    """IDs, landlines with their area code and mobiles in ``s`` (no reporter needed)."""
    return _PHONE_IN_TEXT.sub(r"\1****\2", mask_landlines(mask_ids(s)))


def mask_text(s: str | None, name: str | None = None, phone: str | None = None) -> str | None:
    """Personal data in free text masked: ID and phone numbers ('电话139 1234 5678' →
    '电话139****5678'), a local number after a phone word, a name after a role word and the
    reporter's own ``name`` and ``phone`` (their columns) wherever written: '张三反映' →
    '张*反映' for reporter 张三, masked as the columns are. The order is the SQL twin's."""
    if s is None:
        return None
    t = mask_numbers(str(s))
    p_val, p_digits = own_phone(phone)
    if p_val:    # as stored, then as its digits alone: both read as the phone column does
        t = t.replace(p_val, p_digits).replace(p_digits, mask_phone(phone))
    t = _LOCAL_IN_TEXT.sub(r"\1****\2\3", t)
    for pattern, repl in _NAMES_IN_TEXT:
        t = pattern.sub(repl, t)
    n = own_name(name)
    return t.replace(n, mask_name(name)) if n else t


def _own_name_sql(name: str) -> str:
    t = f"trim(CAST({name} AS VARCHAR), ' ')"
    return f"(CASE WHEN length({t}) >= 2 THEN {t} ELSE '' END)"


def _own_phone_sql(phone: str) -> tuple[str, str]:
    t = f"trim(CAST({phone} AS VARCHAR), ' ')"
    digits = f"regexp_replace({t}, '[^0-9]', '', 'g')"
    ok = f"length({digits}) >= {MIN_OWN_PHONE_DIGITS}"
    return (f"(CASE WHEN {ok} THEN {t} ELSE '' END)",
            f"(CASE WHEN {ok} THEN {digits} ELSE '' END)")


def reporter_sql(name: str, phone: str) -> dict[str, str]:
    """What :func:`mask_text_sql` needs of a row's reporter, as SQL on their columns ``name``
    and ``phone``: the values searched for in the texts ('' for none) and their masks.
    event_rows_cte computes them once a row, as columns, for both texts."""
    p_val, p_digits = _own_phone_sql(phone)
    return {"name": f"coalesce({_own_name_sql(name)}, '')",
            "masked_name": f"coalesce({mask_name_sql(name)}, '')",
            "phone": f"coalesce({p_val}, '')", "digits": f"coalesce({p_digits}, '')",
            "masked_phone": f"coalesce({mask_phone_sql(phone)}, '')"}


def mask_text_sql(col: str, name: str | None = None, phone: str | None = None, *,
                  own: dict[str, str] | None = None) -> str:
    """DuckDB expression equal to :func:`mask_text` of the SQL expressions ``col``, ``name``
    and ``phone`` (the reporter's columns; None: no reporter), or with ``own`` the
    :func:`reporter_sql` values given as SQL (columns computed before: a smaller expression,
    which DuckDB plans in a fraction of the time)."""
    if own is None and (name is not None or phone is not None):
        own = reporter_sql(name if name is not None else "NULL",
                           phone if phone is not None else "NULL")
    v = f"CAST({col} AS VARCHAR)"
    ids = f"regexp_replace({v}, '{ID_IN_TEXT}', '\\1***********\\2', 'g')"
    for _ in range(2):
        ids = f"regexp_replace({ids}, '{OLD_ID_IN_TEXT}', '{_OLD_ID_MASK}', 'g')"
    lines = f"regexp_replace({ids}, '{LANDLINE_IN_TEXT}', '\\1\\2****\\3', 'g')"
    lines = f"regexp_replace({lines}, '{CC_LANDLINE_IN_TEXT}', '\\1\\2****\\3', 'g')"
    nums = f"regexp_replace({lines}, '{PHONE_IN_TEXT}', '\\1****\\2', 'g')"
    worth = f"regexp_matches({v}, '{_ANY_NUMBER}|{ROLE_IN_TEXT}')"
    if own is not None:
        # replace() with an empty needle leaves the text as it is, on both engines
        nums = (f"replace(replace({nums}, {own['phone']}, {own['digits']}), {own['digits']},"
                f" {own['masked_phone']})")
        worth += f" OR ({own['phone']} <> '' AND strpos({v}, {own['phone']}) > 0)"
    out = f"regexp_replace({nums}, '{LOCAL_IN_TEXT}', '\\1****\\2\\3', 'g')"
    for pattern, repl in NAMES_IN_TEXT:
        out = f"regexp_replace({out}, '{pattern}', '{repl}', 'g')"
    # the patterns cost several times a plain copy: only a text holding 7 digits, a role
    # word or the reporter's phone goes through them (none of them changes any other text)
    out = f"(CASE WHEN {worth} THEN {out} ELSE {v} END)"
    if own is not None:
        out = f"replace({out}, {own['name']}, {own['masked_name']})"
    return out


def text_may_change_sql(col: str, name: str, phone: str) -> str:
    """DuckDB condition: masking ``col`` may change more than its digits (and the spaces,
    dashes and brackets between them): the text holds a role word, or its reporter's name
    or phone as stored (tested loosely: a one-character name or a short phone passes too,
    and then the full test decides). A keyword search tests the masked text only then."""
    # every role word but 姓名 ends in 人: a plain search spares nearly every row the
    # regular expression (and DuckDB runs it once per distinct text, a regexp once per row)
    assert all(w.endswith("人") for w in ROLE_WORDS if w != "姓名")
    out = [f"(CASE WHEN strpos({col}, '人') > 0 THEN regexp_matches({col}, '{ROLE_IN_TEXT}')"
           f" ELSE strpos({col}, '姓名') > 0 END)"]
    for c in (name, phone):
        v = f"CAST({c} AS VARCHAR)"
        t = f"trim({v}, ' ')"
        # trim() costs 5x the search on a million rows: only a value holding a space needs it
        out.append(f"coalesce(CASE WHEN strpos({v}, ' ') > 0 THEN strpos({col}, {t}) > 0"
                   f" AND {t} <> '' ELSE strpos({col}, {v}) > 0 AND {v} <> '' END, false)")
    return "(" + " OR ".join(out) + ")"
