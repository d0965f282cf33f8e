"""Model fields for personal data: an encrypted text field and its keyed lookup-hash companion.

    phone = EncryptedTextField(_("phone"), blank=True)
    phone_hash = LookupHashField(source="phone")

The instance attribute holds the plaintext; the database holds only ciphertext and the hash. Find rows
with ``Model.objects.filter(phone_hash__in=lookup_hashes(value))``.
"""

from __future__ import annotations

from django.db import models
from django.db.models.lookups import Exact

from linli.core import crypto


class EncryptedTextField(models.TextField):
    description = "Text encrypted with AES-256-GCM"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name):
        # Ciphertext is randomised: only null/empty tests make sense. Search through the hash field.
        if lookup_name not in {"isnull", "exact"}:
            raise TypeError(f"EncryptedTextField does not support the {lookup_name!r} lookup")
        return super().get_lookup(lookup_name)


@EncryptedTextField.register_lookup
class EncryptedExact(Exact):
    """``field=""`` works; ``field="13812345678"`` would silently match nothing, so it is refused."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise TypeError("An encrypted field cannot be compared: filter on its hash field with lookup_hashes().")
        return super().get_prep_lookup()


PARTS = {"": lambda v: v, "tail4": lambda v: "".join(v.split())[-4:]}


class LookupHashField(models.CharField):
    """HMAC-SHA256 (hex) of another field's plaintext, kept current on save. ``part="tail4"`` hashes only
    the last four characters (the search by the last four digits of a phone or ID number)."""

    def __init__(self, *args, source: str = "", part: str = "", **kwargs):
        if part not in PARTS:
            raise ValueError(f"unknown part {part!r}")
        self.source = source
        self.part = part
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.part:
            kwargs["part"] = self.part
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = self.hash_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value

    def hash_of(self, plain: str | None) -> str:
        """The value this field stores for a plaintext (under the current key)."""
        plain = PARTS[self.part](plain or "")
        return crypto.lookup_hash(plain) if plain else ""
