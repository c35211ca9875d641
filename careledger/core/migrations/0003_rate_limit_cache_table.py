"""SEC-52: the table Django's database cache uses for the rate-limit counters when no Redis is configured,
so that every worker process counts in one store (``careledger_cache``; as ``createcachetable`` makes)."""

from django.db import migrations

TABLE = "careledger_cache"


def create(apps, schema_editor):
    connection = schema_editor.connection
    if TABLE in connection.introspection.table_names():
        return
    stamp = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"CREATE TABLE {quote(TABLE)} ({quote('cache_key')} varchar(255) NOT NULL PRIMARY KEY, "
        f"{quote('value')} text NOT NULL, {quote('expires')} {stamp} NOT NULL)"
    )
    schema_editor.execute(f"CREATE INDEX {quote(TABLE + '_expires')} ON {quote(TABLE)} ({quote('expires')})")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_semester_current_by_date")]

    operations = [migrations.RunPython(create, drop)]
