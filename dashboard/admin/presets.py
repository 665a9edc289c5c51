"""Mapping presets: a named column mapping and constants for one kind of source file, saved
as ``<db>.admin/presets/NAME.toml`` and turned into a ``[[source]]`` of a load config.

A preset holds exactly what the ETL's load config understands for a source (etl/config.py):
``kind``, ``[columns]`` (canonical field -> source header), ``[constant]`` (field -> value
for every row) and the reading options ``encoding``, ``time_format``, ``timezone``, ``crs``,
``sheet``. It is checked by the ETL's own config parser before it is saved, so a preset that
saves is one the loader accepts.
"""
from __future__ import annotations

import json
import re
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from etl.aliases import FIELDS
from etl.config import KINDS, parse_config
from etl.errors import LoadError

OPTIONS = ("encoding", "time_format", "timezone", "crs", "sheet")
NAME_RE = re.compile(r"[0-9A-Za-z_\-\u4e00-\u9fff]{1,40}")
KIND_ZH = {"events": "事件", "grids": "网格", "townships": "镇街边界", "cameras": "视频点位",
           "mediation": "矛盾调解"}


class PresetError(ValueError):
    """A preset that cannot be saved or used; the message is Chinese, for the page."""


@dataclass(frozen=True)
class Preset:
    name: str
    kind: str
    columns: dict[str, str] = field(default_factory=dict)
    constant: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)

    def source_toml(self, path: str) -> str:
        """This preset as a ``[[source]]`` table for the file ``path``."""
        lines = ["[[source]]", f"kind = {_q(self.kind)}", f"path = {_q(path)}"]
        lines += [f"{k} = {_q(v)}" for k, v in self.options.items() if v]
        if self.columns:
            lines.append("[source.columns]")
            lines += [f"{_q(k)} = {_q(v)}" for k, v in self.columns.items()]
        if self.constant:
            lines.append("[source.constant]")
            lines += [f"{_q(k)} = {_q(v)}" for k, v in self.constant.items()]
        return "\n".join(lines) + "\n"

    def to_toml(self) -> str:
        body = self.source_toml("<file>").replace("[[source]]\n", "", 1)
        body = body.replace('path = "<file>"\n', "")
        return (f"# 映射预设 mapping preset {self.name} (gridwall admin page)\n"
                + body.replace("[source.", "["))


def _q(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML escapes)."""
    return json.dumps(str(text), ensure_ascii=False)


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME_RE.fullmatch(name):
        raise PresetError("预设名称只能包含中文、字母、数字、下划线和减号（1-40 个字符）")
    return name


def parse_pairs(text: str, what: str) -> dict[str, str]:
    """``字段 = 值`` lines (one per line; blank lines and # comments skipped)."""
    out: dict[str, str] = {}
    for n, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise PresetError(f"{what}第 {n} 行应写成「字段 = 值」：{line[:60]}")
        key, value = (p.strip() for p in line.split("=", 1))
        if not key or not value:
            raise PresetError(f"{what}第 {n} 行缺少字段或值：{line[:60]}")
        out[key] = value.strip('"')
    return out


def make(name: str, kind: str, columns: dict, constant: dict, options: dict) -> Preset:
    """A checked preset: its name, its kind, and the ETL's own config check."""
    if kind not in KINDS:
        raise PresetError(f"未知的数据类型：{kind}")
    for fld in columns:
        if fld not in FIELDS[kind] and fld != "point":
            raise PresetError(f"{KIND_ZH[kind]}没有字段「{fld}」；可用字段：{'、'.join(FIELDS[kind])}")
    preset = Preset(check_name(name), kind, dict(columns), dict(constant),
                    {k: str(v) for k, v in options.items() if k in OPTIONS and v})
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "check.toml"
        cfg.write_text(preset.source_toml("check.csv"), encoding="utf-8")
        try:
            parse_config(cfg)
        except LoadError as exc:
            raise PresetError(f"导入配置检查未通过：{str(exc).replace(str(cfg), 'preset')}") from None
    return preset


class Presets:
    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, name: str) -> Path:
        return self.folder / f"{check_name(name)}.toml"

    def save(self, preset: Preset) -> Path:
        path = self._path(preset.name)
        tmp = path.with_suffix(".toml.tmp")
        tmp.write_text(preset.to_toml(), encoding="utf-8")
        tmp.replace(path)
        return path

    def load(self, name: str) -> Preset:
        path = self._path(name)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PresetError(f"没有名为「{name}」的映射预设") from None
        except tomllib.TOMLDecodeError as exc:
            raise PresetError(f"映射预设「{name}」无法读取：{exc}") from None
        return Preset(name=name, kind=data.get("kind", ""),
                      columns=dict(data.get("columns", {})),
                      constant={k: str(v) for k, v in data.get("constant", {}).items()},
                      options={k: str(data[k]) for k in OPTIONS if k in data})

    def delete(self, name: str) -> None:
        try:
            self._path(name).unlink()
        except FileNotFoundError:
            raise PresetError(f"没有名为「{name}」的映射预设") from None

    def all(self) -> list[Preset]:
        out = []
        for p in sorted(self.folder.glob("*.toml")):
            try:
                out.append(self.load(p.stem))
            except PresetError:
                continue
        return out
