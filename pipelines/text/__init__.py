"""Pure text-cleaning functions for scraped Chinese article text.

One module per responsibility; :func:`pipelines.text.clean.clean_article` runs them in order
and is what :class:`pipelines.cleaning.CleaningPipeline` calls. Vocabulary lives in
``pipelines/vocab/`` (see ``docs/cleaning.md``).
"""
