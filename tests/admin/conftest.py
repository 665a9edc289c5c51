"""A real server (login required, uploads capped at 1 MB) on a copy of the demo county in a
folder of its own, accounts made by the real CLI, and real source files for uploads.

The server is shared by the admin tests (session scope); tests that load data go through
the page, so the database grows load by load as it would in a command room.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

# PASSWORDS, cli and start are also imported from here by this folder's tests
from tests.accounts import (PASSWORDS, add_users, cli, county_copy, new_token,  # noqa: F401
                            sign_in, start)
from tests.serving import settings_file, stop_server

USERS = {"admin": "管理员甲", "officer": "李警官", "wall": "大屏值守"}
SETTINGS = "[auth]\nrequired = true\n[admin]\nmax_upload_mb = 1\n"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@dataclass
class Site:
    base: str
    db: Path
    sources: Path        # the demo county's source files
    wall_token: str


@pytest.fixture(scope="session")
def admin_db(wall_demo_db, tmp_path_factory) -> Path:
    return county_copy(wall_demo_db, tmp_path_factory, "admin_county")


@pytest.fixture(scope="session")
def site(admin_db, wall_demo_db, tmp_path_factory) -> Site:
    add_users(admin_db, USERS, PASSWORDS)
    token = new_token(admin_db, "wall", "kiosk-1")
    base, proc = start(admin_db, settings=settings_file(tmp_path_factory, "admin_settings",
                                                         SETTINGS))
    yield Site(base, admin_db, wall_demo_db.parent / "src", token)
    stop_server(proc)


def login(base: str, role: str) -> requests.Session:
    return sign_in(base, USERS[role], PASSWORDS[role])


def csrf_of(s: requests.Session, base: str, page: str = "/admin") -> str:
    r = s.get(base + page)
    assert r.status_code == 200, r.status_code
    return CSRF.search(r.text).group(1)


@pytest.fixture(scope="session")
def admin(site) -> requests.Session:
    return login(site.base, "admin")


def renamed_events(src: Path, out: Path, rows: int = 200, bad_time: int = 5,
                   no_category: int = 3, repeat: int = 1) -> Path:
    """Demo events whose reporter columns carry headers no alias knows (报告人, 联系方式), so
    only a mapping preset finds them; ``bad_time`` rows get an unreadable time and
    ``no_category`` rows no category (rejects that keep the personal data in their raw row).
    ``repeat`` copies the rows under new ids (a longer load)."""
    with src.open(encoding="utf-8") as f:
        table = list(csv.reader(f))
    head = table[0]
    head[head.index("上报人")] = "报告人"
    head[head.index("联系电话")] = "联系方式"
    body = [list(r) for r in table[1:rows + 1]]
    for r in body[:bad_time]:
        r[1] = "不是时间"
    for r in body[bad_time:bad_time + no_category]:
        r[2] = ""
    out_rows = []
    for k in range(repeat):
        for r in body:
            r2 = list(r)
            if k:
                r2[0] = f"{r[0]}-{k}"
            out_rows.append(r2)
    with out.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([head, *out_rows])
    return out
