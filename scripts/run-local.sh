#!/usr/bin/env bash
# Serves the platform locally: the Api (portal + gRPC-web on :8000, native gRPC on :8002) with the
# demo project, and the Slack gateway Cobot on :8001 linked to the demo project. Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=${CONFIG:-Debug}
DATA=${Storage__Path:-$PWD/.data}
mkdir -p "$DATA"
[ -s "$DATA/service-key" ] || head -c 32 /dev/urandom | base64 | tr -d '\n/+=' > "$DATA/service-key"
SERVICE_KEY=$(cat "$DATA/service-key")

export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
export Demo__Seed=${Demo__Seed:-true}
export Portal__Path=${Portal__Path:-$PWD/src/Portal/dist}
export Storage__Path=$DATA
export Security__ServiceKeys__slack=$SERVICE_KEY

rm -f "$DATA/demo-project-id"
dotnet "src/Api/bin/$CONFIG/net10.0/CoConstruisons.Api.dll" &
API=$!
trap 'kill $API ${GATEWAY:-} 2>/dev/null || true; wait 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 240); do
  [ -s "$DATA/demo-project-id" ] && curl -fs http://127.0.0.1:8000/healthz >/dev/null 2>&1 && break
  kill -0 $API 2>/dev/null || { echo "The Api stopped; see the messages above." >&2; exit 1; }
  sleep 1
done

# Local defaults: Slack itself cannot reach this machine; set real values (and a tunnel) to use a workspace (docs/slack.md).
SLACK_SIGNING_SECRET=${SLACK_SIGNING_SECRET:-local-development-signing-secret} \
SLACK_BOT_TOKEN=${SLACK_BOT_TOKEN:-xoxb-local-development} \
COBOT_API_KEY=$SERVICE_KEY \
COBOT_PROJECT_ID=${COBOT_PROJECT_ID:-$(cat "$DATA/demo-project-id")} \
COBOT_DATA_DIR=${COBOT_DATA_DIR:-$DATA/slack} \
dotnet "src/Gateways/Slack/bin/$CONFIG/net10.0/CoConstruisons.Gateways.Slack.dll" &
GATEWAY=$!
sleep 3
echo "  Passerelle Slack (Cobot)     : http://127.0.0.1:8001/slack/events (docs/slack.md)"
wait -n $API $GATEWAY
