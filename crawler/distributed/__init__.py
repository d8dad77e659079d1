"""Many workers on many machines, one Redis, one Postgres (``DISTRIBUTED``, docs/deployment.md).

:mod:`~crawler.distributed.jobs` hands out site crawls and replay files with leases that expire;
:mod:`~crawler.distributed.addon` switches scrapy-redis's scheduler and dupefilter on
(:mod:`~crawler.distributed.scheduler`); ``scrapy worker`` takes site jobs.
"""
