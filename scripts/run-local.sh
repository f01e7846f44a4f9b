#!/usr/bin/env bash
# Serves the platform locally: the Api (portal + gRPC-web on :8000, native gRPC on :8002) with the demo project.
set -euo pipefail
cd "$(dirname "$0")/.."
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
export Demo__Seed=${Demo__Seed:-true}
export Portal__Path=${Portal__Path:-$PWD/src/Portal/dist}
exec dotnet run --project src/Api --no-build -c "${CONFIG:-Debug}"
