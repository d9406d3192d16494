"""One folder per CDP: each implements the backend contract of :mod:`cdpdb.backends.base`."""
