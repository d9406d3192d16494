"""Treasure Data's Audience API, typed: ``cdpdb.treasuredata.client(conn)`` on a connection
opened with ``backend="treasuredata"`` gives parent segments, segments, folders, activations,
behaviours and population history as dataclasses, and creates, updates and deletes segments
and folders over the connection's own HTTP session (docs/treasuredata.md).

This module only names the public API; the code is in :mod:`cdpdb.backends.treasuredata`
(``audience``, ``objects``, ``rules``).
"""

from cdpdb.backends.treasuredata.audience import AudienceClient, as_rule, client
from cdpdb.backends.treasuredata.objects import (
    Activation,
    ActivationRun,
    Attribute,
    Behavior,
    BehaviorColumn,
    Folder,
    ParentSegment,
    PopulationPoint,
    Segment,
    User,
)
from cdpdb.backends.treasuredata.rules import Rule, RuleError
from cdpdb.backends.treasuredata.where import rule_from_where

__all__ = [
    "Activation",
    "ActivationRun",
    "Attribute",
    "AudienceClient",
    "Behavior",
    "BehaviorColumn",
    "Folder",
    "ParentSegment",
    "PopulationPoint",
    "Rule",
    "RuleError",
    "Segment",
    "User",
    "as_rule",
    "client",
    "rule_from_where",
]
