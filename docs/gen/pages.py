"""mkdocs-gen-files script: writes the generated pages into the site at build time.

reference/config.md (schema + dataclasses), reference/cli.md (the argument parser),
reference/api.md (mkdocstrings directives for the package's public names), results.md
(benchmarks/results/) and the results' figures. Nothing it writes is committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import mkdocs_gen_files  # noqa: E402

from docs.gen import api_reference, cli_reference, config_reference, results_page  # noqa: E402
from docs.gen.results import read_all  # noqa: E402

PAGES = {
    "reference/config.md": config_reference.build,
    "reference/cli.md": cli_reference.build,
    "reference/api.md": api_reference.build,
    "results.md": results_page.build,
}

for page, build in PAGES.items():
    with mkdocs_gen_files.open(page, "w") as stream:
        stream.write(build())
    mkdocs_gen_files.set_edit_path(page, Path("gen") / "pages.py")

for result in read_all():
    for name in results_page.figure_names(result):
        with mkdocs_gen_files.open(f"{results_page.FIGURES}/{name}", "wb") as stream:
            stream.write((result.path.parent / name).read_bytes())
