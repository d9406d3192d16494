"""jsontext.loads: a JSON answer's rows as columns of exact text, no Python object per value.

Every value must come back as what orjson reads (strings) or as its exact JSON text (numbers,
booleans); anything that is not compact rows of scalars must come back exactly as orjson reads
it, and a malformed answer must raise as orjson does."""

from __future__ import annotations

import math

import orjson
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdpdb.core.results.jsontext import TextRows, loads


def columns(body: bytes) -> list[list]:
    got = loads(body)
    assert isinstance(got["data"], TextRows), "the fast path was not taken"
    for column in got["data"].columns:
        assert column.type == pa.string()
        column.validate(full=True)
    return [column.to_pylist() for column in got["data"].columns]


def test_strings_with_every_kind_of_escape_are_unescaped_exactly():
    texts = [
        'say "hi"',
        "back\\slash",
        "ends with a backslash\\",
        '\\"',  # a backslash then a quote
        "\\\\",
        "tab\tnew\nline\rform\fbell\b nul\x00 unit\x1f",
        "é 測試 😀 \u2028",
        "/slash/",
        "],[",  # row syntax inside a string
        '","',
        "{}:",
        "",
        "null",
        "true",
    ]
    body = orjson.dumps({"data": [[t, i] for i, t in enumerate(texts)], "done": True})
    assert columns(body)[0] == texts
    # escapes orjson does not write itself
    raw = rb'{"data":[["\u00e9\ud83d\ude00\/\"","x"],["a\\\\\"b","\u0000"]]}'
    assert columns(raw) == [['é😀/"', 'a\\\\"b'], ["x", "\x00"]]


def test_numbers_keep_their_exact_text_and_null_true_false_are_read():
    body = (
        b'{"done":true,"data":[[1.10,1e2,-0.0,123456789012345678901234567890,true,null,"1.10"],'
        b"[0.1000000000000000000001,-7E-3,0,-12,false,null,null]],"
        b'"metadata":{"a":1}}'
    )
    got = loads(body)
    assert got["done"] is True and got["metadata"] == {"a": 1}
    assert columns(body) == [
        ["1.10", "0.1000000000000000000001"],
        ["1e2", "-7E-3"],
        ["-0.0", "0"],
        ["123456789012345678901234567890", "-12"],
        ["true", "false"],
        [None, None],
        ["1.10", None],
    ]


def test_one_column_and_one_row():
    assert columns(b'{"data":[["only"]]}') == [["only"]]
    assert columns(b'{"data":[[1],[2],[null]]}') == [["1", "2", None]]


def test_the_rows_key_is_found_only_at_the_top_level():
    body = b'{"x":"\\"data\\":[[1]]","nested":{"data":[[9]]},"data":[[2]],"after":"data"}'
    got = loads(body)
    assert got["nested"] == {"data": [[9]]} and got["x"] == '"data":[[1]]' and got["after"] == "data"
    assert columns(body) == [["2"]]


@pytest.mark.parametrize(
    "body",
    [
        b'{"data": [["a", 1], ["b", 2]]}',  # whitespace between tokens
        b'{\n"data":[["a",1]]}',
        b'{"data":[{"a":1},{"a":2}]}',  # an object per row
        b'{"data":[["a",[1,2]],["b",[3]]]}',  # nested arrays
        b'{"data":[["a",{"k":1}]]}',
        b'{"data":[["a","b"],["c"]]}',  # rows of different widths
        b'{"data":[[],[]]}',
        b'{"data":[]}',
        b'{"data":null,"arrowStream":"QUJD"}',
        b'{"rows":[["a"]]}',
        b"[1,2]",
    ],
)
def test_other_shapes_are_read_as_orjson_reads_them(body):
    assert loads(body) == orjson.loads(body)


@pytest.mark.parametrize(
    "body",
    [
        b'{"data":[["a",1],["b",2]',  # cut short
        b'{"data":[["a",1],["b",2]]',
        b'{"data":[["a,1],["b",2]]}',  # an unclosed string
        b'{"data":[["a",1,],["b",2,]]}',  # an empty value
        b'{"data":[["a",01],["b",2]]}',  # not JSON numbers
        b'{"data":[["a",1x],["b",2]]}',
        b'{"data":[["a",nul],["b",2]]}',
        b'{"data":[["a",tru],["b",2]]}',
        b'{"data":[["a" "b",1],["b",2]]}',
        b'{"data":[["\\q",1]]}',  # an invalid escape
        b'{"data":[["\xff\xfe",1]]}',  # not UTF-8
        b'{"data":[["a",1]]}}',
        b'{"data":[["a",1]],}',
    ],
)
def test_a_malformed_answer_raises_as_orjson_does(body):
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(body)
    with pytest.raises(orjson.JSONDecodeError):
        loads(body)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=6).flatmap(lambda w: st.lists(st.lists(scalars, min_size=w, max_size=w))))
def test_any_rows_of_scalars_read_as_orjson_reads_them(rows):
    body = orjson.dumps({"data": rows, "nextBatchId": "b1"})
    got = loads(body)
    if not rows:
        assert got == orjson.loads(body)
        return
    assert got["nextBatchId"] == "b1"
    text = [column.to_pylist() for column in got["data"].columns]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            read = text[c][r]
            if value is None or isinstance(value, str):
                assert read == value
            elif isinstance(value, bool):
                assert read == ("true" if value else "false")
            elif isinstance(value, int):
                assert read == str(value)
            else:
                assert read == orjson.dumps(value).decode() and math.isclose(float(read), value, rel_tol=0)
