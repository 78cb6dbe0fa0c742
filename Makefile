# jitffi: make test runs every test in both cgo modes; make bench runs the
# benchmark harness. See README.md.

GO      ?= go
PKGS    ?= ./...
TESTFLAGS ?= -count=1 -timeout 15m

.PHONY: test test-cgo0 test-cgo1 test-trace test-race check vet fmt bench stress dump zlib sqlite

test: check zlib sqlite test-cgo0 test-cgo1 test-trace

# Shared libraries some tests and bench rows use, installed with apt-get
# when missing and running as root; without them those are skipped.
# $(call need-lib,file,package,what uses it)
define need-lib
	@if ! find /lib /usr/lib /lib64 /usr/lib64 -maxdepth 2 -name $(1) 2>/dev/null | grep -q .; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "$(1) not found; installing $(2)"; \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(2); \
		else \
			echo "$(1) not found: install it (apt-get install $(2)); $(3) are skipped" >&2; \
		fi; \
	fi
endef

zlib:
	$(call need-lib,libz.so.1,zlib1g-dev,the CDef example test and the libz.crc32 bench rows)

sqlite:
	$(call need-lib,libsqlite3.so.0,libsqlite3-0,TestCallbackSQLite and its subtests)

test-cgo0:
	CGO_ENABLED=0 $(GO) test $(TESTFLAGS) $(PKGS)

test-cgo1:
	CGO_ENABLED=1 $(GO) test $(TESTFLAGS) $(PKGS)

# The root package and the checker again with counting trampolines, so
# that fastcheck.Require proves every call reached its trampoline.
test-trace:
	CGO_ENABLED=0 $(GO) test $(TESTFLAGS) -tags jitffi_trace . ./fastcheck/

# The root package and the runtime probe under the race detector (which
# needs cgo). The probe's test starts RACEPROCS fresh race-built processes.
RACEPROCS ?= 40
test-race:
	CGO_ENABLED=1 $(GO) test $(TESTFLAGS) -race .
	CGO_ENABLED=1 $(GO) test $(TESTFLAGS) -race ./internal/rtprobe/ -args -probe.procs=$(RACEPROCS)

# Longer stress run (STRESS=10m make stress).
STRESS ?= 2m
stress:
	$(GO) test -count=1 -timeout 0 -run 'TestStress$$' -v . -args -stress=$(STRESS)

# Print the plan and trampoline of a signature: make dump SIG='f64(i32, f64)' ARCH=arm64
SIG  ?= i32(i32, i32)
ARCH ?= $(shell $(GO) env GOARCH)
dump:
	@$(GO) run ./internal/cmd/dump -arch '$(ARCH)' '$(SIG)'

check: vet fmt staticcheck

# staticcheck runs when installed (go install
# honnef.co/go/tools/cmd/staticcheck@v0.8.2 supports Go 1.26); nothing
# requires it. Exceptions: ST1005 (error strings start with a capital)
# is off because the Go-type mismatch messages start with the proper noun
# "Go" ("Go type int64 does not match C type i32") and are always wrapped
# after "parameter N: "; one SA1019 is silenced in jit/arm64enc.go with its
# reason (golang-asm's CSEL needs the deprecated SetFrom3).
STATICCHECK ?= $(shell command -v staticcheck 2>/dev/null || ls "$$($(GO) env GOPATH)/bin/staticcheck" 2>/dev/null)
.PHONY: staticcheck
staticcheck:
	@if [ -n "$(STATICCHECK)" ]; then \
		echo "$(STATICCHECK) ./..."; CGO_ENABLED=0 "$(STATICCHECK)" -checks 'inherit,-ST1005' ./...; \
	else \
		echo "staticcheck not installed: skipped (see the Makefile's check target)"; \
	fi

vet:
	CGO_ENABLED=0 $(GO) vet $(PKGS)
	CGO_ENABLED=1 $(GO) vet $(PKGS)

fmt:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# make bench: BENCHCOUNT runs of every benchmark in ./bench/ (BENCHTIME
# each), the raw output in $(BENCHOUT)/bench.txt, then one table of the
# results and a chart in $(BENCHOUT)/bench.svg. The libz.crc32 rows need
# zlib (see the zlib target).
BENCHCOUNT ?= 5
BENCHTIME  ?= 200ms
BENCHOUT   ?= bench/out

