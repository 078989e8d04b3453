# The two commands of the README, and the steps they are made of.
BUILD ?= build
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 30

.PHONY: setup build test test-sanitize fuzz demo bench clean

setup:
	@scripts/setup

build: setup
	@scripts/web
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@scripts/fuzz $(FUZZ_SECONDS)

# The suite under ASan + UBSan, and the concurrency tests under TSan (scripts/sanitize).
test-sanitize: setup
	@scripts/web
	@JOBS=$(JOBS) scripts/sanitize

fuzz: setup
	@scripts/fuzz $(FUZZ_SECONDS)

demo: build
	@scripts/demo

bench: build
	@$(BUILD)/bench/routing_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
	@bench/load.sh

clean:
	rm -rf $(BUILD) build-fuzz build-asan build-tsan
