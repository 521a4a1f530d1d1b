"""The engine stays pure: stdlib, the money kernel and the error base, nothing of the web."""

import ast
import sys
from pathlib import Path

import pos.discounts.engine

ENGINE = Path(pos.discounts.engine.__file__).parent
ALLOWED_POS_MODULES = {"pos.core.money", "pos.core.errors"}


def imported_modules(source: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_engine_modules_import_only_the_stdlib_money_and_errors():
    foreign = {
        (source.name, module)
        for source in sorted(ENGINE.glob("*.py"))
        for module in imported_modules(source)
        if module not in ALLOWED_POS_MODULES
        and module.split(".")[0] not in sys.stdlib_module_names
        and module != "__future__"
    }
    assert foreign == set()
