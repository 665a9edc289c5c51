"""The load config (TOML): which files to load, and how to read each of them.

Paths are relative to the config file. Every key is checked here, before any file is read,
so a typo in the config stops the load with a message that names the key.
"""
from __future__ import annotations

import tomllib
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from etl.errors import LoadError

KINDS = ("grids", "townships", "events", "cameras", "mediation")
POLYGON_KINDS = ("grids", "townships")
SOURCE_KEYS = {
    "kind", "path", "crs", "encoding", "timezone", "time_format", "sheet", "layer",
    "columns", "values", "point", "constant",
}
DATASET_KEYS = {"name", "demo", "as_of"}
OFFSET_CRS = {"gcj02": "gcj02", "gcj-02": "gcj02", "bd09": "bd09", "bd-09": "bd09",
              "bd09ll": "bd09"}


@dataclass(frozen=True)
class SourceConfig:
    """One ``[[source]]`` table: a file, its kind and how to read it."""

    kind: str
    path: str                      # as written in the config (stored as source_file)
    file: Path                     # resolved against the config's folder
    crs: str | None = None         # "gcj02" | "bd09" | anything pyproj reads | None
    encoding: str | None = None
    timezone: str | None = None
    time_format: str | None = None
    sheet: str | None = None
    layer: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    point: str | None = None       # column holding "(lat, lon)" or "POINT (lon lat)" text
    constant: dict[str, str] = field(default_factory=dict)  # field -> value for every row

    @property
    def label(self) -> str:
        return f"{self.path} ({self.kind})"


@dataclass(frozen=True)
class LoadConfig:
    path: Path
    dataset: dict
    sources: list[SourceConfig]


def _check_crs(value: str, where: str) -> str:
    key = value.strip().lower()
    if key in OFFSET_CRS:
        return OFFSET_CRS[key]
    import pyproj

    try:
        crs = pyproj.CRS.from_user_input(value)
    except pyproj.exceptions.CRSError as exc:
        raise LoadError(f"{where}: crs {value!r} is not a CRS pyproj knows, "
                        f"nor 'gcj02' / 'bd09' ({exc})") from None
    return crs.to_string()


def _check_time_format(fmt: str, where: str) -> None:
    """A strptime format with a directive Python does not know ('%Q', a stray '%') stops
    the load here, naming the source, not while its rows are parsed."""
    try:
        datetime.strptime("", fmt)
    except ValueError as exc:
        if not str(exc).startswith("time data"):
            raise LoadError(f"{where}: time_format {fmt!r} is not a strptime format "
                            f"({exc})") from None


# Fields whose values are a closed vocabulary (etl.aliases.VOCAB), per kind.
VOCAB_FIELDS = {
    "events": {"level": "level", "satisfaction": "satisfaction", "status": "status",
               "supervised": "supervised"},
    "cameras": {"status": "camera_status"},
    "mediation": {"result": "result"},
}


def _check_values(raw: object, kind: str, where: str) -> dict[str, dict[str, list[str]]]:
    from etl.aliases import FIELDS, VOCAB, norm

    if not isinstance(raw, dict):
        raise LoadError(f"{where}: [source.values] must be a table of tables")
    out: dict[str, dict[str, list[str]]] = {}
    for fld, table in raw.items():
        if not isinstance(table, dict):
            raise LoadError(f"{where}: [source.values.{fld}] must map a canonical value "
                            "to a list of source values")
        if fld not in FIELDS[kind]:
            raise LoadError(f"{where}: [source.values.{fld}] names unknown field {fld!r}; "
                            f"fields of {kind}: {', '.join(FIELDS[kind])}")
        vocab = VOCAB_FIELDS.get(kind, {}).get(fld)
        if vocab:
            known = VOCAB[vocab]
            wrong = [c for c in table if norm(str(c)) not in known]
            if wrong:
                canon = sorted(set(known.values()), key=list(known.values()).index)
                raise LoadError(f"{where}: [source.values.{fld}] maps to {wrong[0]!r}, which "
                                f"is not a {fld} value; use one of {', '.join(canon)}")
        out[fld] = {}
        for canon, sources in table.items():
            if isinstance(sources, str):
                sources = [sources]
            if not isinstance(sources, list) or not all(isinstance(s, (str, int)) for s in sources):
                raise LoadError(f"{where}: values.{fld}.{canon} must be a list of strings")
            out[fld][str(canon)] = [str(s) for s in sources]
    return out


