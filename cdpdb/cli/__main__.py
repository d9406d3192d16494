"""``python -m cdpdb.cli``: the command line (the test suite starts ``serve`` this way)."""

from cdpdb.cli import main

if __name__ == "__main__":
    main(prog_name="cdpdb")
