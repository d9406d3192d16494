"""Errors are data: the PEP 249 class follows the SQLSTATE; hints and positions travel with it."""

from __future__ import annotations

import pytest

from cdpdb import exceptions as e


@pytest.mark.parametrize(
    ("sqlstate", "kind"),
    [
        ("22012", e.DataError),
        ("42601", e.ProgrammingError),
        ("42P01", e.ProgrammingError),
        ("0A000", e.NotSupportedError),
        ("25006", e.NotSupportedError),
        ("57014", e.OperationalError),
        ("53200", e.OperationalError),
        ("XX000", e.InternalError),
        ("P0001", e.DatabaseError),
    ],
)
def test_class_for_sqlstate(sqlstate, kind):
    assert e.class_for_sqlstate(sqlstate) is kind


def test_hint_and_position_change_message_and_data_together():
    error = e.ProgrammingError("the query failed at position 12: nope", sqlstate="42703", position=12)
    error.moved_to(5).with_hint('write "Name__c" in double quotes')
    assert (error.position, error.hint) == (5, 'write "Name__c" in double quotes')
    assert str(error) == 'the query failed at position 5: nope (hint: write "Name__c" in double quotes)'
    assert (error.retryable, error.disconnect, error.reason) == (False, False, None)
