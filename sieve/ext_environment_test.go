package sieve

import (
	"context"
	"testing"
)

// The items of RFC 5183 §4.1 come from Input.Environment; location and
// phase default to a delivery's; an item that does not exist fails the
// test, never the script.
func TestEnvironment(t *testing.T) {
	full := Environment{Domain: "example.com", Host: "mx.example.com", RemoteIP: "192.0.2.7",
		RemoteHost: "client.example.net", Version: "1.2.3"}
	tests := []struct {
		env  Environment
		test string
		want bool
	}{
		{full, `environment "domain" "example.com"`, true},
		{full, `environment "host" "MX.example.com"`, true}, // i;ascii-casemap by default
		{full, `environment "location" "MDA"`, true},
		{full, `environment "phase" "during"`, true},
		{full, `environment "name" "zest"`, true},
		{full, `environment "remote-ip" "192.0.2.7"`, true},
		{full, `environment "remote-host" "client.example.net"`, true},
		{full, `environment "version" "1.2.3"`, true},
		{full, `environment :matches "vnd.zest.nothing" "*"`, false},
		{full, `environment "LOCATION" "MDA"`, false}, // item names are exact, as in Pigeonhole
		{Environment{Location: "MS", Phase: "post"}, `environment "location" "MS"`, true},
		{Environment{Location: "MS", Phase: "post"}, `environment "phase" "post"`, true},
		// No connection: neither remote item exists; a connection without
		// a known name has remote-host "" (RFC 5183 §4.1).
		{Environment{}, `environment :contains "remote-ip" ""`, false},
		{Environment{}, `environment :contains "remote-host" ""`, false},
		{Environment{}, `environment :contains "host" ""`, false},
		{Environment{RemoteIP: "::1"}, `environment "remote-host" ""`, true},
		// RFC 5183 §4: :count is 0 for "", 1 otherwise.
		{Environment{RemoteIP: "::1"}, `environment :count "eq" :comparator "i;ascii-numeric" "remote-host" "0"`, true},
		{full, `environment :count "eq" :comparator "i;ascii-numeric" "name" "1"`, true},
	}
	for _, tt := range tests {
		src := `require ["environment", "relational", "comparator-i;ascii-numeric"]; if ` + tt.test + ` { discard; }`
		s, err := Compile([]byte(src), Options{})
		if err != nil {
			t.Fatalf("%s: %v", tt.test, err)
		}
		res, err := s.Run(context.Background(), &Input{Message: newTestMessage("Subject: x\n\nbody\n"), Environment: tt.env})
		if err != nil {
			t.Fatalf("%s: %v", tt.test, err)
		}
		if got := res.Actions[0].String() == "discard"; got != tt.want {
			t.Errorf("%+v: %s = %t, want %t", tt.env, tt.test, got, tt.want)
		}
	}
}
