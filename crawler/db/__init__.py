"""Database layer both packages stand on: every model, migration and statement.

``models`` (and ``*_models``) hold the SQLAlchemy tables, ``migrations`` their Alembic history,
``database`` the one database object per crawler (``engine`` builds its engine from
``DATABASE_URL``), ``schema`` applies the migrations, ``articles`` and ``children`` write
article rows, ``neardup`` the near-duplicate tables, ``crawl_state`` the crawl state,
``spool`` keeps batches that could not be written. See ``docs/architecture.md``.
"""

# Every table must be on ``Base.metadata`` wherever it is used (migrations, drift check).
from crawler.db import alert_models as alert_models
from crawler.db import content_models as content_models
from crawler.db import crawl_models as crawl_models
from crawler.db import dedup_models as dedup_models
from crawler.db import summary_models as summary_models
