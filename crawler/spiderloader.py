"""``SiteSpiderLoader``: Scrapy's spider loader, plus one spider per site config.

``scrapy list`` shows the code spiders (``replay``, ``site``) and every site id in
``SITES_DIR``; ``scrapy crawl ID`` runs :class:`~crawler.spiders.site.SiteSpider` for that
site, the same as ``scrapy crawl site -a site=ID``. Site configs are read only when a site
spider is listed or loaded, so a broken config never stops ``scrapy crawl replay``; ``scrapy
list`` logs each broken config as an error and lists the others.

Settings: ``SPIDER_LOADER_CLASS`` (points here), ``SITES_DIR``.
"""

from __future__ import annotations

import logging

from scrapy import Spider
from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader

from crawler.siteconfig import SiteConfigError, sites_dir, usable_sites

logger = logging.getLogger(__name__)


class SiteSpiderLoader(SpiderLoader):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.sites_dir = sites_dir(settings)

    def _site_ids(self) -> list[str]:
        sites, errors = usable_sites(self.sites_dir)
        for error in errors:
            logger.error("site config left out: %s", error)
        ids = list(sites)
        clashes = sorted(set(ids) & set(super().list()))
        if clashes:
            raise SiteConfigError(f"{self.sites_dir}: site ids {clashes} clash with spider names; rename the files")
        return ids

    def list(self) -> list[str]:
        return sorted([*super().list(), *self._site_ids()])

    def load(self, spider_name: str) -> type[Spider]:
        try:
            return super().load(spider_name)
        except KeyError:
            if spider_name.startswith("_") or not (self.sites_dir / f"{spider_name}.toml").is_file():
                raise
        from crawler.spiders.site import site_spider_class

        return site_spider_class(spider_name)
