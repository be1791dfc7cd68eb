# kctl — see README.md. `make demo` runs the main job, `make test` every test.
SHELL := /bin/bash
CARGO ?= cargo
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: deps build test bench demo completions fmt

deps:
	@scripts/install-deps

build: deps
	$(CARGO) build --release --locked

test: deps
	$(CARGO) fmt --all -- --check
	$(CARGO) test --locked --lib --bins --tests
	# Benchmarks are compiled, not run (`make bench` runs them).
	$(CARGO) check --locked --benches
	$(CARGO) test --locked --doc

bench: deps
	$(CARGO) bench --locked --bench store
	$(CARGO) bench --locked --bench apiserver
	$(CARGO) bench --locked --bench cli
	$(CARGO) bench --locked --bench cluster
	$(CARGO) bench --locked --bench kubelet

# Regenerates completions/ from the CLI definition (a test checks they are in sync).
completions:
	KCTL_UPDATE_GOLDEN=1 $(CARGO) test --locked --test completions

demo: build
	@scripts/demo
