"""The writes the Profile API has, as SQL statements:

- ``DELETE FROM [sandbox.]profiles|accounts WHERE namespace = ... AND identity = ...`` (``=`` or
  ``IN``) → one ``DELETE /access/entities`` per (namespace, identity); rowcount = entities deleted
  (an identity that finds nothing counts 0);
- ``INSERT INTO profile_system_jobs (dataSetId | batchId) VALUES (...), ...`` → one delete request
  (``POST /system/jobs``) per row; rowcount = requests created;
- ``INSERT INTO merge_policies (name, attributeMerge_type[, attributeMerge_order, isActiveOnEdge,
  "default"]) VALUES (...)`` → ``POST /config/mergePolicies``; ``UPDATE merge_policies SET ... WHERE
  id = ...`` → ``PATCH /config/mergePolicies/{id}`` (a JSON Patch list); ``DELETE FROM merge_policies
  WHERE id = ...`` (``=`` or ``IN``) → ``DELETE /config/mergePolicies/{id}``.

Anything else is refused with NotSupportedError naming what is possible. Values must be literals
(placeholders are bound before this runs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.client import PlatformApi
from cdpdb.core.sqlapi.pushdown import NotALiteral, literal
from cdpdb.exceptions import NotSupportedError, ProgrammingError

POSSIBLE = (
    "the Adobe backend writes DELETE FROM profiles/accounts WHERE namespace = ... AND identity = ..., "
    "INSERT INTO profile_system_jobs (dataSetId or batchId) VALUES (...), INSERT INTO merge_policies "
    "(name, attributeMerge_type, ...) VALUES (...), UPDATE merge_policies SET ... WHERE id = ... and "
    "DELETE FROM merge_policies WHERE id = ..."
)
ENTITY_SCHEMAS = {"profiles": wire.PROFILE_SCHEMA, "accounts": wire.ACCOUNT_SCHEMA}
PATCH_PATHS = {  # UPDATE merge_policies SET <column> → the JSON Patch path it changes
    "name": "/name",
    "attributeMerge_type": "/attributeMerge/type",
    "attributeMerge_order": "/attributeMerge/order",
    "isActiveOnEdge": "/isActiveOnEdge",
    "default": "/default",
    "identityGraph_type": "/identityGraph/type",
}
POLICY_COLUMNS = (
    "name",
    "attributeMerge_type",
    "attributeMerge_order",
    "isActiveOnEdge",
    "default",
    "identityGraph_type",
)


class Writer:
    def __init__(self, api: PlatformApi, default_sandbox: str, sandboxes: Sequence[str]) -> None:
        self.api, self.default_sandbox, self.sandboxes = api, default_sandbox, list(sandboxes)

    def write(self, sql: str) -> int:
        try:
            statement = sqlglot.parse_one(sql, read="duckdb")
        except ParseError as exc:
            raise ProgrammingError(
                f"the statement could not be parsed: {exc.errors[0].get('description') if exc.errors else exc}",
                sqlstate="42601",
            ) from None
        if isinstance(statement, exp.Delete):
            sandbox, table = self._target(statement.this)
            if table in ENTITY_SCHEMAS:
                return self._delete_entities(sandbox, table, statement.args.get("where"))
            if table == "merge_policies":
                return self._delete_policies(sandbox, statement.args.get("where"))
        if isinstance(statement, exp.Update):
            sandbox, table = self._target(statement.this)
            if table == "merge_policies":
                return self._update_policies(sandbox, statement)
        if isinstance(statement, exp.Insert):
            target = statement.this
            columns = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else []
            sandbox, table = self._target(target.this if isinstance(target, exp.Schema) else target)
            rows = self._values(statement, columns)
            if table == "profile_system_jobs":
                return self._create(sandbox, wire.SYSTEM_JOBS, rows, self._system_job, "creating a delete request")
            if table == "merge_policies":
                return self._create(sandbox, wire.MERGE_POLICIES, rows, self._policy, "creating a merge policy")
        raise NotSupportedError(
            f"{statement.key.upper()} is not a write of the Profile API here: {POSSIBLE}", sqlstate="0A000"
        )

    def _target(self, node: Any) -> tuple[str, str]:
        if not isinstance(node, exp.Table):
            raise NotSupportedError(f"write to a table: {POSSIBLE}", sqlstate="0A000")
        sandbox = node.db or self.default_sandbox
        if sandbox not in self.sandboxes:
            raise ProgrammingError(
                f"{sandbox!r} is not a sandbox of this organisation: the schemas are {', '.join(self.sandboxes)}",
                sqlstate="3F000",
                reason="unknown_sandbox",
            )
        return sandbox, node.name.lower()

    @staticmethod
    def _restrictions(where: Any, allowed: Sequence[str], what: str) -> dict[str, list[str]]:
        """``column = v`` / ``column IN (...)`` conjuncts on ``allowed`` columns, nothing else."""
        if where is None:
            raise NotSupportedError(
                f"{what} needs a WHERE clause on {' and '.join(allowed)}", sqlstate="0A000", reason="identity_required"
            )
        found: dict[str, list[str]] = {}
        stack = [where.this]
        while stack:
            node = stack.pop()
            if isinstance(node, exp.And):
                stack += [node.left, node.right]
                continue
            if isinstance(node, exp.Paren):
                stack.append(node.this)
                continue
            column, values = None, None
            try:
                if isinstance(node, exp.EQ) and isinstance(node.left, exp.Column):
                    column, values = node.left.name, [literal(node.right)]
                elif isinstance(node, exp.In) and isinstance(node.this, exp.Column) and not node.args.get("query"):
                    column, values = node.this.name, [literal(v) for v in node.expressions]
            except NotALiteral:
                column = None
            if column is None or column not in allowed or values is None:
                raise NotSupportedError(
                    f"{what} takes only {' and '.join(allowed)} compared with = or IN (literals), not {node.sql()}",
                    sqlstate="0A000",
                )
            given = [str(v) for v in values if v is not None]
            found[column] = [v for v in found[column] if v in given] if column in found else given
        return found

    def _delete_entities(self, sandbox: str, table: str, where: Any) -> int:
        wanted = self._restrictions(where, ("namespace", "identity"), f"DELETE FROM {table}")
        if "namespace" not in wanted or "identity" not in wanted:
            raise NotSupportedError(
                f"DELETE FROM {table} deletes by identity: give both namespace and identity",
                sqlstate="0A000",
                reason="identity_required",
            )
        deleted = 0
        for ns in dict.fromkeys(wanted["namespace"]):
            for ident in dict.fromkeys(wanted["identity"]):
                params = {wire.P_SCHEMA: ENTITY_SCHEMAS[table], wire.P_ENTITY_ID: ident, wire.P_ENTITY_NS: ns}
                try:
                    self.api.call(
                        "DELETE",
                        self.api.url(wire.ENTITIES),
                        params=params,
                        sandbox=sandbox,
                        what=f"deleting a {table[:-1]}",
                        expect="none",
                    )
                except ProgrammingError as exc:
                    if exc.reason == wire.UPS_NOT_FOUND:
                        continue
                    raise
                deleted += 1
        return deleted

    def _delete_policies(self, sandbox: str, where: Any) -> int:
        wanted = self._restrictions(where, ("id",), "DELETE FROM merge_policies")
        for policy in dict.fromkeys(wanted.get("id", [])):
            self.api.call(
                "DELETE",
                self.api.url(wire.MERGE_POLICY, id=policy),
                sandbox=sandbox,
                what=f"deleting merge policy {policy}",
                expect="none",
            )
        return len(dict.fromkeys(wanted.get("id", [])))

    def _update_policies(self, sandbox: str, statement: exp.Update) -> int:
        """``UPDATE merge_policies SET ... WHERE id = ...`` → one JSON Patch per policy."""
        wanted = self._restrictions(statement.args.get("where"), ("id",), "UPDATE merge_policies")
        ops = []
        for assignment in statement.expressions:
            if not isinstance(assignment, exp.EQ) or not isinstance(assignment.left, exp.Column):
                raise NotSupportedError("UPDATE merge_policies takes SET column = literal", sqlstate="0A000")
            column = assignment.left.name
            try:
                value = literal(assignment.right)
            except NotALiteral:
                raise NotSupportedError("UPDATE merge_policies takes literal values only", sqlstate="0A000") from None
            if column not in PATCH_PATHS:
                raise ProgrammingError(
                    f"UPDATE merge_policies can set {', '.join(PATCH_PATHS)}, not {column}", sqlstate="42703"
                )
            if column == "attributeMerge_order" and value is not None:
                value = _order(value)
            ops.append({"op": "add", "path": PATCH_PATHS[column], "value": value})
        ids = list(dict.fromkeys(wanted.get("id", [])))
        for policy in ids:
            self.api.call(
                "PATCH",
                self.api.url(wire.MERGE_POLICY, id=policy),
                json=ops,
                sandbox=sandbox,
                what=f"changing merge policy {policy}",
                safe=False,
            )
        return len(ids)

    @staticmethod
    def _values(statement: exp.Insert, columns: list[str]) -> list[dict[str, Any]]:
        source = statement.expression
        if not isinstance(source, exp.Values) or not columns:
            raise NotSupportedError(f"INSERT needs a column list and VALUES: {POSSIBLE}", sqlstate="0A000")
        rows = []
        for row in source.expressions:
            cells = row.expressions if isinstance(row, exp.Tuple) else [row]
            if len(cells) != len(columns):
                raise ProgrammingError(f"VALUES has {len(cells)} values for {len(columns)} columns", sqlstate="21S01")
            try:
                rows.append({c: literal(v) for c, v in zip(columns, cells, strict=True)})
            except NotALiteral:
                raise NotSupportedError("INSERT takes literal values only", sqlstate="0A000") from None
        return rows

    def _create(
        self,
        sandbox: str,
        path: str,
        rows: list[dict[str, Any]],
        body: Callable[[dict[str, Any]], dict[str, Any]],
        what: str,
    ) -> int:
        bodies = [body(row) for row in rows]  # every row checked before the first is sent
        for item in bodies:
            self.api.post(self.api.url(path), item, sandbox=sandbox, what=what)
        return len(bodies)

    @staticmethod
    def _system_job(row: dict[str, Any]) -> dict[str, Any]:
        unknown = set(row) - {"dataSetId", "batchId"}
        given = {k: str(v) for k, v in row.items() if v is not None}
        if unknown or len(given) != 1:
            raise ProgrammingError(
                "INSERT INTO profile_system_jobs takes exactly one of dataSetId and batchId per row", sqlstate="42703"
            )
        return given

    @staticmethod
    def _policy(row: dict[str, Any]) -> dict[str, Any]:
        unknown = set(row) - set(POLICY_COLUMNS)
        if unknown or not row.get("name") or not row.get("attributeMerge_type"):
            raise ProgrammingError(
                f"INSERT INTO merge_policies takes name and attributeMerge_type (and "
                f"{', '.join(POLICY_COLUMNS[2:])}); not {', '.join(sorted(unknown)) or 'without them'}",
                sqlstate="42703",
            )
        merge: dict[str, Any] = {"type": row["attributeMerge_type"]}
        order = row.get("attributeMerge_order")
        if order:
            merge["order"] = _order(order)
        return {
            "name": row["name"],
            "schema": {"name": wire.PROFILE_SCHEMA},
            "identityGraph": {"type": row.get("identityGraph_type") or "pdg"},
            "attributeMerge": merge,
            "isActiveOnEdge": bool(row.get("isActiveOnEdge")),
            "default": bool(row.get("default")),
        }


def _order(value: Any) -> list[str]:
    """Dataset ids in precedence order: a JSON list or comma-separated text."""
    text = str(value)
    if text.startswith("["):
        return [str(v) for v in orjson.loads(text)]
    return [part.strip() for part in text.split(",") if part.strip()]
