# jitffi: make test runs every test in both cgo modes; make bench runs the
# benchmark harness. See README.md.

GO      ?= go
PKGS    ?= ./...
TESTFLAGS ?= -count=1 -timeout 15m

.PHONY: test test-cgo0 test-cgo1 test-trace check vet fmt bench stress dump

test: check test-cgo0 test-cgo1 test-trace

test-cgo0:
	CGO_ENABLED=0 $(GO) test $(TESTFLAGS) $(PKGS)

test-cgo1:
	CGO_ENABLED=1 $(GO) test $(TESTFLAGS) $(PKGS)

# The root package and the checker again with counting trampolines, so
# that fastcheck.Require proves every call reached its trampoline.
test-trace:
	CGO_ENABLED=0 $(GO) test $(TESTFLAGS) -tags jitffi_trace . ./fastcheck/

# Longer stress run (STRESS=10m make stress).
STRESS ?= 2m
stress:
	$(GO) test -count=1 -timeout 0 -run 'TestStress$$' -v . -args -stress=$(STRESS)

# Print the plan and trampoline of a signature: make dump SIG='f64(i32, f64)' ARCH=arm64
SIG  ?= i32(i32, i32)
ARCH ?= $(shell $(GO) env GOARCH)
dump:
	@$(GO) run ./internal/cmd/dump -arch '$(ARCH)' '$(SIG)'

check: vet fmt

vet:
	CGO_ENABLED=0 $(GO) vet $(PKGS)
	CGO_ENABLED=1 $(GO) vet $(PKGS)

fmt:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
