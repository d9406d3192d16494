"""``python -m cdpdb``: the ``cdpdb`` command line, for when the script is not on PATH (or to pick
the interpreter explicitly)."""

from cdpdb.cli import main

if __name__ == "__main__":
    main(prog_name="cdpdb")
