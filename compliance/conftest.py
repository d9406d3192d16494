"""SQLAlchemy's dialect compliance suite against a writable embedded local Data Cloud.

Run from this folder: ``cd compliance && python -m pytest`` (the suite reads setup.cfg here).
"""

import pytest
from sqlalchemy.dialects import registry

registry.register("cdp", "cdpdb.sqlalchemy.dialect", "CDPDialect")
pytest.register_assert_rewrite("sqlalchemy.testing.assertions")

from sqlalchemy.testing.plugin.pytestplugin import *  # noqa: E402, F403
