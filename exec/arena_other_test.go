//go:build !linux

package exec

import (
	"runtime"
	"strings"
	"testing"
)

func TestPlaceUnsupported(t *testing.T) {
	_, err := New(AMD64).Place([]byte{0xC3})
	if err == nil || !strings.Contains(err.Error(), "not supported on "+runtime.GOOS) {
		t.Fatalf("Place error = %v, want not supported on %s", err, runtime.GOOS)
	}
}
