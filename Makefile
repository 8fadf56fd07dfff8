# Granola: the two commands are `make serve` and `make test` (see README.md).
# Every step installs only what is missing, and fails loudly.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
# stages depend on each other in order (tools before builds, dist before e2e)
.NOTPARALLEL:
.DEFAULT_GOAL := help

PORT ?= 8080
# empty: pick a free port
E2E_PORT ?=
E2E_SITE_PORT ?=
WASM_BINDGEN_VERSION := 0.2.130
TRUNK_VERSION := 0.21.14
WASM_OPT_VERSION := version_132
CHROMEDRIVER ?= /usr/bin/chromedriver
CHROME_BIN ?= /usr/bin/chromium

# npm's wasm-opt (binaryen 132) must come before Debian's; cargo-installed tools after that.
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
export CHROMEDRIVER CHROME_BIN
export WASM_BINDGEN_TEST_TIMEOUT ?= 120

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help tools browser-tools editor dist serve test lint test-native test-wasm e2e e2e-site e2e-embed e2e-studio bench clean-dist

help:
	@echo "make serve   build dist/ and serve the site on http://127.0.0.1:$(PORT)/ (PORT=... to change)"
	@echo "make test    native tests, docs-example tests, browser tests in headless Chromium, release build, e2e smoke test"
	@echo "make bench   release sizes of dist/ (raw + gzip) and the CLI benchmarks"
	@echo "make dist    only build dist/ (the site, and the embed in dist/embed/)"
	@echo "make lint    rustfmt --check, clippy (warnings denied) on all targets, native and wasm32"

