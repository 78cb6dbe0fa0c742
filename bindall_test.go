package jitffi

import (
	"errors"
	"strings"
	"testing"
	"unsafe"
)

func TestBindAll(t *testing.T) {
	libc := openLibc(t)
	if err := libc.CDef(libcDecls); err != nil {
		t.Fatal(err)
	}
	var c struct {
		Strlen  func(*byte) uintptr                          // no tag: the symbol is "Strlen", which libc lacks
		Abs     func(int32) int32                            `jitffi:"abs"`
		Labs    func(int64) int64                            `jitffi:"labs,strict"` // inferred
		Div     func(int32, int32) struct{ Quot, Rem int32 } `jitffi:"div,blocking"`
		Close   func(int32) (int32, error)                   `jitffi:"close,errno" sig:"int close(int fd)"`
		Missing func() int32                                 `jitffi:"jitffi_no_such_symbol,optional"`
		Skipped func()                                       `jitffi:"-"`
		Note    string                                       // not a func, no tag: ignored
		private func()
	}
	c.Missing = func() int32 { return 1 }
	err := libc.BindAll(&c)
	// Strlen has no tag, so its symbol is "Strlen", which libc lacks.
	var be *BindAllError
	if !errors.As(err, &be) || len(be.Fields) != 1 || be.Fields[0].Field != "Strlen" || be.Fields[0].Symbol != "Strlen" {
		t.Fatalf("BindAll = %v, want only Strlen to fail", err)
	}
	if c.Abs(-4) != 4 || c.Labs(-5) != 5 {
		t.Error("abs, labs")
	}
	if r := c.Div(9, 4); r.Quot != 2 || r.Rem != 1 {
		t.Errorf("div = %+v", r)
	}
	if !PathOf(c.Abs).Fast && FastPathError() == nil {
		t.Errorf("Abs: %v", PathOf(c.Abs))
	}
	if p := PathOf(c.Div); p.Fast {
		t.Error("Div was bound blocking but is on the fast path")
	}
	if _, err := c.Close(-1); err == nil || !strings.Contains(err.Error(), "bad file descriptor") {
		t.Errorf("close(-1) errno: %v", err)
	}
	if c.Missing != nil {
		t.Error("optional missing symbol: field not nil")
	}
	if c.Skipped != nil || c.private != nil {
		t.Error("skipped fields were set")
	}
}

func TestBindAllErrors(t *testing.T) {
	libc := openLibc(t)
	var c struct {
		Abs     func(int32) int32   `jitffi:"abs,fast"`           // unknown option
		NotFunc int                 `jitffi:"abs"`                // wrong kind
		Labs    func(int64) int64   `jitffi:"labs" sig:"i32(i32"` // bad signature
		Strlen  func(float64) int32 `jitffi:"strlen" sig:"size_t strlen(const char *)"`
		Gone    func()              `jitffi:"jitffi_no_such_symbol"`
		Named   func(int32) int32   `jitffi:"abs" sig:"int labs(int)"`
		Good    func(int32) int32   `jitffi:"abs"`
		hidden  func(int32) int32   `jitffi:"abs"`
	}
	err := libc.BindAll(&c)
	var be *BindAllError
	if !errors.As(err, &be) {
		t.Fatalf("BindAll = %v", err)
	}
	var names []string
	for _, f := range be.Fields {
		names = append(names, f.Field)
	}
	if got := strings.Join(names, " "); got != "Abs NotFunc Labs Strlen Gone Named hidden" {
		t.Errorf("failed fields %q", got)
	}
	for _, want := range []string{
		"7 of its fields failed",
		`field Abs (symbol abs): unknown jitffi tag option "fast"`,
		"field NotFunc (symbol abs): field of type int, not a func",
		`field Labs (symbol labs): jitffi: bind labs: sig: expected ")" or ","`,
		"field Strlen (symbol strlen): jitffi: bind strlen as usize(ptr)",
		"field Gone (symbol jitffi_no_such_symbol): jitffi: symbol jitffi_no_such_symbol",
		"field Named (symbol abs): jitffi: bind abs: the signature declares function labs, not abs",
		"field hidden (symbol abs): unexported field",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if c.Good == nil || c.Good(-1) != 1 {
		t.Error("the good field was not bound")
	}
	var sErr *SignatureError
	if !errors.As(err, &sErr) {
		t.Error("the signature error is not reachable with errors.As")
	}
	for _, bad := range []any{nil, c, &[]int{}, (*struct{})(nil), unsafe.Pointer(nil)} {
		if err := libc.BindAll(bad); err == nil || !strings.Contains(err.Error(), "want a non-nil pointer to a struct") {
			t.Errorf("BindAll(%T): %v", bad, err)
		}
	}
	libc.Close()
	var d struct {
		Abs func(int32) int32 `jitffi:"abs,optional"`
	}
	if err := libc.BindAll(&d); !errors.Is(err, ErrClosed) {
		t.Errorf("BindAll after Close: %v", err)
	}
	// A Library not made by Open refuses, as its other methods do.
	for _, l := range []*Library{nil, {}} {
		if err := l.BindAll(&d); !errors.Is(err, ErrNotOpen) {
			t.Errorf("BindAll on %v: %v", l, err)
		}
		if err := l.CDef("int abs(int);"); !errors.Is(err, ErrNotOpen) {
			t.Errorf("CDef on %v: %v", l, err)
		}
		if err := l.CheckStruct("div_t", d); !errors.Is(err, ErrNotOpen) {
			t.Errorf("CheckStruct on %v: %v", l, err)
		}
		if _, ok := l.Const("X"); ok {
			t.Errorf("Const on %v found X", l)
		}
	}
}
