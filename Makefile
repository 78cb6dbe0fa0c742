# jitffi: make test runs every test in both cgo modes; make bench runs the
# benchmark harness. See README.md.

GO      ?= go
PKGS    ?= ./...
TESTFLAGS ?= -count=1 -timeout 15m

.PHONY: test test-cgo0 test-cgo1 check vet fmt bench

test: check test-cgo0 test-cgo1

test-cgo0:
	CGO_ENABLED=0 $(GO) test $(TESTFLAGS) $(PKGS)

test-cgo1:
	CGO_ENABLED=1 $(GO) test $(TESTFLAGS) $(PKGS)

check: vet fmt

vet:
	CGO_ENABLED=0 $(GO) vet $(PKGS)
	CGO_ENABLED=1 $(GO) vet $(PKGS)

fmt:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
