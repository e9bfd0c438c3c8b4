package smtp

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"
)

func TestTraceHeaders(t *testing.T) {
	date := time.Date(2026, 11, 23, 10, 4, 5, 0, time.FixedZone("", 3600))
	tr := trace{
		from:   "sender@example.net",
		rcpts:  []string{"alice@example.org"},
		helo:   "mail.example.net",
		remote: &net.TCPAddr{IP: net.ParseIP("2001:db8::25"), Port: 40000},
		by:     "mx.zest.test",
		tls:    &tls.ConnectionState{Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256},
		id:     "abcdefghij234567",
		date:   date,
	}
	want := "Return-Path: <sender@example.net>\r\n" +
		"Delivered-To: alice@example.org\r\n" +
		"Received: from mail.example.net ([IPv6:2001:db8::25])\r\n" +
		"\tby mx.zest.test with ESMTPS (version=TLS1.3 cipher=TLS_AES_128_GCM_SHA256)\r\n" +
		"\tid abcdefghij234567\r\n" +
		"\tfor <alice@example.org>; Mon, 23 Nov 2026 10:04:05 +0100\r\n"
	if got := string(tr.headers()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	tr.rcpts = append(tr.rcpts, "bob@example.org")
	tr.from = ""
	tr.tls = nil
	tr.lmtp = true
	tr.remote = &net.UnixAddr{Name: "@", Net: "unix"}
	want = "Return-Path: <>\r\n" +
		"Received: from mail.example.net\r\n" +
		"\tby mx.zest.test with LMTP\r\n" +
		"\tid abcdefghij234567\r\n" +
		"\t; Mon, 23 Nov 2026 10:04:05 +0100\r\n"
	if got := string(tr.headers()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestProtocolName(t *testing.T) {
	for _, tc := range []struct {
		lmtp, utf8, tls, auth bool
		want                  string
	}{
		{false, false, false, false, "ESMTP"},
		{false, false, true, false, "ESMTPS"},
		{false, false, false, true, "ESMTPA"},
		{false, false, true, true, "ESMTPSA"},
		{false, true, false, false, "UTF8SMTP"},
		{false, true, true, true, "UTF8SMTPSA"},
		{true, false, false, false, "LMTP"},
		{true, false, true, false, "LMTPS"},
		{true, true, false, false, "UTF8LMTP"},
		{true, true, true, false, "UTF8LMTPS"},
	} {
		if got := protocolName(tc.lmtp, tc.utf8, tc.tls, tc.auth); got != tc.want {
			t.Errorf("protocolName(%v, %v, %v, %v) = %s, want %s", tc.lmtp, tc.utf8, tc.tls, tc.auth, got, tc.want)
		}
	}
}

// A hostile EHLO name cannot add a header field or break the comment.
func TestCleanHelo(t *testing.T) {
	for helo, want := range map[string]string{
		"mail.example.net":               "mail.example.net",
		"[192.0.2.1]":                    "[192.0.2.1]",
		"[IPv6:2001:db8::1]":             "[IPv6:2001:db8::1]",
		"":                               "unknown",
		"evil\r\nX-Injected: yes":        "evil__X-Injected:_yes",
		"a(b)c;d\\e\x00f\tg":             "a_b_c_d_e_f_g",
		"пример.рф":                      "______.__", // no UTF-8 without SMTPUTF8
		strings.Repeat("a", 300) + ".ex": strings.Repeat("a", 255),
	} {
		if got := cleanHelo(helo, false); got != want {
			t.Errorf("cleanHelo(%q) = %q, want %q", helo, got, want)
		}
	}
	if got := cleanHelo("пример.рф\xff", true); got != "пример.рф_" {
		t.Errorf("UTF-8 EHLO name: %q", got)
	}
}

func TestQuoteAddress(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "",
		"alice@example.org": "alice@example.org",
		"a.b+c@example.org": "a.b+c@example.org",
		"josé@example.org":  "josé@example.org",
		"a b@example.org":   `"a b"@example.org`,
		"a>b@example.org":   `"a>b"@example.org`,
		`a"b\c@example.org`: `"a\"b\\c"@example.org`,
		".a@example.org":    `".a"@example.org`,
		"a..b@example.org":  `"a..b"@example.org`,
		"x@y@example.org":   `"x@y"@example.org`,
	} {
		if got := quoteAddress(in); got != want {
			t.Errorf("quoteAddress(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newID()
		if len(id) != 16 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz234567") != "" || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
}
