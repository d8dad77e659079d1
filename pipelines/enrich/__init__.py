"""Pure functions of the enrichment stage: what only the cleaned text gives.

Fields both stages read (dates, bylines, 文号, issuer) are parsed by :mod:`pipelines.fields`;
this package holds the rest: which text lines hold bylines (:mod:`~pipelines.enrich.bylines`),
the addressee of a letter, entities, amounts and percentages. Each function takes text (and the
reference year or date taken from the article's ``fetched_at``, never the clock) plus the
:class:`~pipelines.vocab.Vocabulary` and returns plain values; :mod:`pipelines.enrichment`
applies them to an :class:`~crawler.items.Article`.
"""
