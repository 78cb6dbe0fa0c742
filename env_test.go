package jitffi

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// JITFFI_FAST, JITFFI_STRICT and the Strict option.

// The environment tests re-run the test binary with JITFFI_FAST=0 or
// JITFFI_STRICT=1, which are read once at start-up. itChildMode tells the
// child which part to play.
const itChildMode = "JITFFI_INTEGRATION_CHILD"

// itRunChild re-runs test alone in a child process with env added and
// checks that it ran and passed.
func itRunChild(t *testing.T, test, mode string, env ...string) {
	t.Helper()
	out, err := spawnTest(t, test, append([]string{itChildMode + "=" + mode}, env...)...)
	if err != nil {
		t.Fatalf("child %s: %v\n%s", mode, err, out)
	}
	for _, want := range []string{"--- PASS: " + test + " ", "\nPASS\n"} {
		if !strings.Contains(out, want) {
			t.Fatalf("child %s: output lacks %q:\n%s", mode, want, out)
		}
	}
}

func TestIntegrationEnvNoFast(t *testing.T) {
	switch os.Getenv(itChildMode) {
	case "":
		itRunChild(t, "TestIntegrationEnvNoFast", "nofast", "JITFFI_FAST=0", "JITFFI_STRICT=")
		return
	case "nofast":
	default:
		t.Fatalf("unexpected %s=%q", itChildMode, os.Getenv(itChildMode))
	}
	if got := os.Getenv("JITFFI_FAST"); got != "0" {
		t.Fatalf("child runs with JITFFI_FAST=%q", got)
	}
	lib := itOpen(t)
	var add func(int32, int32) int32
	if err := lib.Bind(&add, "fx_add_i32", "i32(i32, i32)"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Path{Cause: CauseEnv, Reason: "JITFFI_FAST=0"}, PathOf(add)); diff != "" {
		t.Errorf("PathOf(add) under JITFFI_FAST=0 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Path{Cause: CauseEnv, Reason: "JITFFI_FAST=0"}, PathOf(&add)); diff != "" {
		t.Errorf("PathOf(&add) under JITFFI_FAST=0 (-want +got):\n%s", diff)
	}
	if got := add(40, 2); got != 42 {
		t.Errorf("add(40, 2) = %d under JITFFI_FAST=0", got)
	}
	addr, err := lib.Symbol("fx_add_i32")
	if err != nil {
		t.Fatal(err)
	}
	var byAddr func(int32, int32) int32
	if err := BindAddr(&byAddr, addr, "i32(i32, i32)"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Path{Cause: CauseEnv, Reason: "JITFFI_FAST=0"}, PathOf(byAddr)); diff != "" {
		t.Errorf("PathOf(BindAddr) under JITFFI_FAST=0 (-want +got):\n%s", diff)
	}
	if got := byAddr(-40, -2); got != -42 {
		t.Errorf("byAddr(-40, -2) = %d under JITFFI_FAST=0", got)
	}
	// Everything else still works, through the fallback only (itBindBoth
	// checks the reason of every binding).
	t.Run("echo", func(t *testing.T) { itCheckEchoes(t, lib) })
	t.Run("mixes", func(t *testing.T) { itCheckMixes(t, lib) })
	t.Run("floats", func(t *testing.T) { itCheckFloatBits(t, lib) })
	t.Run("pointers", func(t *testing.T) { itCheckPointers(t, lib) })
}

func TestIntegrationEnvStrict(t *testing.T) {
	switch os.Getenv(itChildMode) {
	case "":
		itRunChild(t, "TestIntegrationEnvStrict", "strict", "JITFFI_STRICT=1", "JITFFI_FAST=")
		return
	case "strict":
	default:
		t.Fatalf("unexpected %s=%q", itChildMode, os.Getenv(itChildMode))
	}
	lib := itOpen(t)
	var slow func(int32, int32) int32
	err := lib.Bind(&slow, "fx_add_i32", "i32(i32, i32)", Blocking())
	if !errors.Is(err, ErrNotFast) {
		t.Errorf("Bind with Blocking under JITFFI_STRICT=1: err = %v, want one wrapping ErrNotFast", err)
	}
	if slow != nil {
		t.Errorf("failed Bind stored a func")
	}
	addr, err := lib.Symbol("fx_add_i32")
	if err != nil {
		t.Fatal(err)
	}
	var slowAddr func(int32, int32) int32
	if err := BindAddr(&slowAddr, addr, "i32(i32, i32)", Blocking()); !errors.Is(err, ErrNotFast) {
		t.Errorf("BindAddr with Blocking under JITFFI_STRICT=1: err = %v, want one wrapping ErrNotFast", err)
	}
	var fast func(int32, int32) int32
	err = lib.Bind(&fast, "fx_add_i32", "i32(i32, i32)")
	if !itWantPath(false).Fast {
		if !errors.Is(err, ErrNotFast) {
			t.Errorf("Bind without the fast path under JITFFI_STRICT=1: err = %v, want one wrapping ErrNotFast", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Bind under JITFFI_STRICT=1: %v", err)
	}
	itCheckPath(t, "add", fast, false)
	if got := fast(40, 2); got != 42 {
		t.Errorf("add(40, 2) = %d under JITFFI_STRICT=1", got)
	}
}

func TestIntegrationStrictOption(t *testing.T) {
	lib := itOpen(t)
	var slow func(int32, int32) int32
	err := lib.Bind(&slow, "fx_add_i32", "i32(i32, i32)", Blocking(), Strict())
	if !errors.Is(err, ErrNotFast) {
		t.Errorf("Bind with Blocking and Strict: err = %v, want one wrapping ErrNotFast", err)
	}
	if slow != nil {
		t.Errorf("failed Bind stored a func")
	}
	var fast func(int32, int32) int32
	err = lib.Bind(&fast, "fx_add_i32", "i32(i32, i32)", Strict())
	if !itWantPath(false).Fast {
		if !errors.Is(err, ErrNotFast) {
			t.Errorf("Bind with Strict and no fast path: err = %v, want one wrapping ErrNotFast", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Bind with Strict: %v", err)
	}
	if got := fast(1, 2); got != 3 {
		t.Errorf("add(1, 2) = %d", got)
	}
}
