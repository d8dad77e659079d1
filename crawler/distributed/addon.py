"""The Scrapy add-on (``ADDONS``) that switches the shared frontier on when ``DISTRIBUTED`` is set.

An add-on, because it must decide after every source of settings is read (``-s DISTRIBUTED``
included) and before the crawler builds its scheduler. With ``DISTRIBUTED`` unset it changes
nothing and nothing imports Redis. Set, each spider's requests and fingerprints live in Redis
under ``govnews:<spider>:requests`` / ``:dupefilter`` (scrapy-redis's scheduler and
dupefilter, kept between runs with ``SCHEDULER_PERSIST``): a crawl killed mid-way is taken up
by the next worker that leases the site, from the requests it left queued.

Settings: ``DISTRIBUTED``.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings

SCHEDULER = "crawler.distributed.scheduler.RedisScheduler"


class Distributed:
    def update_settings(self, settings: BaseSettings) -> None:
        url = settings["DISTRIBUTED"]
        if not url:
            return
        for name, value in {
            "SCHEDULER": SCHEDULER,
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_PERSIST": True,
            "REDIS_URL": url,
            "SCHEDULER_QUEUE_KEY": "govnews:%(spider)s:requests",
            "SCHEDULER_DUPEFILTER_KEY": "govnews:%(spider)s:dupefilter",
            # scrapy-redis waits 30 s on a dead server; a restart should be noticed sooner.
            "REDIS_PARAMS": {"socket_timeout": 5, "socket_connect_timeout": 5, "retry_on_timeout": True},
        }.items():
            settings.set(name, value, priority="addon")
