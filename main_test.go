package main

import (
	"os"
	"strings"
	"testing"
)

// TestMain lets a test start this test binary as a zest process: with
// ZEST_CHILD_ARGS set it runs the command line those args give (separated
// by the unit separator, 0x1f) instead of the tests, so crash tests can SIGKILL a real
// server without building a binary first.
func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv("ZEST_CHILD_ARGS"); ok {
		os.Exit(run(strings.Split(args, "\x1f"), os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
