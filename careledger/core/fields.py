"""Encrypted model fields (SEC-27): the column holds ciphertext as text, the model holds plaintext.

``get_prep_value`` encrypts on every write (save, update, bulk_create, bulk_update and the roster
importer's fast path, which calls ``get_db_prep_save``); ``from_db_value`` decrypts on every read and
raises ``crypto.DecryptionError`` for ciphertext that does not authenticate — never a guess.

An empty text is stored as an empty string: that a parent's phone is missing is not a secret, and it
keeps blank columns cheap. Ciphertext cannot be searched, compared or sorted in SQL, so every lookup
except ``isnull`` is refused (a ``filter(id_number=…)`` would otherwise silently match nothing).
Search by 学号 and name keeps working because those columns are not encrypted.
"""

import json

from django.core import validators
from django.core.exceptions import FieldError
from django.db import models

from careledger.core import crypto


class EncryptedFieldMixin:
    encrypted = True

    def get_internal_type(self) -> str:
        return "TextField"

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(f"{self.model.__name__}.{self.name} is encrypted: it cannot be searched with {lookup_name!r}")

    def get_transform(self, lookup_name):
        raise FieldError(f"{self.model.__name__}.{self.name} is encrypted: it cannot be searched with {lookup_name!r}")


class EncryptedTextField(EncryptedFieldMixin, models.TextField):
    """Text encrypted at rest. ``max_length`` (optional) limits the plaintext, as CharField's does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt_text(value)


class EncryptedJSONField(EncryptedFieldMixin, models.JSONField):
    """JSON encrypted at rest (a text column). SQL NULL stays NULL; every other value is encrypted."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return json.loads(crypto.decrypt_text(value), cls=self.decoder)

    def get_prep_value(self, value):
        if value is None:
            return value
        return crypto.encrypt_text(json.dumps(value, cls=self.encoder, ensure_ascii=False, separators=(",", ":")))

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        return value

    def get_db_prep_save(self, value, connection):
        if hasattr(value, "as_sql"):
            return value
        return self.get_db_prep_value(value, connection)


def encrypted_fields(model) -> list[models.Field]:
    """The model's encrypted concrete fields."""
    return [f for f in model._meta.concrete_fields if getattr(f, "encrypted", False)]
