#!/bin/sh
# The module dependency rules of STYLE.md hold (see tools/lint.sh).
exec "$(dirname "$0")/../../tools/lint.sh"
