package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"zest/bench/internal/harness"
)

// TestRun runs the whole benchmark on a small mailbox against zest (built
// from this module) and, when installed, Dovecot, as `go run
// ./bench/qresync -n 300 -reps 2` does, and checks its report.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED in -short mode: builds and starts the servers")
	}
	servers := "zest,dovecot"
	if _, err := os.Stat(harness.DefaultDovecot); err != nil {
		t.Logf("%s is missing (apt-get install dovecot-imapd): zest only", harness.DefaultDovecot)
		servers = "zest"
	}
	var out bytes.Buffer
	code := run([]string{"-n", "300", "-reps", "2", "-changes", "20", "-expunges", "3", "-servers", servers}, &out)
	report := out.String()
	if code != 0 || !strings.HasSuffix(report, "result: ok\n") {
		t.Fatalf("exit %d:\n%s", code, report)
	}
	for _, want := range []string{
		`(?m)^zest: ` + "`zest import bench@bench.local INBOX <maildir>`" + ` in .*: imported 300 messages into INBOX`,
		`(?m)^zest: first sync: 300 messages`,
		`(?m)^zest      full        2     2 `,
		`(?m)^zest: .*QRESYNC` + "(: 2 cmds| NOT SUPPORTED)",
	} {
		if !regexp.MustCompile(want).MatchString(report) {
			t.Errorf("report lacks %s:\n%s", want, report)
		}
	}
	if servers == "zest,dovecot" {
		for _, want := range []string{
			`(?m)^dovecot   QRESYNC     2     2 `,
			`(?m)^dovecot   full        2     2 `,
			`(?m)^dovecot: QRESYNC received 1\.\d\d× the changes' own size`,
			`(?m)^zest/dovecot, full resync: bytes received`,
		} {
			if !regexp.MustCompile(want).MatchString(report) {
				t.Errorf("report lacks %s:\n%s", want, report)
			}
		}
	}
	// Every catch-up was checked against the server: 2 repetitions, up
	// to 2 ways, per server.
	if n := strings.Count(report, "copy = server's INBOX"); n < 2*len(strings.Split(servers, ",")) {
		t.Errorf("%d checked catch-ups:\n%s", n, report)
	}
}
