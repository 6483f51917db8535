# quaywatch: the two commands of the README, and the steps they are made of.
#   make demo   install what is needed, build, analyse a simulated port-terminal capture
#   make test   install what is needed, build, run every test (also under ASan and UBSan)

JOBS        ?= $(shell nproc)
BUILD       ?= build
BUILD_SAN   ?= build-sanitize
BUILD_FUZZ  ?= build-fuzz
DEMO_DIR    ?= demo-out
CMAKE_FLAGS ?=

.PHONY: all deps build demo test test-unit test-sanitize test-fuzz-build fuzz bench format clean

all: build

deps:
	@bash scripts/install-deps.sh

# -O2 without debug information: the same code as RelWithDebInfo, compiled a third faster
# (the JSON-heavy files most of all); profilers still see every function. For file:line
# in a debugger: make CMAKE_FLAGS=-DCMAKE_CXX_FLAGS_RELEASE="-O2 -g -DNDEBUG".
$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@mkdir -p $(DEMO_DIR)
	$(BUILD)/src/app/quaywatch simulate --scenario violations -o $(DEMO_DIR)/terminal.pcap \
	  --seed 1 --packets 200000 --policy-out $(DEMO_DIR)/site.yaml
	$(BUILD)/src/app/quaywatch analyze $(DEMO_DIR)/terminal.pcap \
	  --policy $(DEMO_DIR)/site.yaml --out $(DEMO_DIR)
	node scripts/screenshots.mjs $(BUILD)/src/app/quaywatch $(DEMO_DIR)
	bash scripts/demo-integrity.sh $(abspath $(BUILD))/src/app/quaywatch $(abspath $(DEMO_DIR))
	@echo
	@echo "Demo outputs in $(DEMO_DIR)/:"
	@ls -l $(DEMO_DIR)
	@echo "  summary:   $(DEMO_DIR)/summary.json"
	@echo "  inventory: $(DEMO_DIR)/assets.json"
	@echo "  findings:  $(DEMO_DIR)/events.jsonl (each planted violation, judged by $(DEMO_DIR)/site.yaml)"
	@echo "  database:  $(DEMO_DIR)/quaywatch.sqlite (sqlite3 $(DEMO_DIR)/quaywatch.sqlite '.tables')"
	@echo "  report:    $(DEMO_DIR)/report.html (open it in a browser; screenshot: $(DEMO_DIR)/report.png)"
	@echo "  dashboard: $(BUILD)/src/app/quaywatch serve $(DEMO_DIR) (screenshots: $(DEMO_DIR)/dashboard.png, dashboard-map.png)"
	@echo "  integrity: $(DEMO_DIR)/integrity/ (signed baseline and its verification, backup check, transfer gate and its audit log)"

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The unit and integration tests again, built with clang under ASan and UBSan (at -O1, as
# ASan advises: the tshark comparisons run twice as fast as at -O0, asserts stay on; with
# line tables only, which is all a sanitizer report needs for file:line, and compiles a
# fifth faster than full debug information); this build also compiles the fuzz targets and
# replays their seed corpora and kept crashers.
test-sanitize: deps
	cmake -S . -B $(BUILD_SAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
	  -DCMAKE_CXX_FLAGS_DEBUG="-gline-tables-only -O1" -DQW_SANITIZE=ON -DQW_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(BUILD_SAN) -j $(JOBS)
	cd $(BUILD_SAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

# A build for real fuzzing (every library instrumented); `make fuzz` runs each target for
# FUZZ_SECONDS.
test-fuzz-build: deps
	cmake -S . -B $(BUILD_FUZZ) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ -DQW_FUZZ=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD_FUZZ) -j $(JOBS)

FUZZ_SECONDS ?= 60
fuzz: test-fuzz-build
	@bash scripts/run-fuzzers.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

test: test-unit test-sanitize

bench: build
	@bash bench/throughput.sh $(BUILD)
	@bash bench/hash_throughput.sh $(BUILD)
	@taskset -c 1 $(BUILD)/bench/dissect_bench --benchmark_min_time=0.2
	@taskset -c 1 $(BUILD)/bench/store_bench --benchmark_min_time=0.2

format:
	find src tests bench -name '*.cpp' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ) $(DEMO_DIR)
