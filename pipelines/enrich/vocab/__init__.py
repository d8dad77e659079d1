"""Vocabulary tables of the enrichment rules (``*.tsv``), read by :mod:`pipelines.enrich.vocabulary`.

A package only so that the tables ship with the code (``[tool.setuptools.package-data]``).
"""
