"""The SQLAlchemy dialect under each SQLAlchemy release it supports, each in its own virtualenv.

``nox`` (what SQLAlchemy dialect projects use) runs, per SQLAlchemy version, the repo's own
dialect tests and SQLAlchemy's compliance suite (``compliance/``, with the one requirements.py).
The default environment (``pip install -e ".[test]"``, SQLAlchemy 2.1.9) runs both as part of
the README's test command; these sessions add the other releases::

    pip install nox
    nox                                  # every version
    nox -s "sqlalchemy(version='1.4')"   # one of them
    nox -l                               # the list

Versions: the newest 1.4 (what Superset's releases pin), the newest 2.0, and the 2.1 release
the ``test`` extra pins. With 1.4, pandas before 2.2 (pandas 2.2 and later ignore a SQLAlchemy
engine older than 2.0 and treat it as a DB-API connection), so NumPy 1 and a pyarrow that
still runs on it: the set a Superset release installs.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True

SQLALCHEMY = {
    "1.4": ["sqlalchemy==1.4.54", "pandas>=2.0,<2.2", "numpy<2", "pyarrow>=14,<20"],
    "2.0": ["sqlalchemy==2.0.58", "pandas>=2.0"],
    "2.1": ["sqlalchemy==2.1.9", "pandas>=2.0"],
}
# What the dialect tests and the compliance suite need besides cdpdb[local] (the test extra
# would pin SQLAlchemy 2.1.9).
TEST_TOOLS = ["pytest>=8", "hypothesis>=6.100", "polars>=1.0", "tqdm>=4.66"]
DIALECT_TESTS = "tests/backends/salesforce/sqlalchemy"
LOAD_EVERY_DIALECT = (
    "from importlib.metadata import entry_points; "
    "names = [e.load().name for e in entry_points(group='sqlalchemy.dialects') if e.value.startswith('cdpdb.')]; "
    "print('dialects load:', sorted(set(names)))"
)


@nox.session
@nox.parametrize("version", list(SQLALCHEMY))
def sqlalchemy(session: nox.Session, version: str) -> None:
    """The dialect's tests and SQLAlchemy's compliance suite on one SQLAlchemy release."""
    session.install("-e", ".[local]", *TEST_TOOLS, *SQLALCHEMY[version])
    session.run("python", "-c", "import sqlalchemy; print('SQLAlchemy', sqlalchemy.__version__)")
    session.run("python", "-c", LOAD_EVERY_DIALECT)  # every backend's dialect imports on this release
    session.run("pytest", "-q", "-p", "no:cacheprovider", DIALECT_TESTS, *session.posargs)
    with session.chdir("compliance"):
        session.run("pytest", "-q", *session.posargs)
