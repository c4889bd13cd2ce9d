"""Storage: Peewee models, the connection, schema migrations and backups.

Only ``app/`` imports this package; the UI reaches data through ``app`` services.
"""
