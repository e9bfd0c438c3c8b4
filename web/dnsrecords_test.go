package web

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// The advised records for a domain whose mail host is inside it, with a
// DKIM key and some services off: every record's name, type and pasteable
// value, "0 0 0 ." for the services that are off, and no address record
// for a loopback address.
func TestRecordsFor(t *testing.T) {
	key, err := GenerateDKIMKey("example.org", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	_, dkimValue, _ := DKIMRecord(key)
	s := Services{Hostname: "Mail.Example.org", IMAPS: 993, Submission: 587, ManageSieve: 4190}
	ips := []netip.Addr{netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("2001:db8::10"), netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::ffff:192.0.2.11")}
	got := RecordsFor("Example.ORG", s, &key, ips)
	want := []DNSRecord{
		{Name: "example.org", Type: "MX", Value: "10 mail.example.org.", Priority: 10},
		{Name: "mail.example.org", Type: "A", Value: "192.0.2.10"},
		{Name: "mail.example.org", Type: "AAAA", Value: "2001:db8::10"},
		{Name: "mail.example.org", Type: "A", Value: "192.0.2.11"},
		{Name: "example.org", Type: "TXT", Value: "v=spf1 mx -all"},
		{Name: "mail.example.org", Type: "TXT", Value: "v=spf1 a -all"},
		{Name: "_dmarc.example.org", Type: "TXT", Value: "v=DMARC1; p=quarantine; rua=mailto:postmaster@example.org"},
		{Name: "zest2026._domainkey.example.org", Type: "TXT", Value: dkimValue},
		{Name: "_imaps._tcp.example.org", Type: "SRV", Value: "0 0 993 mail.example.org."},
		{Name: "_imap._tcp.example.org", Type: "SRV", Value: "0 0 0 ."},
		{Name: "_submissions._tcp.example.org", Type: "SRV", Value: "0 0 0 ."},
		{Name: "_submission._tcp.example.org", Type: "SRV", Value: "10 0 587 mail.example.org.", Priority: 10},
		{Name: "_sieve._tcp.example.org", Type: "SRV", Value: "0 0 4190 mail.example.org."},
		{Name: "autoconfig.example.org", Type: "CNAME", Value: "mail.example.org."},
		{Name: "autodiscover.example.org", Type: "CNAME", Value: "mail.example.org."},
		{Name: "_autodiscover._tcp.example.org", Type: "SRV", Value: "0 0 443 mail.example.org."},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d:\n%s", len(got), len(want), ZoneFile(got))
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.Name || g.Type != w.Type || g.Value != w.Value || g.Priority != w.Priority {
			t.Errorf("record %d:\n got %s %s %q %d\nwant %s %s %q %d", i, g.Name, g.Type, g.Value, g.Priority, w.Name, w.Type, w.Value, w.Priority)
		}
		if g.Why == "" {
			t.Errorf("%s %s has no explanation", g.Name, g.Type)
		}
	}

	// A host outside the domain gets no address or HELO SPF record here; no
	// key, no DKIM record.
	other := RecordsFor("example.net", s, nil, ips)
	for _, r := range other {
		if r.Type == "A" || r.Type == "AAAA" || strings.Contains(r.Name, "_domainkey") || r.Name == "mail.example.org" {
			t.Errorf("unexpected %s %s %s", r.Name, r.Type, r.Value)
		}
	}
}

// A zone file quotes TXT data and splits it into 255-byte strings, so a
// 2048-bit DKIM key imports whole.
func TestZoneFile(t *testing.T) {
	long := strings.Repeat("k", 300)
	z := ZoneFile([]DNSRecord{
		{Name: "example.org", Type: "MX", Value: "10 mail.example.org."},
		{Name: "sel._domainkey.example.org", Type: "TXT", Value: "p=" + long},
		{Name: "q.example.org", Type: "TXT", Value: `a "quoted" \ text`},
	})
	want := "example.org.\t3600\tIN\tMX\t10 mail.example.org.\n" +
		"sel._domainkey.example.org.\t3600\tIN\tTXT\t\"p=" + long[:253] + "\" \"" + long[253:] + "\"\n" +
		"q.example.org.\t3600\tIN\tTXT\t\"a \\\"quoted\\\" \\\\ text\"\n"
	if z != want {
		t.Errorf("got\n%s\nwant\n%s", z, want)
	}
}
