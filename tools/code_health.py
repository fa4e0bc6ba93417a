"""Which of feedback's packages import which, and the largest modules and functions: the
figures issue 12 is judged by, read from the source (ast), so anyone can run it.

    .venv/bin/python tools/code_health.py [--top 12]

A package is the first level under feedback/ (`services`, `sms`, `web`, ...; a module directly
under feedback/ is its own). An import inside a function counts like any other."""

import argparse
import ast
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "feedback"


def unit_of(module: str) -> str | None:
    """`feedback.services.intake` -> `services`; not ours -> None."""
    parts = module.split(".")
    if parts[0] != "feedback" or len(parts) < 2:
        return None
    return parts[1]


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(tree: ast.AST, module: str, is_package: bool) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found += [f"{name}.{alias.name}" for alias in node.names] if name else []
    return found


def functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node.lineno, node.end_lineno - node.lineno + 1


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--top", type=int, default=12)
    options = arguments.parse_args()
    edges: Counter = Counter()
    sizes, function_sizes = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        source = path.read_text()
        tree = ast.parse(source)
        sizes.append((len(source.splitlines()), str(path.relative_to(ROOT))))
        for name, line, length in functions(tree):
            function_sizes.append((length, f"{path.relative_to(ROOT)}:{line} {name}"))
        here = unit_of(module)
        for imported in imported_modules(tree, module, path.name == "__init__.py"):
            there = unit_of(imported)
            if here and there and there != here:
                edges[(here, there)] += 1
    print("imports between feedback/ packages (importer -> imported: import statements' names)")
    for (here, there), count in sorted(edges.items()):
        back = " (both ways)" if (there, here) in edges else ""
        print(f"  {here:>18} -> {there:<18} {count:3}{back}")
    cycles = sorted({tuple(sorted(pair)) for pair in edges if (pair[1], pair[0]) in edges})
    print(f"pairs importing each other: {len(cycles)}: " + ", ".join("↔".join(c) for c in cycles))
    print(f"\nlargest modules (lines), of {len(sizes)}")
    for lines, name in sorted(sizes, reverse=True)[: options.top]:
        print(f"  {lines:5}  {name}")
    print(f"\nlargest functions (lines), of {len(function_sizes)}")
    for lines, name in sorted(function_sizes, reverse=True)[: options.top]:
        print(f"  {lines:5}  {name}")


if __name__ == "__main__":
    main()
