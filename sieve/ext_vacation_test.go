package sieve

import (
	"errors"
	"testing"
)

const vacationMsg = "From: Alice <alice@example.org>\r\nTo: Me <me@example.com>\r\nSubject: hi\r\n\r\nbody\r\n"

// vacation (RFC 5230, RFC 6131): what is collected, and when the engine
// already knows no reply may go out.
func TestVacation(t *testing.T) {
	env := Envelope{From: "alice@example.org", To: "me@example.com"}
	tests := []struct {
		name, spec, src, msg string
		env                  Envelope
		want                 string
	}{
		// RFC 5230 §4 example.
		{"rfc example", "SV-35, SV-36", `require "vacation";
			if header :contains "subject" "cyrus" {
				vacation "I'm out -- send mail to cyrus-bugs";
			} else {
				vacation "I'm out -- call me at +1 304 555 0123";
			}`, vacationMsg, env,
			"vacation to \"alice@example.org\" days 7 reason \"I'm out -- call me at +1 304 555 0123\"\nkeep"},
		{"all tags", "SV-35", `require "vacation";
			vacation :days 3 :subject "Away" :from "me@example.com" :addresses ["x@example.com"] :mime :handle "h" "r";`,
			vacationMsg, env,
			"vacation to \"alice@example.org\" subject \"Away\" from \"me@example.com\" days 3 mime handle \"h\" reason \"r\"\nkeep"},
		{"days clamped up", "SV-36", `require "vacation"; vacation :days 0 "r";`, vacationMsg, env,
			"vacation to \"alice@example.org\" days 1 reason \"r\"\nkeep"},
		{"days clamped down", "SV-36", `require "vacation"; vacation :days 365 "r";`, vacationMsg, env,
			"vacation to \"alice@example.org\" days 90 reason \"r\"\nkeep"},
		{"seconds", "SV-36", `require ["vacation", "vacation-seconds"]; vacation :seconds 1800 "r";`, vacationMsg, env,
			"vacation to \"alice@example.org\" seconds 1800 reason \"r\"\nkeep"},
		{"seconds of whole days", "SV-36", `require "vacation-seconds"; vacation :seconds 172800 "r";`, vacationMsg, env,
			"vacation to \"alice@example.org\" days 2 reason \"r\"\nkeep"},
		{"with discard and fileinto", "SV-35", `require ["vacation", "fileinto"]; vacation "r"; fileinto "A"; discard;`,
			vacationMsg, env, "vacation to \"alice@example.org\" days 7 reason \"r\"\nfileinto \"A\"\ndiscard"},
		{"second vacation", "SV-35", `require "vacation"; vacation "a"; vacation "b";`, vacationMsg, env,
			"error: 1:35: more than one vacation"},
		{"reject and vacation", "SV-33", `require ["vacation", "reject"]; vacation "a"; reject "b";`, vacationMsg, env,
			"error: reject cannot be combined with vacation"},
		{"reject and a vacation that does not answer", "SV-33", `require ["vacation", "reject"]; vacation "a"; reject "b";`,
			vacationMsg, Envelope{To: "me@example.com"}, "error: reject cannot be combined with vacation"},
		{"empty sender", "SV-39", `require "vacation"; vacation "r";`, vacationMsg, Envelope{To: "me@example.com"}, "keep"},
		{"mailer-daemon", "SV-39", `require "vacation"; vacation "r";`, vacationMsg,
			Envelope{From: "MAILER-DAEMON@example.org", To: "me@example.com"}, "keep"},
		{"owner-", "SV-39", `require "vacation"; vacation "r";`, vacationMsg,
			Envelope{From: "owner-list@example.org", To: "me@example.com"}, "keep"},
		{"-request", "SV-39", `require "vacation"; vacation "r";`, vacationMsg,
			Envelope{From: "list-request@example.org", To: "me@example.com"}, "keep"},
		{"own address", "SV-39", `require "vacation"; vacation "r";`, vacationMsg,
			Envelope{From: "me@example.com", To: "me@example.com"}, "keep"},
		{"subaddressed recipient", "SV-38", `require "vacation"; vacation "r";`, vacationMsg,
			Envelope{From: "alice@example.org", To: "me+work@example.com"},
			"vacation to \"alice@example.org\" days 7 reason \"r\"\nkeep"},
		{"not addressed to the user", "SV-38", `require "vacation"; vacation "r";`, vacationMsg,
			Envelope{From: "alice@example.org", To: "other@example.com"}, "keep"},
		{"addressed via :addresses in Resent-Cc", "SV-38", `require "vacation"; vacation :addresses "alias@example.com" "r";`,
			"From: alice@example.org\r\nTo: list@example.net\r\nResent-Cc: Alias <ALIAS@example.com>\r\n\r\nb\r\n",
			Envelope{From: "alice@example.org", To: "me@example.com"},
			"vacation to \"alice@example.org\" days 7 reason \"r\"\nkeep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runScript(t, tt.src, tt.msg, tt.env); got != tt.want {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", tt.spec, got, tt.want)
			}
		})
	}
}

// spec: SV-35, SV-36
func TestVacationCompileErrors(t *testing.T) {
	for _, src := range []string{
		`vacation "r";`,
		`require "vacation"; vacation :seconds 10 "r";`,
		`require "vacation-seconds"; vacation :days 1 :seconds 10 "r";`,
		`require "vacation"; vacation :from "not an address" "r";`,
		`require "vacation"; vacation :days "3" "r";`,
		`require "vacation"; vacation;`,
	} {
		_, err := Compile([]byte(src), Options{})
		var ce *CompileError
		if !errors.As(err, &ce) {
			t.Errorf("%s: compiled, want a compile error", src)
		}
	}
}
