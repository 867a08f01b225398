"""API keys with roles, and the audit log.

Keys are random 256-bit tokens shown once at creation; only their SHA-256 digests are stored
(a slow password hash adds nothing for keys with that much entropy). Roles are ordered:
viewer < analyst < editor < admin. The audit log is JSON lines, one per key use, query or
import attempt, in the data directory. Both files are mode 600.

Whether a loopback server asks for keys is a switch stored with the keys: it turns on when the
first key is created and stays on whatever is revoked, until an admin runs
``coalition keys auth off`` (audited). Deriving it from "is any key active?" meant that
revoking the last key silently opened the server to everyone on the machine.
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


def _private(path: Path, flags: int) -> int:
    """Open ``path`` as its owner's alone: created 600, and a file an older version left
    world-readable is tightened before anything more is written to it."""
    fd = os.open(path, flags | os.O_CREAT, 0o600)
    if os.fstat(fd).st_mode & 0o077:
        os.fchmod(fd, 0o600)
    return fd


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class AuthSwitch:
    """``on``: keys are required even on loopback. ``None`` only before any key existed."""

    on: bool | None = None
    changed: str | None = None
    by: str | None = None


class KeyStore:
    """Keys and the auth switch in a JSON file (mode 600; default ``<data dir>/api-keys.json``),
    digests only. The file was once a bare list of keys; such a file still reads, with the
    switch on if it holds any key, revoked or not."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def _read(self) -> tuple[AuthSwitch, list[Key]]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return AuthSwitch(), []
        if isinstance(data, list):  # the first format
            keys = [Key(**k) for k in data]
            return AuthSwitch(on=True if keys else None), keys
        return AuthSwitch(**data.get("auth", {})), [Key(**k) for k in data.get("keys", [])]

    def _write(self, auth: AuthSwitch, keys: list[Key]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with os.fdopen(_private(tmp, os.O_WRONLY | os.O_TRUNC), "w") as fh:
            json.dump({"auth": asdict(auth), "keys": [asdict(k) for k in keys]}, fh, indent=1)
        tmp.replace(self.path)

    def create(self, role: str, name: str = "") -> tuple[Key, str]:
        """A new key; the token is returned here once and never stored. Creating a key
        switches auth on (again, if an admin had switched it off)."""
        rank(role)
        token = "cg_" + secrets.token_urlsafe(32)
        key = Key(id=secrets.token_hex(4), name=name or role, role=role, digest=_digest(token),
                  created=_now())
        with self._lock:
            auth, keys = self._read()
            if not auth.on:
                auth = AuthSwitch(on=True, changed=key.created, by=f"key {key.id} created")
            self._write(auth, [*keys, key])
        return key, token

    def list(self) -> list[Key]:
        return self._read()[1]

    def revoke(self, key_id: str) -> Key:
        """Revoke a key; the auth switch stays as it is, even when this was the last one."""
        with self._lock:
            auth, keys = self._read()
            for k in keys:
                if k.id == key_id:
                    k.revoked = k.revoked or _now()
                    self._write(auth, keys)
                    return k
        raise ConfigError(f"no key with id {key_id!r} (see: coalition keys list)")

    def active(self) -> bool:
        """Is there a key that can be used?"""
        return any(k.revoked is None for k in self.list())

    def auth(self) -> AuthSwitch:
        return self._read()[0]

    def required(self) -> bool:
        """Must a request on loopback carry a key? Yes once any key has existed, unless an
        admin switched auth off. (Beyond loopback a key is always required.)"""
        return bool(self.auth().on)

    def switch(self, on: bool, *, by: str) -> bool:
        """Switch auth on or off; False if it already was."""
        with self._lock:
            auth, keys = self._read()
            if auth.on is on:
                return False
            self._write(AuthSwitch(on=on, changed=_now(), by=by), keys)
            return True

    def verify(self, token: str) -> Key | None:
        d = _digest(token)
        for k in self.list():
            if k.revoked is None and hmac.compare_digest(k.digest, d):
                return k
        return None


class Audit:
    """Append-only JSON lines: who (key id and role) did what, when."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, action: str, *, key: Key | None, **detail: Any) -> None:
        entry = {"time": _now(), "action": action, "key": key.id if key else None,
                 "role": key.role if key else "local", **detail}
        line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            # One write() of the whole line with O_APPEND: lines from the CLI and the server
            # writing at once do not interleave.
            fd = _private(self.path, os.O_WRONLY | os.O_APPEND)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)

    def tail(self, n: int = 100) -> list[dict[str, Any]]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()[-n:]
        except FileNotFoundError:
            return []
        out = []
        for x in lines:
            try:
                out.append(json.loads(x))
            except ValueError:  # a line cut short by a full disk: show it, do not fail
                out.append({"action": "unreadable line", "text": x[:200]})
        return out
