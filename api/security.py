"""API keys with roles, and the audit log.

Keys are random 256-bit tokens shown once at creation; only their SHA-256 digests are stored
(a slow password hash adds nothing for keys with that much entropy). Roles are ordered:
viewer < analyst < editor < admin. The audit log is JSON lines, one per key use, query or
import, in the data directory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from graph.errors import CoalitionError, ConfigError

ROLES = ("viewer", "analyst", "editor", "admin")


def rank(role: str) -> int:
    """
    >>> rank("viewer") < rank("analyst") < rank("editor") < rank("admin")
    True
    """
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return ROLES.index(role)


class AuthError(CoalitionError):
    status_code = 401


class Forbidden(CoalitionError):
    status_code = 403


@dataclass
class Key:
    id: str
    name: str
    role: str
    digest: str
    created: str
    revoked: str | None = None

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "role": self.role, "created": self.created,
                "revoked": self.revoked}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class KeyStore:
    """Keys in a JSON file (mode 600; default ``<data dir>/api-keys.json``), digests only."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def _read(self) -> list[Key]:
        try:
            return [Key(**k) for k in json.loads(self.path.read_text())]
        except FileNotFoundError:
            return []

    def _write(self, keys: list[Key]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps([asdict(k) for k in keys], indent=1))
        os.chmod(tmp, 0o600)
        tmp.replace(self.path)

    def create(self, role: str, name: str = "") -> tuple[Key, str]:
        """A new key; the token is returned here once and never stored."""
        rank(role)
        token = "cg_" + secrets.token_urlsafe(32)
        key = Key(id=secrets.token_hex(4), name=name or role, role=role, digest=_digest(token),
                  created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        with self._lock:
            self._write([*self._read(), key])
        return key, token

    def list(self) -> list[Key]:
        return self._read()

    def revoke(self, key_id: str) -> Key:
        with self._lock:
            keys = self._read()
            for k in keys:
                if k.id == key_id:
                    k.revoked = k.revoked or dt.datetime.now(dt.UTC).isoformat(
                        timespec="seconds")
                    self._write(keys)
                    return k
        raise ConfigError(f"no key with id {key_id!r} (see: coalition keys list)")

    def active(self) -> bool:
        return any(k.revoked is None for k in self._read())

    def verify(self, token: str) -> Key | None:
        d = _digest(token)
        for k in self._read():
            if k.revoked is None and hmac.compare_digest(k.digest, d):
                return k
        return None


class Audit:
    """Append-only JSON lines: who (key id and role) did what, when."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, action: str, *, key: Key | None, **detail: Any) -> None:
        entry = {"time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                 "action": action, "key": key.id if key else None,
                 "role": key.role if key else "local", **detail}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")

    def tail(self, n: int = 100) -> list[dict[str, Any]]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()[-n:]
        except FileNotFoundError:
            return []
        return [json.loads(x) for x in lines]
