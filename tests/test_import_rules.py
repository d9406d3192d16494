"""The import rules of the design (../shared/design.md, "Rules of the house"), checked on the
source with the standard library's ``ast``: layers import only downwards, no cycles, core names
no vendor, backends never import each other, no client module imports an emulator, and
dialects never speak HTTP themselves."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "cdpdb"

# Old import paths kept for users' code: each only re-exports from its new home.
COMPAT_SHIMS = {"cdpdb.sqlalchemy.superset", "cdpdb.sqlalchemy.dialect"}
#: Public names of backends' typed clients: thin re-exports of ``cdpdb.backends.<name>...``.
PUBLIC_CLIENTS = {"cdpdb.apis", "cdpdb.webhooks", "cdpdb.treasuredata", "cdpdb.adobe"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imported(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """Every cdpdb module ``tree`` imports at run time (``if TYPE_CHECKING:`` blocks excluded),
    with the line; ``from a import b`` counts as ``a.b`` when ``a.b`` is a module."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if _type_checking_only(node):
            continue
        stack.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "cdpdb":
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "cdpdb":
            for alias in node.names:
                yield f"{node.module}.{alias.name}", node.lineno


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def resolve(name: str) -> str:
    """The module an imported name lives in (``cdpdb.core.http.HttpClient`` → ``cdpdb.core.http``)."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


GRAPH = {
    module: {(resolve(target), line) for target, line in imported(ast.parse(path.read_text()))} - {(module, 0)}
    for module, path in MODULES.items()
}


def backend_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] == ["cdpdb", "backends"] and len(parts) > 2 and parts[2] != "base":
        return parts[2]
    return None


def layer(module: str) -> int:
    """0 foundation, 1 core, 2 backend contract, 3 backend clients, 4 DB-API, 5 dialects,
    emulators and the drop-in facades of other connectors (``compat``: they drive the DB-API,
    and at 5 rather than 6 the rule that no client imports an emulator covers them), 6 command line."""
    parts = module.split(".")
    if module in COMPAT_SHIMS:
        return 6
    if module in ("cdpdb._version", "cdpdb.exceptions", "cdpdb.dbapi_types"):
        return 0
    if parts[:2] == ["cdpdb", "core"]:
        return 1
    if module in ("cdpdb.backends", "cdpdb.backends.base"):
        return 2
    if backend_of(module):
        if len(parts) == 3:
            return 4  # a backend's package: its typed connect(), a DB-API facade
        if parts[3] == "cli" or parts[3].startswith("cli_"):
            return 6  # its commands of the command line
        return 5 if parts[3] in ("sqlalchemy", "local", "compat", "scaleout") else 3
    if module in ("cdpdb", "cdpdb.connection", "cdpdb.cursor") or module in PUBLIC_CLIENTS:
        return 4
    if parts[1] in ("sqlalchemy", "local", "compat", "ray", "dask", "spark"):
        return 5  # ray, dask, spark: the scale-out readers' public names (they drive the DB-API)
    if parts[1] in ("cli", "__main__"):
        return 6
    raise AssertionError(f"{module} has no layer in the import rules: add it to the design and to this test")


def is_emulator(module: str) -> bool:
    parts = module.split(".")
    return parts[:2] == ["cdpdb", "local"] or (backend_of(module) is not None and parts[3:4] == ["local"])


def edges(graph: dict[str, set[tuple[str, int]]] = GRAPH) -> Iterator[tuple[str, str, int]]:
    for module, targets in graph.items():
        for target, line in sorted(targets):
            if target != module:
                yield module, target, line


def upward_imports(graph: dict[str, set[tuple[str, int]]]) -> list[str]:
    return [
        f"{m}:{line} imports {t} (layer {layer(m)} → {layer(t)})"
        for m, t, line in edges(graph)
        if layer(t) > layer(m) and not (m == "cdpdb" and t.startswith("cdpdb.backends"))
    ]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    visiting: set[str] = set()
    done: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        if node in done:
            return
        if node in visiting:
            found.append(path[path.index(node) :])
            return
        visiting.add(node)
        for target in sorted(graph.get(node, ())):
            visit(target, [*path, target])
        visiting.discard(node)
        done.add(node)

    for module in sorted(graph):
        visit(module, [module])
    return found


def test_every_module_has_a_layer():
    for module in MODULES:
        layer(module)


def test_layers_import_only_downwards():
    upward = upward_imports(GRAPH)
    assert not upward, "\n".join(upward)


def test_the_root_opens_backends_only_through_the_contract():
    root_imports = {t for m, t, _ in edges() if m == "cdpdb"}
    assert not {t for t in root_imports if backend_of(t)}, root_imports


def is_kit(module: str) -> bool:
    return module == "cdpdb.local" or module.startswith("cdpdb.local.")


def test_core_and_the_kit_name_no_vendor():
    for module, path in MODULES.items():
        if module.startswith("cdpdb.core") or module == "cdpdb.backends.base" or is_kit(module):
            text = path.read_text().lower()
            if module == "cdpdb.backends.base":  # the registry: built-in backends by their folder's name
                text = re.sub(r'"(\w+)": "cdpdb\.backends\.\1\.session:open_session"', "", text)
                text = text.replace('default_backend = "salesforce"', "")
            for vendor in ("salesforce", "data cloud", "treasure", "adobe", "customer.io", "crescendo"):
                assert vendor not in text, f"{module} names {vendor!r}"


def test_the_kit_imports_no_backend():
    """The emulator kit serves every backend's emulator, so it depends on none of them; of
    ``cdpdb.backends`` it may read the contract only (the default backend's name, for the old
    ``cdpdb.local.serve``)."""
    assert [m for m in MODULES if is_kit(m)], "the kit has moved: update is_kit()"
    leaks = [f"{m}:{line} → {t}" for m, t, line in edges() if is_kit(m) and backend_of(t)]
    assert not leaks, leaks


def test_backends_never_import_each_other():
    crossing = [
        f"{m}:{line} → {t}"
        for m, t, line in edges()
        if backend_of(m) and backend_of(t) and backend_of(m) != backend_of(t)
    ]
    assert not crossing, crossing


def test_no_client_module_imports_an_emulator():
    leaks = [f"{m}:{line} → {t}" for m, t, line in edges() if is_emulator(t) and not is_emulator(m) and layer(m) < 6]
    assert not leaks, leaks


def test_dialects_never_speak_http():
    for module, path in MODULES.items():
        if "sqlalchemy" in module.split("."):
            tree = ast.parse(path.read_text())
            names = (
                {t for t, _ in imported(tree)}
                | {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
                | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
            )
            assert not {n for n in names if n.startswith(("cdpdb.core.http", "requests", "urllib3"))}, module


def test_there_is_no_import_cycle():
    graph = {m: {t for t, _ in targets if t != m} for m, targets in GRAPH.items()}
    for module, targets in graph.items():  # a package re-exporting its own submodules is no cycle
        if MODULES[module].name == "__init__.py":
            graph[module] = {t for t in targets if not t.startswith(module + ".")}
    found = cycles(graph)
    assert not found, "\n".join(" → ".join(c) for c in found)


def test_the_compat_facades_sit_above_the_db_api():
    """``cdpdb.compat`` only names what ``backends/salesforce/compat`` builds on the DB-API; the
    DB-API and the backend's clients never reach up into either."""
    facades = [m for m in MODULES if m.startswith(("cdpdb.compat", "cdpdb.backends.salesforce.compat"))]
    assert facades and all(layer(m) == 5 for m in facades), facades
    assert {t for m, t, _ in edges() if m.startswith("cdpdb.compat") and t.startswith("cdpdb.backends")} <= {
        m for m in facades if m.startswith("cdpdb.backends.salesforce.compat")
    }
    assert not [f"{m} → {t}" for m, t, _ in edges() if layer(m) < 5 and t in facades]


def test_the_checks_find_what_they_look_for():
    """Not vacuous: a made-up upward import and a made-up cycle are reported, and an import
    under ``if TYPE_CHECKING:`` is not an import."""
    assert upward_imports({"cdpdb.core.http": {("cdpdb.cursor", 3)}}) == [
        "cdpdb.core.http:3 imports cdpdb.cursor (layer 1 → 4)"
    ]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    tree = ast.parse("if TYPE_CHECKING:\n    from cdpdb.connection import Connection\nimport cdpdb.core.http\n")
    assert [t for t, _ in imported(tree)] == ["cdpdb.core.http"]
