# Co-construisons — quick start: `make run` (build, PostgreSQL, demo on 127.0.0.1:8000) and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
DOTNET ?= dotnet
CONFIG ?= Debug
PORTAL := src/Portal
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

.PHONY: all build portal dotnet-build postgres run test test-dotnet test-portal bench-smoke clean

all: build

build: portal dotnet-build

portal: $(PORTAL)/dist/index.html

$(PORTAL)/node_modules/.package-lock.json: $(PORTAL)/package-lock.json
	npm --prefix $(PORTAL) ci --no-audit --no-fund
	touch $@

$(PORTAL)/dist/index.html: $(PORTAL)/node_modules/.package-lock.json $(shell find $(PORTAL)/src $(PORTAL)/index.html protos -type f -not -path '*/gen/*' 2>/dev/null)
	npm --prefix $(PORTAL) run build

dotnet-build:
	$(DOTNET) build CoConstruisons.sln -c $(CONFIG) -nologo -v quiet -clp:ErrorsOnly

postgres:
	./scripts/ensure-postgres.sh

run: build postgres
	./scripts/run-local.sh

test: build postgres test-dotnet test-portal bench-smoke
	@echo "[test] all test suites and benchmark smoke runs passed"

test-dotnet:
	@rm -rf artifacts/test-results && mkdir -p artifacts
	$(DOTNET) test CoConstruisons.sln -c $(CONFIG) --no-build --logger "trx" --results-directory artifacts/test-results 2>&1 | tee artifacts/dotnet-test.log
	@./scripts/summarize-tests.sh artifacts/dotnet-test.log

test-portal:
	npm --prefix $(PORTAL) test

COCO := $(DOTNET) src/Cli/bin/$(CONFIG)/net10.0/coconstruisons.dll

# Each benchmark in its small smoke mode (generated data, seconds); full runs are on demand.
bench-smoke:
	@mkdir -p artifacts
	$(COCO) bench consensus --smoke > artifacts/bench-consensus-smoke.json
	$(COCO) bench experiments --smoke > artifacts/bench-experiments-smoke.json
	$(COCO) bench model --smoke > artifacts/bench-model-smoke.json
	$(COCO) bench replay --smoke --chart artifacts/replay-smoke.png > artifacts/bench-replay-smoke.json
	$(COCO) bench loop --smoke > artifacts/bench-loop-smoke.json
	$(COCO) bench serve --smoke --api-config $(CONFIG) > artifacts/bench-serve-smoke.json
	@for f in artifacts/bench-*-smoke.json; do echo "$$f: $$(cat $$f | tr -d '\n' | cut -c1-300)"; done

clean:
	rm -rf artifacts $(PORTAL)/dist
	$(DOTNET) clean CoConstruisons.sln -v quiet
