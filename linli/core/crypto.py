"""Field encryption (AES-256-GCM) and keyed lookup hashes (HMAC-SHA256).

The key ring comes from the environment (``LINLI_DATA_KEY``) or from a key file
(``LINLI_DATA_KEY_FILE``, default ``var/data.key``), never from the repository. Its text is one or
more keys separated by commas or new lines, newest first::

    k2:BASE64-OF-32-BYTES,k1:BASE64-OF-32-BYTES

A key written without ``id:`` gets an id derived from the key itself. The first key encrypts; every
key decrypts. Each ciphertext carries the id of the key that made it, so ``linli rotate-key``
re-encrypts old rows once a new key is put first. Lookup hashes are computed with every key of the
ring, so an exact lookup finds rows whose hash has not been rotated yet.

Ciphertext text form: ``v1$<key id>$<base64(nonce ‖ ciphertext ‖ tag)>``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    pass


@dataclass(frozen=True)
class DataKey:
    key_id: str
    secret: bytes

    @functools.cached_property
    def lookup_secret(self) -> bytes:
        # A separate sub-key for lookup hashes, so the encryption key is never used as an HMAC key (derived
        # once per key: an import hashes four values a row).
        return hmac.new(self.secret, b"linli-lookup-v1", hashlib.sha256).digest()


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[DataKey, ...]

    @property
    def current(self) -> DataKey:
        return self.keys[0]

    def get(self, key_id: str) -> DataKey:
        for key in self.keys:
            if key.key_id == key_id:
                return key
        raise DecryptionError(f"unknown key id {key_id!r}")


def derive_key_id(secret: bytes) -> str:
    return hashlib.sha256(b"linli-key-id" + secret).hexdigest()[:8]


def parse_key_ring(text: str) -> KeyRing:
    keys: list[DataKey] = []
    for raw in text.replace("\n", ",").split(","):
        item = raw.strip()
        if not item or item.startswith("#"):
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep:
            key_id, encoded = "", item
        try:
            secret = base64.b64decode(encoded.strip(), validate=True)
        except ValueError as exc:
            raise ImproperlyConfigured("A data key is not valid base64.") from exc
        if len(secret) != 32:
            raise ImproperlyConfigured("A data key must be 32 bytes (AES-256), base64-encoded.")
        key_id = key_id.strip() or derive_key_id(secret)
        if not key_id.isalnum():
            raise ImproperlyConfigured("A key id may hold letters and digits only.")
        keys.append(DataKey(key_id, secret))
    if not keys:
        raise ImproperlyConfigured("The data key ring is empty.")
    if len({k.key_id for k in keys}) != len(keys):
        raise ImproperlyConfigured("Two data keys share one id.")
    return KeyRing(tuple(keys))


def new_key_line() -> str:
    secret = secrets.token_bytes(32)
    return f"{derive_key_id(secret)}:{base64.b64encode(secret).decode()}"


def create_key_file(path: Path) -> bool:
    """Create a key file with one fresh key if it does not exist (used by ``make run`` for the demo)."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(new_key_line() + "\n")
    return True


def prepend_key_to_file(path: Path) -> str:
    """Put a fresh key first in the key file (creating it if needed); the old keys stay for decryption.
    The file is replaced atomically and stays 0600. Returns the new key's id (never the key)."""
    old = path.read_text() if path.exists() else ""
    if old.strip():
        parse_key_ring(old)  # refuse to extend a broken file
    line = new_key_line()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(line + "\n" + old.lstrip("\n"))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    reset_key_ring()
    return line.partition(":")[0]


_lock = threading.Lock()
_ring: KeyRing | None = None
_ring_source: str | None = None


def key_ring() -> KeyRing:
    """The key ring in force, read once and cached; re-read when the settings change (tests)."""
    global _ring, _ring_source
    env_text = getattr(settings, "LINLI_DATA_KEY", None)
    file_path = getattr(settings, "LINLI_DATA_KEY_FILE", None)
    if env_text:
        source = f"env:{env_text}"
    else:
        # The file's modification time is part of the source: a key put first (create-data-key
        # --rotate) reaches running processes without a restart.
        try:
            source = f"file:{file_path}:{os.stat(file_path).st_mtime_ns}" if file_path else "none"
        except OSError:
            source = f"file:{file_path}:missing"
    with _lock:
        if _ring is not None and _ring_source == source:
            return _ring
        if env_text:
            text = env_text
        elif file_path and Path(file_path).is_file():
            text = Path(file_path).read_text()
        else:
            raise ImproperlyConfigured(
                "No data key: set LINLI_DATA_KEY or create the key file (linli create-data-key)."
            )
        _ring, _ring_source = parse_key_ring(text), source
        return _ring


def reset_key_ring() -> None:
    global _ring, _ring_source
    with _lock:
        _ring, _ring_source = None, None


def encrypt(plaintext: str, *, ring: KeyRing | None = None) -> str:
    key = (ring or key_ring()).current
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(key.secret).encrypt(nonce, plaintext.encode("utf-8"), key.key_id.encode())
    return f"{PREFIX}${key.key_id}${base64.b64encode(nonce + sealed).decode()}"


def key_id_of(token: str) -> str:
    parts = token.split("$")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise DecryptionError("not a Linli ciphertext")
    return parts[1]


def decrypt(token: str, *, ring: KeyRing | None = None) -> str:
    """The plaintext; ``DecryptionError`` when the token is malformed, its key is not in the ring, or
    it was altered (GCM authenticates the ciphertext and the key id)."""
    key = (ring or key_ring()).get(key_id_of(token))
    try:
        blob = base64.b64decode(token.split("$")[2], validate=True)
        plain = AESGCM(key.secret).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], key.key_id.encode())
        return plain.decode("utf-8")
    except Exception as exc:  # binascii.Error, InvalidTag, ValueError (short blob), UnicodeDecodeError
        raise DecryptionError("ciphertext failed authentication") from exc


def normalise_for_lookup(value: str) -> str:
    return "".join(value.split()).upper()


def lookup_hash(value: str, *, key: DataKey | None = None) -> str:
    """Keyed HMAC-SHA256 of a normalised value (spaces removed, letters upper-cased), hex."""
    key = key or key_ring().current
    return hmac.digest(key.lookup_secret, normalise_for_lookup(value).encode("utf-8"), "sha256").hex()


def lookup_hashes(value: str) -> list[str]:
    """The value's hash under every key of the ring: use with ``<field>_hash__in`` for exact lookups."""
    return [lookup_hash(value, key=k) for k in key_ring().keys]
