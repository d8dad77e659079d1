"""Database layer shared by the storage pipelines and the commands.

``models`` holds the SQLAlchemy tables, ``engine`` builds engines from ``DATABASE_URL``,
``schema`` applies the Alembic migrations, ``articles`` writes and looks up article rows,
``spool`` keeps batches that could not be written.
"""

# Every table must be on ``Base.metadata`` wherever it is used (migrations, drift check).
from crawler.db import alert_models as alert_models
from crawler.db import content_models as content_models
from crawler.db import crawl_models as crawl_models
from crawler.db import dedup_models as dedup_models
from crawler.db import summary_models as summary_models
