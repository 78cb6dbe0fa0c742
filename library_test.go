package jitffi

import (
	"errors"
	"strings"
	"testing"

	"github.com/jitffi/jitffi/fixtures"
)

// Every method of a Library that Open did not return is an error, and
// none searches the process or calls dlclose(0).
func TestZeroLibrary(t *testing.T) {
	for _, c := range []struct {
		name string
		lib  *Library
	}{{"zero value", &Library{}}, {"nil", nil}} {
		var strlen func(*byte) uintptr
		err := c.lib.Bind(&strlen, "strlen", "usize(ptr)")
		if !errors.Is(err, ErrNotOpen) {
			t.Errorf("%s: Bind(strlen) = %v, want an error wrapping ErrNotOpen", c.name, err)
		}
		if strlen != nil {
			t.Errorf("%s: failed Bind stored a func", c.name)
		}
		if p, err := c.lib.Symbol("strlen"); !errors.Is(err, ErrNotOpen) || p != nil {
			t.Errorf("%s: Symbol(strlen) = %p, %v, want nil and an error wrapping ErrNotOpen", c.name, p, err)
		}
		for range 2 {
			if err := c.lib.Close(); !errors.Is(err, ErrNotOpen) {
				t.Errorf("%s: Close() = %v, want an error wrapping ErrNotOpen", c.name, err)
			}
		}
	}
}

// A NUL byte in a path or symbol name is an error, not a silent cut.
func TestNULBytes(t *testing.T) {
	path := fixtures.Shared(t)
	for _, p := range []string{path + "\x00/../x", "\x00", path + "\x00"} {
		if lib, err := Open(p); err == nil {
			lib.Close()
			t.Errorf("Open(%q) succeeded, want an error", p)
		} else if !strings.Contains(err.Error(), "NUL") {
			t.Errorf("Open(%q): error %q does not name the NUL byte", p, err)
		}
	}
	lib := itOpen(t)
	for _, name := range []string{"fx_add_i32\x00evil", "fx_add_i32\x00", "\x00fx_add_i32"} {
		var add func(int32, int32) int32
		err := lib.Bind(&add, name, "i32(i32, i32)")
		if err == nil || !strings.Contains(err.Error(), "NUL") {
			t.Errorf("Bind(%q) = %v, want an error naming the NUL byte", name, err)
		}
		if add != nil {
			t.Errorf("Bind(%q) failed but stored a func", name)
		}
		if p, err := lib.Symbol(name); err == nil || p != nil {
			t.Errorf("Symbol(%q) = %p, %v, want an error", name, p, err)
		}
	}
	// The name without its tail binds, so the errors above are the NUL's.
	var add func(int32, int32) int32
	if err := lib.Bind(&add, "fx_add_i32", "i32(i32, i32)"); err != nil {
		t.Fatal(err)
	}
}