def _check_constant(raw: object, kind: str, columns: dict, where: str) -> dict[str, str]:
    """``[source.constant]``: canonical field -> one value given to every row of the file.

    For exports that lack a column (a camera inventory without a status: ``status =
    "online"``). The value goes through the same mapping and checks as a file's value would.
    """
    from etl.aliases import FIELDS

    if not isinstance(raw, dict):
        raise LoadError(f"{where}: [source.constant] must map canonical field names to values")
    out: dict[str, str] = {}
    for fld, value in raw.items():
        if fld not in FIELDS[kind]:
            raise LoadError(f"{where}: [source.constant] names unknown field {fld!r}; "
                            f"fields of {kind}: {', '.join(FIELDS[kind])}")
        if fld in columns:
            raise LoadError(f"{where}: {fld!r} is both mapped to a column and set as a constant;"
                            " keep one")
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, datetime):
            value = value.replace(tzinfo=None).isoformat(sep=" ")
        elif not isinstance(value, (str, int, float)):
            raise LoadError(f"{where}: constant.{fld} must be a string, number or boolean")
        out[fld] = str(value)
    return out


def _parse_source(raw: dict, base: Path, index: int, cfg_name: str) -> SourceConfig:
    where = f"{cfg_name}: [[source]] #{index + 1}"
    if not isinstance(raw, dict):
        raise LoadError(f"{where} must be a table")
    unknown = set(raw) - SOURCE_KEYS
    if unknown:
        raise LoadError(f"{where}: unknown key(s) {sorted(unknown)}; "
                        f"allowed: {sorted(SOURCE_KEYS)}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise LoadError(f"{where}: kind must be one of {KINDS}, got {kind!r}")
    path = raw.get("path")
    if not isinstance(path, str) or not path:
        raise LoadError(f"{where}: path is missing")
    where = f"{cfg_name}: source {path!r}"
    columns = raw.get("columns", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise LoadError(f"{where}: [source.columns] must map canonical names to header strings")
    tz = raw.get("timezone")
    if tz is not None:
        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
            raise LoadError(f"{where}: unknown timezone {tz!r}") from None
    crs = raw.get("crs")
    if crs is not None:
        crs = _check_crs(str(crs), where)
    for key in ("encoding", "time_format", "sheet", "layer", "point"):
        if key in raw and not isinstance(raw[key], str):
            raise LoadError(f"{where}: {key} must be a string")
    if raw.get("time_format"):
        _check_time_format(raw["time_format"], where)
    if raw.get("encoding"):
        import codecs

        try:
            codecs.lookup(raw["encoding"])
        except LookupError:
            raise LoadError(f"{where}: unknown encoding {raw['encoding']!r}") from None
    point = raw.get("point") or columns.get("point")
    columns = {k: v for k, v in columns.items() if k != "point"}
    return SourceConfig(
        kind=kind, path=path, file=(base / path), crs=crs, encoding=raw.get("encoding"),
        timezone=tz, time_format=raw.get("time_format"), sheet=raw.get("sheet"),
        layer=raw.get("layer"), columns=dict(columns),
        values=_check_values(raw.get("values", {}), kind, where), point=point,
        constant=_check_constant(raw.get("constant", {}), kind, columns, where),
    )


def _check_dataset(raw: object, cfg_name: str) -> dict:
    if not isinstance(raw, dict):
        raise LoadError(f"{cfg_name}: [dataset] must be a table")
    unknown = set(raw) - DATASET_KEYS
    if unknown:
        raise LoadError(f"{cfg_name}: [dataset] unknown key(s) {sorted(unknown)}")
    out = dict(raw)
    as_of = out.get("as_of")
    if as_of is not None:
        if isinstance(as_of, datetime):
            out["as_of"] = as_of.replace(tzinfo=None).isoformat(sep=" ")
        elif as_of not in ("now", "newest_report"):
            try:
                datetime.fromisoformat(str(as_of))
            except ValueError:
                raise LoadError(f"{cfg_name}: [dataset] as_of must be 'now', 'newest_report' "
                                f"or an ISO timestamp, got {as_of!r}") from None
    if "demo" in out and not isinstance(out["demo"], bool):
        raise LoadError(f"{cfg_name}: [dataset] demo must be true or false")
    return out


def parse_config(path: str | Path) -> LoadConfig:
    """Read and check a load config; raise LoadError naming the problem."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise LoadError(f"load config not found: {p}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LoadError(f"load config {p} is not valid TOML: {exc}") from None
    unknown = set(data) - {"dataset", "source"}
    if unknown:
        raise LoadError(f"{p}: unknown top-level key(s) {sorted(unknown)}; "
                        "expected [dataset] and [[source]]")
    raw_sources = data.get("source", [])
    if not isinstance(raw_sources, list):
        raise LoadError(f"{p}: sources must be written as [[source]] tables")
    sources = [_parse_source(s, p.parent, i, p.name) for i, s in enumerate(raw_sources)]
    return LoadConfig(path=p, dataset=_check_dataset(data.get("dataset", {}), p.name),
                      sources=sources)
