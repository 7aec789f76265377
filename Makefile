# Thin wrapper around CMake (the original README's `make` / `sudo make install`).
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc)
PREFIX     ?= /usr/local
CMAKE_FLAGS ?=

# Debian packages the build, the tests and the benchmarks need.
DEB_PACKAGES = g++ cmake make pkg-config libvalijson-dev nlohmann-json3-dev libboost-dev \
  libboost-program-options-dev libgtest-dev libgmock-dev libbenchmark-dev libseccomp-dev \
  lld busybox-static runc crun hyperfine time iproute2 python3 strace \
  podman containerd conmon catatonit containernetworking-plugins

# Only for `make fuzz` (clang's libFuzzer and its sanitizer runtimes), not for CI.
FUZZ_PACKAGES = clang libclang-rt-14-dev
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= load_fuzz validate_fuzz compile_fuzz

.PHONY: all deps fuzz-deps build test test-asan fuzz demo install bench clean

all: build

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$(echo $$missing | sed 's/^/ /')"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

fuzz-deps:
	@missing=$$(for p in $(FUZZ_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "make fuzz-deps: installing$$(echo $$missing | sed 's/^/ /')"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: deps
	$(MAKE) build
	cd $(BUILD) && ctest --output-on-failure -j 1

$(BUILD_ASAN)/CMakeCache.txt:
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DRUNC_SANITIZE=ON $(CMAKE_FLAGS)

test-asan: deps $(BUILD_ASAN)/CMakeCache.txt
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j 1

# libFuzzer targets (tests/fuzz/), run by hand: not part of `make test` or CI. Builds them with
# clang, ASan and UBSan in $(BUILD_FUZZ) and runs each for FUZZ_SECONDS over a corpus seeded from
# the fixtures and golden configs (tests/fuzz/run.sh says where corpus, crashes and logs go).
$(BUILD_FUZZ)/CMakeCache.txt:
	CC=clang CXX=clang++ cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRUNC_FUZZ=ON \
	  -DRUNC_STATIC=OFF $(CMAKE_FLAGS)

fuzz: deps fuzz-deps $(BUILD_FUZZ)/CMakeCache.txt
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target $(FUZZ_TARGETS)
	./tests/fuzz/run.sh $(BUILD_FUZZ) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

demo: deps
	$(MAKE) build
	./tests/demo.sh $(BUILD)/runc

install: build
	install -D -m 0755 $(BUILD)/runc $(DESTDIR)$(PREFIX)/sbin/runc

bench: deps
	$(MAKE) build
	./tests/bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
