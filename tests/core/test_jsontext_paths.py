"""jsontext's two newer paths: rows of text only read by Arrow's JSON reader, and an answer's
envelope read before its rows (V2 chains its batches by it). Both must give what orjson gives,
or fall back to a path that does; a misread envelope must never pass unnoticed."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cdpdb
from cdpdb.core.results import jsontext
from cdpdb.core.results.jsontext import Deferred, TextRows, envelope, loads

texts = st.none() | st.text() | st.sampled_from(["", ']],"', "]]}", "],[", '\\"', "null", "1.10"])


def read(body: bytes) -> list[list]:
    got = loads(body)
    assert isinstance(got["data"], TextRows)
    return [[column[r].as_py() for column in got["data"].columns] for r in range(got["data"].num_rows)]


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda w: st.lists(st.lists(texts, min_size=w, max_size=w), min_size=1)
    )
)
def test_text_rows_read_as_orjson_reads_them(rows):
    body = orjson.dumps({"data": rows, "nextBatchId": "b1", "done": False})
    assert read(body) == rows
    later = orjson.dumps({"done": True, "data": rows})  # rows not first: the numpy scan
    assert read(later) == rows
    answer = envelope(body)
    assert answer["nextBatchId"] == "b1" and answer["done"] is False
    got = jsontext.rows(answer)
    assert [[column[r].as_py() for column in got.columns] for r in range(got.num_rows)] == rows


def test_the_arrow_reader_takes_text_rows_and_refuses_the_rest(monkeypatch):
    scanned: list[bytes] = []
    real = jsontext._rows
    monkeypatch.setattr(jsontext, "_rows", lambda content, key: scanned.append(content) or real(content, key))
    assert read(b'{"data":[["a",null],["b","c"]],"done":true}') == [["a", None], ["b", "c"]]
    assert scanned == []  # Arrow's reader read it
    for body in (b'{"data":[["a",1]]}', b'{"data":[["a",true]]}', b'{"data":[["a",null],["b",null]],"x":1}'):
        loads(body)
    assert len(scanned) == 2  # a number, a boolean: the numpy scan


@pytest.mark.parametrize(
    "body",
    [
        b'{"data":[["a"],["b","c"]]}',  # rows of different widths
        b'{"data":[["a"],null]}',  # a row that is not an array
        b'{"data":[["a"],[]]}',
        b'{"data":[["a",["x"]]]}',  # nested
        b'{"data":[["a"]],"data":[["b"]]}',  # the key twice
        b'{"data":[["a"] , ["b"]],"n":1}',  # whitespace
    ],
)
def test_other_text_shapes_are_read_as_orjson_reads_them(body):
    got = loads(body)
    expected = orjson.loads(body)
    if isinstance(got["data"], TextRows):
        got["data"] = [[c[r].as_py() for c in got["data"].columns] for r in range(len(got["data"]))]
    assert got == expected
    assert jsontext.rows(envelope(body)) == expected["data"] or isinstance(jsontext.rows(envelope(body)), TextRows)


@pytest.mark.parametrize(
    "body",
    [
        b'{"data":[["\xff\xfe"]]}',
        b'{"data":[["\\ud800"]]}',
        b'{"data":[["a\x01"]]}',
        b'{"data":[["a"]]',
        b'{"data":[["a"]]}{}',
    ],
)
def test_malformed_text_rows_raise_as_orjson_does(body):
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(body)
    with pytest.raises(orjson.JSONDecodeError):
        loads(body)


@pytest.mark.parametrize(
    "body",
    [
        b'{"data":[["x]],",":1}"]],"nextBatchId":"b2"}',  # ']],"' inside a string of the rows
        b'{"data":[["a"]],"note":"x]],","n":1}',  # ... and in a field after them
        b'{"data":[["y]]}"]]}',  # ']]}' inside a string, the rows last
        b'{"data":[["y]]}"]],"m":[["z"]]}',
    ],
)
def test_row_ends_inside_strings_give_the_right_envelope_and_rows(body):
    expected = orjson.loads(body)
    answer = envelope(body)
    assert {k: v for k, v in answer.items() if k != "data"} == {k: v for k, v in expected.items() if k != "data"}
    got = jsontext.rows(answer)
    assert [[c[r].as_py() for c in got.columns] for r in range(len(got))] == expected["data"]
    assert read(body) == expected["data"]


def test_a_misread_envelope_is_a_data_error():
    body = b'{"data":[["a"]],"nextBatchId":"b2"}'
    answer = envelope(body)
    assert isinstance(answer["data"], Deferred)
    with pytest.raises(cdpdb.DataError, match="misread"):
        jsontext.rows({**answer, "nextBatchId": "elsewhere"})
    cut = {"data": Deferred(b'{"data":[["a"],["b', "data", (8, 14)), "done": True}
    with pytest.raises(cdpdb.DataError, match="cut short"):
        jsontext.rows(cut)
