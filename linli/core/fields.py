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


class LookupHashField(models.CharField):
    """HMAC-SHA256 (hex) of another field's plaintext, kept current on save."""

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        plain = getattr(model_instance, self.source)
        value = crypto.lookup_hash(plain) if plain else ""
        setattr(model_instance, self.attname, value)
        return value
