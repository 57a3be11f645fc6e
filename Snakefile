# Spin-Neural-ODE pipeline: mumax3 / magnum.np simulations -> traces -> Spin-NODE
# surrogates -> evaluation, figures and metrics. All physics and maths live in the
# `surrogate` package; each rule calls one of its commands.

from snakemake.utils import min_version

min_version("9.0")

# Snakemake's reading of a config file walks it with every alias written out: refuse an
# alias bomb, a recursive alias or a repeated merge key first, naming the file and line.
from surrogate.config.yaml_load import check_yaml_files

check_yaml_files(["config.yaml", *workflow.overwrite_configfiles])


configfile: "config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/render.smk"
include: "rules/simulate.smk"
include: "rules/extract.smk"
include: "rules/train.smk"
include: "rules/evaluate.smk"
include: "rules/benchmark.smk"
include: "rules/figure.smk"
include: "rules/parameter_sweep.smk"
include: "rules/mackey_glass.smk"
include: "rules/recognition.smk"
include: "rules/figures.smk"


rule all:
    input:
        all_outputs(),
    default_target: True