## ---- tools (idempotent) ----
tools:
	@echo "==> tools"
	if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
	  rustup target add wasm32-unknown-unknown
	fi
	if [ "$$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (about 2.5 min)"
	  # not --locked: its lockfile pins a webpki-roots this index does not have
	  cargo install --force wasm-bindgen-cli@$(WASM_BINDGEN_VERSION)
	fi
	if [ "$$(trunk --version 2>/dev/null || true)" != "trunk $(TRUNK_VERSION)" ]; then
	  echo "installing trunk $(TRUNK_VERSION) (about 7 min)"
	  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
	    cargo install --force --locked trunk@$(TRUNK_VERSION)
	fi
	if ! command -v npm >/dev/null; then
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q nodejs npm
	fi
	if [ "$$(wasm-opt --version 2>/dev/null | grep -o '($(WASM_OPT_VERSION))' || true)" != "($(WASM_OPT_VERSION))" ] \
	   || [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	  npm ci --no-audit --no-fund
	fi
	# granola-split (tools/split): the release build's last step (scripts/split-wasm.sh)
	CARGO_TARGET_DIR=target/tools cargo build --quiet --release --manifest-path tools/split/Cargo.toml
	wasm-bindgen --version; trunk --version; wasm-opt --version

browser-tools:
	@echo "==> browser and test tools"
	pkgs=()
	[ -x "$(CHROME_BIN)" ] || pkgs+=(chromium)
	[ -x "$(CHROMEDRIVER)" ] || pkgs+=(chromium-driver)
	command -v curl >/dev/null || pkgs+=(curl)
	command -v jq >/dev/null || pkgs+=(jq)
	if [ $${#pkgs[@]} -gt 0 ]; then
	  $(SUDO) apt-get update -q
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q "$${pkgs[@]}"
	fi
	"$(CHROMEDRIVER)" --version

## ---- the CodeMirror 6 editor bundle (www/editor/src -> www/editor/granola-editor.js) ----
## The built bundle is committed too (so a plain `trunk build` works); this keeps it in step
## with www/editor/src and package-lock.json.
editor: tools
	@echo "==> editor bundle (npm run build:editor)"
	npm run build:editor

## ---- build ----
# The site build: GRANOLA_DOCS_JSON tells build.rs to leave the docs pages out of the wasm and
# write them to that file; the Trunk hook scripts/docs-asset.py copies it to dist/docs.json.
dist: tools editor
	@echo "==> trunk build --release"
	cargo fetch
	# granola_split + --emit-relocs: the wasm is split into the first load and the modules
	# loaded on demand (src/web/lazy.rs) by the post_build hook scripts/split-wasm.sh.
	GRANOLA_DOCS_JSON="$(CURDIR)/target/site/docs.json" \
	  RUSTFLAGS="--cfg granola_split -C link-arg=--emit-relocs" trunk build --release
	echo "==> embed (dist/embed/: granola-embed.js + wasm, editor bundle, demo pages)"
	scripts/embed-build.sh dist/embed
	# brotli and gzip copies of every file, which `granola serve` sends as they are
	target/tools/release/granola-split --precompress dist
	ls -l dist

## ---- serve ----
serve: dist
	@echo "==> serve"
	cargo build --release --bin granola
	echo "Granola (site + API) on http://127.0.0.1:$(PORT)/"
	exec target/release/granola serve --addr 127.0.0.1:$(PORT) --dist dist

## ---- tests ----
# e2e-site: the documentation site's end-to-end test, after the smoke test.
test: tools browser-tools lint test-native test-wasm dist e2e e2e-site e2e-embed e2e-studio
	@echo "==> make test: all stages passed"

# rustfmt (rustfmt.toml) and clippy with warnings denied, on every target, native and wasm32.
lint: tools
	@echo "==> lint: cargo fmt --check, clippy native + wasm32"
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings

# Native unit + integration tests, including the docs-example tests.
test-native:
	@echo "==> cargo test (native)"
	mkdir -p target/logs
	cargo test 2>&1 | tee target/logs/test-native.log
	scripts/check-ran.sh target/logs/test-native.log native
	# the planner's verified digits (planner.plan and the plan-action transcripts) again with
	# the libm the browser computes with
	cargo test --features libm-math --test host_planner --test bt_transcripts 2>&1 | tee target/logs/test-libm.log
	scripts/check-ran.sh target/logs/test-libm.log libm

# Browser tests (tests/web_*.rs) in headless Chromium via wasm-bindgen-test-runner.
test-wasm:
	@echo "==> cargo test --target wasm32-unknown-unknown (headless Chromium)"
	mkdir -p target/logs
	cargo test --target wasm32-unknown-unknown --test 'web_*' 2>&1 | tee target/logs/test-wasm.log
	scripts/check-ran.sh target/logs/test-wasm.log browser

# End-to-end smoke test: dist/ served on loopback, driven by playwright-core + Chromium.
e2e:
	@mkdir -p target/logs target/e2e
	test -f dist/index.html
	port="$(E2E_PORT)"
	if [ -z "$$port" ]; then
	  port=$$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	fi
	if (exec 3<>/dev/tcp/127.0.0.1/$$port) 2>/dev/null; then
	  echo "port $$port is already in use by another process; set E2E_PORT to a free one"; exit 1
	fi
	echo "==> e2e smoke test against dist/ on 127.0.0.1:$$port"
	python3 -m http.server $$port --bind 127.0.0.1 --directory dist >target/logs/e2e-server.log 2>&1 & srv=$$!
	trap 'kill $$srv 2>/dev/null || true' EXIT
	for _ in $$(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$$port) 2>/dev/null && break; sleep 0.1; done
	kill -0 $$srv  # our server, not someone else's, is the one answering
	node scripts/e2e.mjs http://127.0.0.1:$$port/ target/e2e
	ls -l target/e2e

## ---- site e2e (reference page, search, playground, share link, REPL, jobs panel,
## population plot, phone) against dist/; screenshots target/e2e/site-*.png ----
e2e-site:
	@mkdir -p target/logs target/e2e
	test -f dist/index.html
	port="$(E2E_SITE_PORT)"
	if [ -z "$$port" ]; then
	  port=$$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	fi
	if (exec 3<>/dev/tcp/127.0.0.1/$$port) 2>/dev/null; then
	  echo "port $$port is already in use by another process; set E2E_SITE_PORT to a free one"; exit 1
	fi
	echo "==> site e2e against dist/ on 127.0.0.1:$$port"
	python3 -m http.server $$port --bind 127.0.0.1 --directory dist >target/logs/e2e-site-server.log 2>&1 & srv=$$!
	trap 'kill $$srv 2>/dev/null || true' EXIT
	for _ in $$(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$$port) 2>/dev/null && break; sleep 0.1; done
	node scripts/e2e-site.mjs http://127.0.0.1:$$port/ target/e2e

## ---- the live tree view's e2e (a node-kind page, the gallery's VLA policy and robot, dark
## mode, phone) against dist/; screenshots target/e2e/studio-*.png ----
e2e-studio:
	@mkdir -p target/logs target/e2e
	test -f dist/index.html
	port="$(E2E_STUDIO_PORT)"
	if [ -z "$$port" ]; then
	  port=$$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	fi
	if (exec 3<>/dev/tcp/127.0.0.1/$$port) 2>/dev/null; then
	  echo "port $$port is already in use by another process; set E2E_STUDIO_PORT to a free one"; exit 1
	fi
	echo "==> studio e2e against dist/ on 127.0.0.1:$$port"
	python3 -m http.server $$port --bind 127.0.0.1 --directory dist >target/logs/e2e-studio-server.log 2>&1 & srv=$$!
	trap 'kill $$srv 2>/dev/null || true' EXIT
	for _ in $$(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$$port) 2>/dev/null && break; sleep 0.1; done
	node scripts/e2e-studio.mjs http://127.0.0.1:$$port/ target/e2e

## ---- embed e2e (both demo pages over HTTP, the plain one from file://: values, errors,
## Stop, Cancel, shared sessions, editor, tree view, dark mode); screenshots target/e2e/embed-*.png ----
e2e-embed:
	@mkdir -p target/logs target/e2e
	test -f dist/embed/granola-embed.js
	port=$$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	echo "==> embed e2e against dist/embed/ on 127.0.0.1:$$port"
	python3 -m http.server $$port --bind 127.0.0.1 --directory dist >target/logs/e2e-embed-server.log 2>&1 & srv=$$!
	trap 'kill $$srv 2>/dev/null || true' EXIT
	for _ in $$(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$$port) 2>/dev/null && break; sleep 0.1; done
	kill -0 $$srv
	node scripts/e2e-embed.mjs http://127.0.0.1:$$port/embed/ dist/embed target/e2e

## ---- benchmarks ----
bench: dist
	scripts/bench.sh

clean-dist:
	rm -rf dist
