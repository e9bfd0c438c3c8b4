package web

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// fakeDNS answers from maps keyed by lower-case name; a name absent from
// every map is not found, a name in fail gives that error.
type fakeDNS struct {
	mx    map[string][]*net.MX
	txt   map[string][]string
	srv   map[string][]*net.SRV
	host  map[string][]string
	cname map[string]string
	fail  map[string]error
}

func (f *fakeDNS) err(name string) error {
	if err := f.fail[strings.ToLower(name)]; err != nil {
		return err
	}
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (f *fakeDNS) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	if v, ok := f.mx[strings.ToLower(name)]; ok {
		return v, nil
	}
	return nil, f.err(name)
}

func (f *fakeDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	if v, ok := f.txt[strings.ToLower(name)]; ok {
		return v, nil
	}
	return nil, f.err(name)
}

func (f *fakeDNS) LookupSRV(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
	if service != "" || proto != "" {
		panic("the check looks SRV names up whole")
	}
	if v, ok := f.srv[strings.ToLower(name)]; ok {
		return name, v, nil
	}
	return "", nil, f.err(name)
}

func (f *fakeDNS) LookupHost(_ context.Context, host string) ([]string, error) {
	if v, ok := f.host[strings.ToLower(host)]; ok {
		return v, nil
	}
	return nil, f.err(host)
}

func (f *fakeDNS) LookupCNAME(_ context.Context, host string) (string, error) {
	if v, ok := f.cname[strings.ToLower(host)]; ok {
		return v, nil
	}
	if _, ok := f.host[strings.ToLower(host)]; ok {
		return host + ".", nil // like net: a name with addresses and no alias is its own canonical name
	}
	return "", f.err(host)
}

