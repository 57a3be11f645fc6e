"""The Python API page: one mkdocstrings section per module of the public names.

The public names and the modules that define them come from `surrogate._EXPORTS`, the
table behind `surrogate.__all__`, so the page follows the package.
"""

from __future__ import annotations

from collections import defaultdict


def render(exports: dict[str, str]) -> str:
    """The Markdown page for a name -> module table."""
    by_module: dict[str, list[str]] = defaultdict(list)
    for name, module in exports.items():
        by_module[module].append(name)
    lines = [
        "# Python API",
        "",
        "Generated at build time from the docstrings of the names `surrogate.__all__` "
        "exports (`from surrogate import train_model, load_trace`). Importing `surrogate` "
        "is light: each name is imported on first use, and magnum.np never is.",
        "",
    ]
    for module in sorted(by_module):
        names = sorted(by_module[module])
        lines += [f"## `{module}`", "", f"::: {module}", "    options:",
                  "      show_root_heading: false", "      heading_level: 3",
                  f"      members: [{', '.join(names)}]", ""]
    return "\n".join(lines)


def build() -> str:
    """The page for the installed package."""
    import surrogate

    return render(surrogate._EXPORTS)
