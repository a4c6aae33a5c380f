#!/usr/bin/env python3
"""Fail when the top-level modules of a crate import each other in a circle.

Issue 13 found the binary's modules importing in a circle (web -> serve -> openapi -> web); a
crate whose modules depend on each other one way can be read, and split, from the bottom up.
For every crate under crates/, each file's `crate::NAME` paths (in `use` lines and in code) give
an arrow from the file's top-level module to module NAME; `super::` inside a module's own folder
stays inside it. Comments and strings are not read. Exit 1, naming each circle, if any crate has
one; 0 otherwise. Standard library only.

Usage: python3 tools/module_cycles.py [CRATES_DIR]
"""
import pathlib
import re
import sys

CRATE_PATH = re.compile(r"\bcrate::(?:\{([^}]*)\}|([a-z_][a-z0-9_]*))")


def strip(text: str) -> str:
    """The text without comments and string literals (approximately, which is enough here)."""
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'r#*"(?:.|\n)*?"#*', '""', text)
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def top_module(src: pathlib.Path, file: pathlib.Path) -> str | None:
    rel = file.relative_to(src)
    if rel.parts[0] in ("lib.rs", "main.rs"):
        return None
    return rel.parts[0].removesuffix(".rs")


def edges(src: pathlib.Path) -> dict[str, set[str]]:
    modules = {p.name.removesuffix(".rs") for p in src.iterdir() if p.suffix == ".rs" or p.is_dir()}
    graph: dict[str, set[str]] = {}
    for file in src.rglob("*.rs"):
        here = top_module(src, file)
        if here is None:
            continue
        for group, single in CRATE_PATH.findall(strip(file.read_text(encoding="utf-8"))):
            names = [single] if single else [n.strip().split("::")[0] for n in group.split(",")]
            for name in names:
                if name in modules and name != here:
                    graph.setdefault(here, set()).add(name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent / "crates")
    failed = False
    for crate in sorted(p for p in root.iterdir() if (p / "src").is_dir()):
        for circle in cycles(edges(crate / "src")):
            print(f"{crate.name}: modules import each other in a circle: {', '.join(circle)}")
            failed = True
    if not failed:
        print("module_cycles: no crate's modules import each other in a circle")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
