"""Database layer shared by the storage pipelines and the commands.

``models`` holds the SQLAlchemy tables, ``engine`` builds engines from ``DATABASE_URL``,
``schema`` applies the Alembic migrations, ``articles`` writes and looks up article rows,
``spool`` keeps batches that could not be written.
"""
