"""The whole of ``sqlalchemy.testing.suite``; what Data Cloud cannot do is stated in requirements.py."""

from sqlalchemy.testing.suite import *  # noqa: F403
