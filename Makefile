# skiff — every target is one command a person could type.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# hashicorp/aws comes from the machine's filesystem mirror where there is one (terraform.rc
# names it), and from the Terraform registry elsewhere (GitHub-hosted runners, laptops).
ifneq ($(wildcard /opt/tf-plugins),)
export TF_CLI_CONFIG_FILE := $(CURDIR)/terraform.rc
endif
export TF_IN_AUTOMATION := 1
export CHECKPOINT_DISABLE := 1
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED := true

TF_DIRS := $(sort $(dir $(wildcard modules/*/versions.tf examples/*/main.tf)))
SHELL_SCRIPTS := $(shell git ls-files '*.sh' 2>/dev/null; find scripts packer test images -name '*.sh' -not -path '*/node_modules/*' 2>/dev/null)
PACKER_TEMPLATES := $(wildcard packer/*/*.pkr.hcl)

.PHONY: help deps tools build release bump-runner test apply-test typecheck lint fmt vitest tf-fmt tf-test packer-check shellcheck docs docs-check e2e bench demo clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

# npm ci only: it installs exactly the committed lock file and fails when package.json and the
# lock disagree, instead of rewriting the lock in a fresh clone. test/npm-install.test.ts checks
# that it prints no warning (engines, install scripts).
node_modules/.package-lock.json: package-lock.json package.json lambdas/package.json
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.package-lock.json ## install npm dependencies (npm ci)

tools: ## install the Debian packages the checks need (packer, shellcheck, zip, jq)
	@bash scripts/ensure-tools.sh

build: deps ## bundle every Lambda into dist/lambdas/<name>.zip and print sizes
	node scripts/build.mjs

release: deps ## VERSION=x.y.z: the Lambda zips named for the version and their SHA256SUMS, in dist/release/
	bash scripts/release.sh "$(VERSION)"
bump-runner: ; node scripts/bump-runner.mjs $(or $(VERSION),latest) ## VERSION=x.y.z (default latest): pin that actions/runner release in versions.json, tarballs checked against its sums

test: deps tools typecheck lint vitest tf-fmt tf-test docs-check packer-check shellcheck apply-test ## run every check, offline

typecheck: deps ## TypeScript strict type check
	npx tsc -p tsconfig.json

lint: deps ## Biome lint + format check
	npx biome ci --colors=off .

fmt: deps ## rewrite TypeScript and HCL into canonical format
	npx biome check --write .
	terraform fmt -recursive
	$(if $(PACKER_TEMPLATES),for f in $(PACKER_TEMPLATES); do packer fmt "$$f"; done)

vitest: deps build ## unit, wire-level and end-to-end tests
	npx vitest run

tf-fmt: ## terraform fmt -check over every module and example
	terraform fmt -check -recursive -diff

tf-test: ## terraform init/validate/test for every module and example, offline
	@for d in $(TF_DIRS); do \
	  echo "== terraform $$d"; \
	  terraform -chdir=$$d init -backend=false -input=false -no-color >/dev/null; \
	  terraform -chdir=$$d validate -no-color; \
	  if ls $$d/tests/*.tftest.hcl >/dev/null 2>&1; then terraform -chdir=$$d test -no-color; fi; \
	done

apply-test: build ## apply, re-plan (no changes) and destroy every example against moto (test/apply)
	@python3 -c 'import moto.server, boto3' 2>/dev/null || python3 -m pip install --quiet 'moto[server]'
	test/apply/apply-test.sh $(dir $(wildcard examples/*/main.tf)) $(dir $(wildcard test/apply/fixtures/*/main.tf))

docs: ## regenerate module README tables
	node scripts/tfdocs.mjs

docs-check: ## fail when a module README's tables are out of date
	node scripts/tfdocs.mjs --check

packer-check: tools ## packer fmt -check and validate on every template
	@for f in $(PACKER_TEMPLATES); do \
	  echo "== packer $$f"; packer fmt -check "$$f"; packer validate "$$f"; \
	done

shellcheck: tools ## shellcheck every shell script
	@if [ -n "$(strip $(SHELL_SCRIPTS))" ]; then shellcheck $(sort $(SHELL_SCRIPTS)); fi

e2e: deps build ## end-to-end scenarios: the built zips wired like AWS on loopback, in fast time (test/e2e)
	npx vitest run test/e2e

bench: deps build ## benchmarks against the design's targets: prints a table, writes bench/results.json
	node test/e2e/run.mjs bench/bench.ts

demo: deps build ## try skiff without AWS: a local run with a timeline per job and a cost estimate
	node test/e2e/run.mjs test/e2e/demo.ts

clean: ## remove build output and Terraform working files
	rm -rf dist coverage
	find modules examples -name .terraform -type d -prune -exec rm -rf {} + 2>/dev/null || true
