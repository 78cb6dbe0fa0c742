package jitffi

import (
	"fmt"
	"strconv"
	"testing"
	"unsafe"
)

// The callbacks that first made users reach for purego.NewCallback, with
// the real SQLite: sqlite3_exec's row callback and a scalar SQL function
// made with sqlite3_create_function_v2, which SQLite calls while the
// statement runs. Both are called from inside the outer sqlite3_exec, so
// with a fast-path binding they take the fast entry, and with a Blocking
// one the standard entry. The SQL function makes nested jitffi calls back
// into SQLite (sqlite3_value_int64, sqlite3_result_int64).

const sqliteDecls = `
	typedef struct sqlite3 sqlite3;
	typedef struct sqlite3_context sqlite3_context;
	typedef struct sqlite3_value sqlite3_value;
	typedef long long sqlite3_int64;
	enum { SQLITE_ABORT = 4, SQLITE_UTF8 = 1, SQLITE_DETERMINISTIC = 0x800 };
	int sqlite3_open(const char *filename, sqlite3 **ppDb);
	int sqlite3_close(sqlite3 *db);
	int sqlite3_exec(sqlite3 *db, const char *sql,
		int (*callback)(void *arg, int ncols, char **values, char **names),
		void *arg, char **errmsg);
	int sqlite3_create_function_v2(sqlite3 *db, const char *zFunctionName,
		int nArg, int eTextRep, void *pApp,
		void (*xFunc)(sqlite3_context *, int, sqlite3_value **),
		void (*xStep)(sqlite3_context *, int, sqlite3_value **),
		void (*xFinal)(sqlite3_context *),
		void (*xDestroy)(void *));
	sqlite3_int64 sqlite3_value_int64(sqlite3_value *);
	void sqlite3_result_int64(sqlite3_context *, sqlite3_int64);
`

type sqliteAPI struct {
	open   func(name string, db *unsafe.Pointer) int32
	close  func(db unsafe.Pointer) int32
	exec   func(db unsafe.Pointer, sql string, cb *Callback, arg unsafe.Pointer, errmsg unsafe.Pointer) int32
	create func(db unsafe.Pointer, name string, nArg, textRep int32, app unsafe.Pointer, xFunc, xStep, xFinal *Callback, xDestroy unsafe.Pointer) int32
	value  func(v unsafe.Pointer) int64
	result func(ctx unsafe.Pointer, x int64)

	utf8, deterministic, abort int32 // SQLITE_* from the declarations
}

// sqliteOpen binds the API, sqlite3_exec with Blocking when asked. It
// skips where libsqlite3 is missing (make test installs it, and make
// test-arm64 unpacks the arm64 build into the cross sysroot).
func sqliteOpen(t *testing.T, blocking bool) *sqliteAPI {
	t.Helper()
	needCallbacks(t)
	lib, err := Open("libsqlite3.so.0")
	if err != nil {
		t.Skipf("libsqlite3 is not installed: %v", err)
	}
	t.Cleanup(func() { lib.Close() })
	if err := lib.CDef(sqliteDecls); err != nil {
		t.Fatal(err)
	}
	var execOpts []Option
	if blocking {
		execOpts = append(execOpts, Blocking())
	}
	var a sqliteAPI
	for _, b := range []struct {
		fn   any
		name string
		opts []Option
	}{
		{&a.open, "sqlite3_open", nil},
		{&a.close, "sqlite3_close", nil},
		{&a.exec, "sqlite3_exec", execOpts},
		{&a.create, "sqlite3_create_function_v2", nil},
		{&a.value, "sqlite3_value_int64", nil},
		{&a.result, "sqlite3_result_int64", nil},
	} {
		if err := lib.Bind(b.fn, b.name, "", b.opts...); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		v    *int32
		name string
	}{{&a.utf8, "SQLITE_UTF8"}, {&a.deterministic, "SQLITE_DETERMINISTIC"}, {&a.abort, "SQLITE_ABORT"}} {
		v, ok := lib.Const(c.name)
		if !ok {
			t.Fatalf("%s is not declared", c.name)
		}
		*c.v = int32(v)
	}
	if p, want := PathOf(a.exec), itWantPath(blocking); p.Fast != want.Fast {
		t.Fatalf("sqlite3_exec: PathOf = %v, want %v", p, want)
	}
	return &a
}

