package harness

import (
	"bytes"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(i))
	}
	if Percentile(lat, 0.5) != 50 || Percentile(lat, 0.99) != 99 || Percentile(lat, 1) != 100 {
		t.Fatalf("p50 %d p99 %d p100 %d", Percentile(lat, 0.5), Percentile(lat, 0.99), Percentile(lat, 1))
	}
	if Percentile(nil, 0.5) != 0 || Percentile(lat[:1], 0.99) != 1 {
		t.Fatal("empty or single-element percentiles")
	}
}

func TestTable(t *testing.T) {
	var b bytes.Buffer
	tb := NewTable(&b,
		Column{Head: "conc", Width: 5},
		Column{Head: "server", Width: 13, Left: true, Gap: 2},
		Column{Head: "msgs/s", Width: 10, Gap: 1},
		Column{Head: "note", Left: true, Gap: 2},
	)
	tb.Header()
	tb.Row("8", "zest", "1784.8", "5000/5000")
	tb.Row("8", "dovecot")
	want := " conc  server            msgs/s  note\n" +
		"    8  zest              1784.8  5000/5000\n" +
		"    8  dovecot\n"
	if b.String() != want {
		t.Fatalf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestParseLists(t *testing.T) {
	c, err := ParseConcs(" 10, 50,")
	if err != nil || JoinInts(c) != "10,50" {
		t.Fatalf("ParseConcs: %v %v", c, err)
	}
	if _, err := ParseConcs("0"); err == nil {
		t.Fatal("concurrency 0 accepted")
	}
	s, err := ParseServers("Dovecot,zest,dovecot")
	if err != nil || len(s) != 2 || s[0] != "dovecot" || s[1] != "zest" {
		t.Fatalf("ParseServers: %v %v", s, err)
	}
	if _, err := ParseServers("cyrus"); err == nil {
		t.Fatal("unknown server accepted")
	}
	if ShellQuote("-c") != "-c" || ShellQuote("10, 50") != "'10, 50'" || ShellQuote("") != "''" {
		t.Fatal("ShellQuote")
	}
}