bench: zlib
	@mkdir -p $(BENCHOUT)
	@{ $(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -count $(BENCHCOUNT) ./bench/; \
		echo $$? > $(BENCHOUT)/status; } | tee $(BENCHOUT)/bench.txt; \
	status=$$(cat $(BENCHOUT)/status); rm -f $(BENCHOUT)/status; \
	if [ "$$status" != 0 ]; then echo "bench: go test failed (exit status $$status)" >&2; exit "$$status"; fi
	@echo
	@$(GO) run ./bench/cmd/benchtable -svg $(BENCHOUT)/bench.svg $(BENCHOUT)/bench.txt

# Differential ABI fuzzing (internal/abifuzz): FUZZBATCHES batches of FUZZN
# random signatures and FUZZCBN random callback signatures (FUZZCBSETS
# argument sets each) with seeds FUZZSEED, FUZZSEED+1, ..., alternately
# with CGO_ENABLED=0 and =1. FUZZSEED=<seed> make fuzz repeats a run.
FUZZSEED    ?= $(shell date +%s)
FUZZBATCHES ?= 4
FUZZN       ?= 5000
FUZZCBN     ?= 2000
FUZZCBSETS  ?= 8
.PHONY: fuzz
fuzz:
	@seed0=$(FUZZSEED); \
	for i in $$(seq 0 $$(($(FUZZBATCHES) - 1))); do \
		seed=$$((seed0 + i)); cgo=$$((i % 2)); \
		echo "fuzz: batch $$i: seed $$seed, $(FUZZN) signatures, $(FUZZCBN) callback signatures, CGO_ENABLED=$$cgo"; \
		if ! CGO_ENABLED=$$cgo $(GO) test -count=1 -timeout 30m -v -run '^TestABIFuzz(Callback)?$$' . -abifuzz.seed=$$seed -abifuzz.n=$(FUZZN) -abifuzz.cbn=$(FUZZCBN) -abifuzz.cbsets=$(FUZZCBSETS); then \
			echo "fuzz: FAILED with seed $$seed; reproduce with: CGO_ENABLED=$$cgo go test -run '^TestABIFuzz(Callback)?$$' -abifuzz.seed=$$seed -abifuzz.n=$(FUZZN) -abifuzz.cbn=$(FUZZCBN) -abifuzz.cbsets=$(FUZZCBSETS) ." >&2; \
			exit 1; \
		fi; \
	done

# make test-arm64: cross-build for linux/arm64 and run every test under
# qemu-user: vet, then the suite with CGO_ENABLED=0 and =1, then with
# counting trampolines. Needs qemu-user, gcc-aarch64-linux-gnu and
# libc6-dev-arm64-cross (Debian); the fixtures are built with $(ARM64_CC).
# .ci/qemu-aarch64-exec runs each test binary under the emulator, and the
# child processes tests start from os.Args[0] too, so JITFFI_TEST_EXEC
# (a prefix for those children) stays empty. Timings under emulation mean
# nothing; this target checks correctness only.
ARM64_CC        ?= aarch64-linux-gnu-gcc
ARM64_SYSROOT   ?= /usr/aarch64-linux-gnu
ARM64_TESTFLAGS ?= -count=1 -timeout 20m
ARM64_ENV  = GOARCH=arm64 CC=$(ARM64_CC) QEMU_LD_PREFIX=$(ARM64_SYSROOT) JITFFI_TEST_EXEC=
ARM64_EXEC = -exec '$(CURDIR)/.ci/qemu-aarch64-exec'

.PHONY: test-arm64 test-arm64-vet test-arm64-cgo0 test-arm64-cgo1 test-arm64-trace arm64-libs
test-arm64: arm64-libs test-arm64-vet test-arm64-cgo0 test-arm64-cgo1 test-arm64-trace

# The arm64 builds of the libraries of the zlib and sqlite targets, for the
# tests that use them under qemu. The cross sysroot holds only libc, so
# when one is missing and we run as root, Debian's arm64 package is
# fetched (dpkg learns the arm64 architecture for that) and its shared
# objects are unpacked into the sysroot's lib directory, where the
# emulated dynamic loader looks. Nothing is installed for the host.
ARM64_LIBS ?= libz.so.1:zlib1g libsqlite3.so.0:libsqlite3-0
arm64-libs:
	@updated=; for e in $(ARM64_LIBS); do \
		f=$${e%%:*}; p=$${e#*:}; \
		[ -e "$(ARM64_SYSROOT)/lib/$$f" ] && continue; \
		if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
			echo "arm64 $$f not found in $(ARM64_SYSROOT)/lib: the tests that use it are skipped under qemu (make arm64-libs as root fetches it)" >&2; \
			continue; \
		fi; \
		echo "arm64 $$f not found; unpacking $$p:arm64 into $(ARM64_SYSROOT)/lib"; \
		if [ -z "$$updated" ]; then \
			dpkg --add-architecture arm64 && apt-get update -q || exit 1; updated=1; \
		fi; \
		d=$$(mktemp -d) && chmod 755 "$$d" && (cd "$$d" && apt-get download -q -o APT::Sandbox::User=root "$$p:arm64") && \
		dpkg -x "$$d"/*.deb "$$d/x" && \
		find "$$d/x" -name "$${f%.so.*}.so*" -exec cp -P {} "$(ARM64_SYSROOT)/lib/" \; && \
		rm -rf "$$d" && [ -e "$(ARM64_SYSROOT)/lib/$$f" ] || exit 1; \
	done

test-arm64-vet:
	$(ARM64_ENV) CGO_ENABLED=0 $(GO) vet $(PKGS)
	$(ARM64_ENV) CGO_ENABLED=1 $(GO) vet $(PKGS)

test-arm64-cgo0:
	$(ARM64_ENV) CGO_ENABLED=0 $(GO) test $(ARM64_TESTFLAGS) $(ARM64_EXEC) $(PKGS)

test-arm64-cgo1:
	$(ARM64_ENV) CGO_ENABLED=1 $(GO) test $(ARM64_TESTFLAGS) $(ARM64_EXEC) $(PKGS)

test-arm64-trace:
	$(ARM64_ENV) CGO_ENABLED=0 $(GO) test $(ARM64_TESTFLAGS) $(ARM64_EXEC) -tags jitffi_trace . ./fastcheck/

# The oldest supported Go release: the runtime contract is checked against
# whatever runtime runs, so the suite runs on it too (fetched through the
# module proxy by the go command).
GO_PREV ?= go1.25.5
.PHONY: test-go-prev
test-go-prev:
	GOTOOLCHAIN=$(GO_PREV) CGO_ENABLED=0 $(GO) test $(TESTFLAGS) ./...
	GOTOOLCHAIN=$(GO_PREV) CGO_ENABLED=1 $(GO) test $(TESTFLAGS) . ./internal/rtprobe/
