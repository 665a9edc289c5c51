"""Who may open which path: one ordered table, path prefix → minimum role.

The first matching rule wins. Any other ``/api/`` path needs ``officer``; any other path needs
``wall`` (default deny: an anonymous visitor is sent to /login, a signed-in one falls through to
the app, which answers 404).
"""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("wall", "officer", "admin")
RANK = {role: i for i, role in enumerate(ROLES)}
PUBLIC = "public"


@dataclass(frozen=True)
class Rule:
    path: str
    role: str  # PUBLIC or one of ROLES
    exact: bool = False

    def matches(self, path: str) -> bool:
        return path == self.path if self.exact else path.startswith(self.path)


POLICY: tuple[Rule, ...] = (
    Rule("/login", PUBLIC, exact=True),
    Rule("/logout", PUBLIC, exact=True),
    # the wall and Dash's own routes
    Rule("/", "wall", exact=True),
    Rule("/_dash-", "wall"),
    Rule("/_reload-hash", "wall", exact=True),
    Rule("/_favicon.ico", "wall", exact=True),
    Rule("/assets/", "wall"),
    # aggregate API (no personal data)
    Rule("/api/health", "wall", exact=True),
    Rule("/api/metrics", "wall", exact=True),
    Rule("/api/townships", "wall", exact=True),
    Rule("/api/hotspots", "wall", exact=True),
    # officer: analysis page (and its Dash routes), event rows, downloads
    Rule("/analysis", "officer"),
    Rule("/api/events", "officer"),  # /api/events, /api/events.csv, /api/events/<id>
    Rule("/api/cameras", "officer"),
    Rule("/api/deck", "officer"),
    Rule("/briefing.zip", "officer", exact=True),
    # admin
    Rule("/admin", "admin"),
    Rule("/api/admin", "admin"),
    # default deny for the rest of the API
    Rule("/api/", "officer"),
    Rule("/api", "officer", exact=True),
    Rule("/", "wall"),  # everything else: signed in at least, then the app decides (404)
)


def required_role(path: str) -> str | None:
    """PUBLIC, a role name, or None when no rule covers ``path`` (the app decides)."""
    for rule in POLICY:
        if rule.matches(path):
            return rule.role
    return None


def allows(role: str | None, needed: str) -> bool:
    if needed == PUBLIC:
        return True
    return role is not None and RANK[role] >= RANK[needed]


def is_machine_path(path: str) -> bool:
    """Paths fetched by scripts (API, Dash XHR, assets): they get JSON 401/403, not a redirect."""
    return (path.startswith(("/api/", "/assets/", "/_")) or path == "/api"
            or "/_dash-" in path)
