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

// The environment test's domain is the host name without its first label,
// or the whole name when it has one label (RFC 5183 §4.1: "usually but not
// always a proper suffix of the host name").
func TestSieveEnvironment(t *testing.T) {
	for _, tt := range []struct{ host, domain string }{
		{"mail.example.com", "example.com"},
		{"localhost", "localhost"},
		{"mx.", "mx."},
	} {
		env := sieveEnvironment(tt.host)
		if env.Host != tt.host || env.Domain != tt.domain || env.Version != version {
			t.Errorf("sieveEnvironment(%q) = %+v, want domain %q", tt.host, env, tt.domain)
		}
	}
}