func TestCallbackSQLite(t *testing.T) {
	forBoth(t, func(t *testing.T, blocking bool) {
		s := sqliteOpen(t, blocking)
		var db unsafe.Pointer
		if rc := s.open(":memory:", &db); rc != 0 {
			t.Fatalf("sqlite3_open = %d", rc)
		}
		defer func() {
			if rc := s.close(db); rc != 0 {
				t.Errorf("sqlite3_close = %d", rc)
			}
		}()

		// gosq(x) = x*x + 1, in Go.
		fnCalls := 0
		gosq := newCB(t, func(ctx unsafe.Pointer, argc int32, argv unsafe.Pointer) {
			fnCalls++
			if argc != 1 {
				t.Errorf("gosq: argc = %d", argc)
				return
			}
			x := s.value(*(*unsafe.Pointer)(argv))
			s.result(ctx, x*x+1)
		}, "")
		if rc := s.create(db, "gosq", 1, s.utf8|s.deterministic, nil, gosq, nil, nil, nil); rc != 0 {
			t.Fatalf("sqlite3_create_function_v2 = %d", rc)
		}
		const n = 1000
		if rc := s.exec(db, fmt.Sprintf(`CREATE TABLE t(x INTEGER);
			WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < %d)
			INSERT INTO t SELECT i FROM c;`, n), nil, nil, nil); rc != 0 {
			t.Fatalf("sqlite3_exec(CREATE, INSERT) = %d", rc)
		}

		// The row callback reads C's arrays of C strings.
		rows, stopAt := 0, -1
		row := newCB(t, func(arg unsafe.Pointer, ncols int32, values, names unsafe.Pointer) int32 {
			rows++
			if ncols != 2 {
				t.Errorf("row %d: %d columns", rows, ncols)
				return 1
			}
			col := func(a unsafe.Pointer, i int) string {
				return GoString(*(*unsafe.Pointer)(unsafe.Add(a, i*int(unsafe.Sizeof(a)))))
			}
			if c0, c1 := col(names, 0), col(names, 1); c0 != "x" || c1 != "gosq(x)" {
				t.Errorf("row %d: columns %q, %q", rows, c0, c1)
			}
			x, err1 := strconv.ParseInt(col(values, 0), 10, 64)
			y, err2 := strconv.ParseInt(col(values, 1), 10, 64)
			if err1 != nil || err2 != nil || x != int64(rows) || y != x*x+1 {
				t.Errorf("row %d: x = %q, gosq(x) = %q", rows, col(values, 0), col(values, 1))
			}
			if rows == stopAt {
				return 1 // SQLite stops the statement: SQLITE_ABORT
			}
			return 0
		}, "int(void *, int, char **, char **)")

		checkEntry(t, row, wantFastEntry(blocking), n, s.exec, func() {
			checkEntry(t, gosq, wantFastEntry(blocking), n, s.exec, func() {
				if rc := s.exec(db, "SELECT x, gosq(x) FROM t ORDER BY x", row, nil, nil); rc != 0 {
					t.Errorf("sqlite3_exec(SELECT) = %d", rc)
				}
			})
		})
		if rows != n || fnCalls != n {
			t.Errorf("%d rows and %d gosq calls, want %d of each", rows, fnCalls, n)
		}

		// A nonzero result from the row callback aborts the statement.
		rows, stopAt = 0, 10
		if rc := s.exec(db, "SELECT x, gosq(x) FROM t ORDER BY x", row, nil, nil); rc != s.abort {
			t.Errorf("sqlite3_exec with a callback returning 1 = %d, want SQLITE_ABORT (%d)", rc, s.abort)
		}
		if rows != stopAt {
			t.Errorf("the aborted statement called back %d times, want %d", rows, stopAt)
		}
	})
}
