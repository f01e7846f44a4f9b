#!/usr/bin/env bash
# Sums dotnet test's per-project lines ("Passed!  - Failed: 0, Passed: 12, Skipped: 0, …") into one closing line.
set -euo pipefail
awk '
  /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:")  { f += $(i+1) + 0 }
      if ($i == "Passed:")  { p += $(i+1) + 0 }
      if ($i == "Skipped:") { s += $(i+1) + 0 }
    }
  }
  END { printf "dotnet: %d passed, %d failed, %d skipped\n", p, f, s; if (p == 0 || f > 0) exit 1 }
' "$1"