// Each kind of record comes out ok, missing or wrong by what it means, not
// by its exact text; a failing resolver is reported, not taken as missing.
func TestCheckRecords(t *testing.T) {
	key, err := GenerateDKIMKey("example.org", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	_, dkimValue, _ := DKIMRecord(key)
	otherKey, _ := GenerateDKIMKey("example.org", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	_, otherDKIM, _ := DKIMRecord(otherKey)
	// A key folded over several strings with spaces, as some providers keep it.
	foldedDKIM := strings.Replace(dkimValue, "p=", "p= ", 1)
	foldedDKIM = foldedDKIM[:60] + " " + foldedDKIM[60:]

	want := func(typ, name, value string) DNSRecord { return DNSRecord{Name: name, Type: typ, Value: value} }
	mx := want("MX", "example.org", "10 mail.example.org.")
	spf := want("TXT", "example.org", "v=spf1 mx -all")
	dmarc := want("TXT", "_dmarc.example.org", "v=DMARC1; p=quarantine; rua=mailto:postmaster@example.org")
	dkim := want("TXT", "zest2026._domainkey.example.org", dkimValue)
	imaps := want("SRV", "_imaps._tcp.example.org", "0 0 993 mail.example.org.")
	imapOff := want("SRV", "_imap._tcp.example.org", "0 0 0 .")
	autoconfig := want("CNAME", "autoconfig.example.org", "mail.example.org.")
	a := want("A", "mail.example.org", "192.0.2.10")
	aaaa := want("AAAA", "mail.example.org", "2001:db8::10")
	serverHost := map[string][]string{"mail.example.org": {"192.0.2.10", "2001:db8::10"}}

	tests := []struct {
		name   string
		record DNSRecord
		dns    fakeDNS
		status string
		advice string // a piece of the advice, if any is expected
	}{
		{"MX ok, case and dot", mx, fakeDNS{mx: map[string][]*net.MX{"example.org": {{Host: "MAIL.example.org.", Pref: 5}}}}, CheckOK, ""},
		{"MX ok with a backup", mx, fakeDNS{mx: map[string][]*net.MX{"example.org": {{Host: "mail.example.org", Pref: 10}, {Host: "backup.example.net", Pref: 20}}}}, CheckOK, "Other MX hosts"},
		{"MX missing", mx, fakeDNS{}, CheckMissing, ""},
		{"MX wrong", mx, fakeDNS{mx: map[string][]*net.MX{"example.org": {{Host: "mx.provider.net.", Pref: 10}}}}, CheckWrong, "make mail.example.org."},

		{"SPF exact", spf, fakeDNS{txt: map[string][]string{"example.org": {"google-site-verification=x", "v=spf1 mx -all"}}}, CheckOK, ""},
		{"SPF with more", spf, fakeDNS{txt: map[string][]string{"example.org": {"v=spf1 ip4:198.51.100.0/24 MX:example.org include:_spf.provider.net ~all"}}}, CheckOK, "-all"},
		{"SPF missing", spf, fakeDNS{txt: map[string][]string{"example.org": {"google-site-verification=x"}}}, CheckMissing, ""},
		{"SPF none at all", spf, fakeDNS{}, CheckMissing, ""},
		{"SPF twice", spf, fakeDNS{txt: map[string][]string{"example.org": {"v=spf1 mx -all", "v=spf1 a -all"}}}, CheckWrong, "2 SPF records"},
		{"SPF without mx", spf, fakeDNS{txt: map[string][]string{"example.org": {"v=spf1 include:_spf.provider.net -all"}}}, CheckWrong, "include:"},
		{"SPF mx after all", spf, fakeDNS{txt: map[string][]string{"example.org": {"v=spf1 -all mx"}}}, CheckWrong, "does not name"},
		{"SPF fails mx", spf, fakeDNS{txt: map[string][]string{"example.org": {"v=spf1 -mx a -all"}}}, CheckWrong, `"-mx"`},
		{"SPF +all", spf, fakeDNS{txt: map[string][]string{"example.org": {"v=spf1 mx +all"}}}, CheckWrong, "anyone"},
		{"SPF other domain's mx", spf, fakeDNS{txt: map[string][]string{"example.org": {"v=spf1 mx:example.net -all"}}}, CheckWrong, ""},

		{"DMARC ok", dmarc, fakeDNS{txt: map[string][]string{"_dmarc.example.org": {"v=DMARC1; p=quarantine; rua=mailto:postmaster@example.org"}}}, CheckOK, ""},
		{"DMARC stricter, spaced", dmarc, fakeDNS{txt: map[string][]string{"_dmarc.example.org": {"v = DMARC1 ;p=Reject; pct=100; rua=mailto:dmarc@example.org"}}}, CheckOK, ""},
		{"DMARC without reports", dmarc, fakeDNS{txt: map[string][]string{"_dmarc.example.org": {"v=DMARC1; p=reject"}}}, CheckOK, "rua="},
		{"DMARC missing", dmarc, fakeDNS{txt: map[string][]string{"_dmarc.example.org": {"something else"}}}, CheckMissing, ""},
		{"DMARC none", dmarc, fakeDNS{txt: map[string][]string{"_dmarc.example.org": {"v=DMARC1; p=none"}}}, CheckWrong, "p=none"},
		{"DMARC bad policy", dmarc, fakeDNS{txt: map[string][]string{"_dmarc.example.org": {"v=DMARC1; p=block"}}}, CheckWrong, "ignore"},
		{"DMARC twice", dmarc, fakeDNS{txt: map[string][]string{"_dmarc.example.org": {"v=DMARC1; p=reject", "v=DMARC1; p=none"}}}, CheckWrong, "2 DMARC"},

		{"DKIM ok", dkim, fakeDNS{txt: map[string][]string{"zest2026._domainkey.example.org": {dkimValue}}}, CheckOK, ""},
		{"DKIM folded", dkim, fakeDNS{txt: map[string][]string{"zest2026._domainkey.example.org": {foldedDKIM}}}, CheckOK, ""},
		{"DKIM no v=, k= implied", dkim, fakeDNS{txt: map[string][]string{"zest2026._domainkey.example.org": {strings.TrimPrefix(dkimValue, "v=DKIM1; k=rsa; ")}}}, CheckOK, ""},
		{"DKIM missing", dkim, fakeDNS{}, CheckMissing, ""},
		{"DKIM other key", dkim, fakeDNS{txt: map[string][]string{"zest2026._domainkey.example.org": {otherDKIM}}}, CheckWrong, "not this server's key"},
		{"DKIM twice", dkim, fakeDNS{txt: map[string][]string{"zest2026._domainkey.example.org": {dkimValue, otherDKIM}}}, CheckWrong, "Several"},

		{"SRV ok", imaps, fakeDNS{srv: map[string][]*net.SRV{"_imaps._tcp.example.org": {{Target: "Mail.Example.Org.", Port: 993, Priority: 5, Weight: 1}}}}, CheckOK, ""},
		{"SRV missing", imaps, fakeDNS{}, CheckMissing, ""},
		{"SRV wrong port", imaps, fakeDNS{srv: map[string][]*net.SRV{"_imaps._tcp.example.org": {{Target: "mail.example.org.", Port: 143}}}}, CheckWrong, "port 993"},
		{"SRV wrong target", imaps, fakeDNS{srv: map[string][]*net.SRV{"_imaps._tcp.example.org": {{Target: "imap.provider.net.", Port: 993}}}}, CheckWrong, ""},
		{"SRV off ok", imapOff, fakeDNS{srv: map[string][]*net.SRV{"_imap._tcp.example.org": {{Target: "."}}}}, CheckOK, ""},
		{"SRV off missing", imapOff, fakeDNS{}, CheckMissing, ""},
		{"SRV off advertised", imapOff, fakeDNS{srv: map[string][]*net.SRV{"_imap._tcp.example.org": {{Target: "mail.example.org.", Port: 143}}}}, CheckWrong, "0 0 0 ."},

		{"CNAME ok", autoconfig, fakeDNS{cname: map[string]string{"autoconfig.example.org": "mail.example.org."}}, CheckOK, ""},
		{"CNAME as addresses", autoconfig, fakeDNS{host: map[string][]string{"autoconfig.example.org": {"192.0.2.10"}, "mail.example.org": {"192.0.2.10", "2001:db8::10"}}}, CheckOK, "Address records"},
		{"CNAME missing", autoconfig, fakeDNS{host: serverHost}, CheckMissing, ""},
		{"CNAME elsewhere", autoconfig, fakeDNS{cname: map[string]string{"autoconfig.example.org": "autoconfig.provider.net."}}, CheckWrong, "alias of autoconfig.provider.net."},
		{"CNAME other address", autoconfig, fakeDNS{host: map[string][]string{"autoconfig.example.org": {"198.51.100.1"}, "mail.example.org": {"192.0.2.10"}}}, CheckWrong, "make it a CNAME"},

		{"A ok", a, fakeDNS{host: serverHost}, CheckOK, ""},
		{"AAAA ok", aaaa, fakeDNS{host: serverHost}, CheckOK, ""},
		{"A missing", a, fakeDNS{}, CheckMissing, ""},
		{"AAAA missing, only IPv4", aaaa, fakeDNS{host: map[string][]string{"mail.example.org": {"192.0.2.10"}}}, CheckMissing, ""},
		{"A wrong", a, fakeDNS{host: map[string][]string{"mail.example.org": {"198.51.100.1", "2001:db8::10"}}}, CheckWrong, "another address"},
	}
	for _, tc := range tests {
		got := CheckRecords(context.Background(), &tc.dns, []DNSRecord{tc.record})
		if len(got) != 1 {
			t.Fatalf("%s: %d results", tc.name, len(got))
		}
		c := got[0]
		if c.Status != tc.status || c.Record != tc.record || !strings.Contains(c.Advice, tc.advice) {
			t.Errorf("%s: status %q advice %q found %q; want %q with advice containing %q", tc.name, c.Status, c.Advice, c.Found, tc.status, tc.advice)
		}
		if tc.status == CheckWrong && len(c.Found) == 0 {
			t.Errorf("%s: wrong, but shows nothing found", tc.name)
		}
		if tc.status == CheckWrong && c.Advice == "" {
			t.Errorf("%s: wrong, without advice", tc.name)
		}
	}
}

// A resolver failure other than "not found" is reported with its text for
// every kind of record; the results keep the order of the request.
func TestCheckRecordsLookupFailure(t *testing.T) {
	recs := RecordsFor("example.org", allServices, nil, nil)
	servfail := &net.DNSError{Err: "server misbehaving", Name: "example.org", IsTemporary: true}
	fail := map[string]error{}
	for _, r := range recs {
		fail[strings.ToLower(r.Name)] = servfail
	}
	got := CheckRecords(context.Background(), &fakeDNS{fail: fail}, recs)
	for i, c := range got {
		if c.Record != recs[i] {
			t.Errorf("result %d is for %s %s, want %s %s", i, c.Record.Name, c.Record.Type, recs[i].Name, recs[i].Type)
		}
		if c.Status != CheckFailed || !strings.Contains(c.Advice, "server misbehaving") {
			t.Errorf("%s %s: status %q advice %q", c.Record.Name, c.Record.Type, c.Status, c.Advice)
		}
	}
}

// slowDNS answers only when the context ends.
type slowDNS struct{ fakeDNS }

func (s *slowDNS) LookupTXT(ctx context.Context, name string) ([]string, error) {
	<-ctx.Done()
	return nil, &net.DNSError{Err: ctx.Err().Error(), Name: name, IsTimeout: errors.Is(ctx.Err(), context.DeadlineExceeded)}
}

// A lookup that hangs ends with the caller's deadline and is reported as
// not checked.
func TestCheckRecordsTimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	got := CheckRecords(ctx, &slowDNS{}, []DNSRecord{{Name: "example.org", Type: "TXT", Value: "v=spf1 mx -all"}})
	if time.Since(start) > 2*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	if got[0].Status != CheckFailed {
		t.Errorf("status %q, want %q", got[0].Status, CheckFailed)
	}
}

// Whatever TXT data is published, each TXT check ends in a known status,
// shows what it found, and explains a "wrong".
func FuzzCheckTXT(f *testing.F) {
	f.Add("v=spf1 mx -all")
	f.Add("v=spf1 -mx +all redirect=x")
	f.Add("v=DMARC1; p=quarantine")
	f.Add("v=DKIM1; k=rsa; p=AAAA")
	f.Add("v=DMARC1;;==;p")
	wants := []DNSRecord{
		{Name: "example.org", Type: "TXT", Value: "v=spf1 mx -all"},
		{Name: "example.org", Type: "TXT", Value: "v=DMARC1; p=quarantine; rua=mailto:postmaster@example.org"},
		{Name: "example.org", Type: "TXT", Value: "v=DKIM1; k=rsa; p=AAAA"},
	}
	f.Fuzz(func(t *testing.T, txt string) {
		dns := &fakeDNS{txt: map[string][]string{"example.org": {txt}}}
		for _, c := range CheckRecords(context.Background(), dns, wants) {
			switch c.Status {
			case CheckOK, CheckMissing:
			case CheckWrong:
				if c.Advice == "" || len(c.Found) == 0 {
					t.Errorf("%q against %q: wrong without advice or finding", txt, c.Record.Value)
				}
			default:
				t.Errorf("%q against %q: status %q", txt, c.Record.Value, c.Status)
			}
		}
	})
}
