#!/usr/bin/env bash
# Run by Snakemake inside the new rule environment: installs this workflow's package
# from SURROGATE_SOURCE, the folder of the Snakefile, which rules/common.smk exports.
# Editable, so the rules always run the workflow's current code.
set -euo pipefail
: "${SURROGATE_SOURCE:?must name the workflow folder (rules/common.smk exports it)}"
python -m pip install --constraint "$SURROGATE_SOURCE/constraints.txt" --editable "$SURROGATE_SOURCE"
