# tools/: modemsim and helpers. Each tools/<name>.mk adds its own program.
include $(filter-out tools/module.mk,$(wildcard tools/*.mk))
