package sieve

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// benchScript is a realistic large filter: 200 rules of the kinds people
// write (list sorting, sender rules, spam words, size), none of which match
// the benchmark message, so every test runs.
func benchScript() string {
	var b strings.Builder
	b.WriteString(`require ["fileinto", "envelope", "copy", "imap4flags"];` + "\n")
	for i := 0; i < 200; i++ {
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "if header :contains \"list-id\" \"<list%d.lists.example.org>\" { fileinto \"Lists/%d\"; stop; }\n", i, i)
		case 1:
			fmt.Fprintf(&b, "if address :is :domain [\"from\", \"sender\"] \"vendor%d.example\" { fileinto :copy \"Vendors\"; }\n", i)
		case 2:
			fmt.Fprintf(&b, "if anyof (header :matches \"subject\" \"*[ticket-%d]*\", address :localpart \"to\" \"team%d\") { addflag \"$Team\"; fileinto \"Work\"; }\n", i, i)
		case 3:
			fmt.Fprintf(&b, "if allof (envelope :domain \"from\" \"bulk%d.example\", size :over 1M) { discard; stop; }\n", i)
		case 4:
			fmt.Fprintf(&b, "if header :contains [\"subject\", \"x-spam-flag\"] [\"viagra%d\", \"lottery%d\", \"YES%d\"] { fileinto \"Junk\"; }\n", i, i, i)
		}
	}
	return b.String()
}

func benchMessage() string {
	var b strings.Builder
	b.WriteString("Return-Path: <alice@example.com>\n")
	for i := 0; i < 8; i++ {
		fmt.Fprintf(&b, "Received: from relay%d.example.net (relay%d.example.net [192.0.2.%d])\n\tby mx.example.org with ESMTPS id abc%d\n\tfor <bob@example.org>; Tue, 1 Apr 2025 09:06:31 +0000\n", i, i, i, i)
	}
	b.WriteString(`From: "Alice Example" <alice@example.com>
To: Bob <bob@example.org>, "Carol" <carol@example.org>
Cc: team-lead@example.org
Subject: =?UTF-8?Q?Quarterly_r=C3=A9view?= of the project plan
Date: Tue, 1 Apr 2025 09:06:31 +0000
Message-ID: <20250401090631.12345@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; h=from:to:subject;
	bh=abcdefghijklmnopqrstuvwxyz0123456789; b=abcdefghijklmnopqrstuvwxyz

`)
	line := "The quick brown fox jumps over the lazy dog, again and again, for the benchmark.\n"
	for b.Len() < 50*1024 {
		b.WriteString(line)
	}
	return b.String()
}

// BenchmarkRun runs a 200-rule script against a 50 KB message; the target
// is below 50 µs per delivery.
func BenchmarkRun(b *testing.B) {
	s, err := Compile([]byte(benchScript()), Options{})
	if err != nil {
		b.Fatal(err)
	}
	in := &Input{Message: newTestMessage(benchMessage()), Envelope: Envelope{From: "alice@example.com", To: "bob@example.org"}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := s.Run(ctx, in)
		if err != nil || len(res.Actions) != 1 {
			b.Fatalf("%v %v", res, err)
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	src := []byte(benchScript())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(src, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
