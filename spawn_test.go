package jitffi

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// spawnTest runs one test of this binary in a child process with extra
// environment, for behaviour that ends a process (crashes) or is fixed at
// process start (JITFFI_FAST, JITFFI_STRICT). JITFFI_TEST_EXEC, if set,
// names a program to run the child under (an emulator when the tests run
// for another architecture).
func spawnTest(t *testing.T, test string, env ...string) (output string, err error) {
	t.Helper()
	out, err := testCommand(test, env...).CombinedOutput()
	return string(out), err
}

// testCommand is the command spawnTest runs, for a test that watches the
// child while it runs.
func testCommand(test string, env ...string) *exec.Cmd {
	args := []string{os.Args[0], "-test.run=^" + test + "$", "-test.v", "-test.count=1"}
	if w := os.Getenv("JITFFI_TEST_EXEC"); w != "" {
		args = append(strings.Fields(w), args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), env...)
	return cmd
}
