"""Pure functions of the enrichment stage: fields found in cleaned article text.

One module per responsibility; each takes text (and the reference year or date taken from the
article's ``fetched_at``, never the clock) plus the :class:`~pipelines.vocab.Vocabulary`
and returns plain values. :mod:`pipelines.enrichment` applies them to an
:class:`~crawler.items.Article`.
"""
