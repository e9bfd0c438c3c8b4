package sieve

import (
	"testing"
	"time"
)

// indexMessage repeats Received and To; the To fields hold two addresses
// each, so :index on address picks fields, not addresses.
const indexMessage = `Received: from c.example.net by b.example.net; Tue, 3 Mar 2026 09:00:00 +0000
Received: from b.example.net by a.example.net; Tue, 3 Mar 2026 08:00:00 +0000
Received: from a.example.net by origin.example.net; Mon, 2 Mar 2026 23:00:00 +0000
From: sender@example.org
To: Alice <alice@example.com>, bob@example.com
To: carol@example.com, Dave <dave@example.com>
Cc: erin@example.com
Subject: Index

Body.
`

// spec: SV-69
func TestIndex(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"header: the n-th field", `if header :index 2 :contains "received" "by a.example.net" { fileinto "2"; }
			if header :index 1 :contains "received" "by a.example.net" { fileinto "1"; }`, `fileinto "2"`},
		{"header: :last counts from the end", `if header :index 1 :last :contains "received" "origin" { fileinto "last"; }
			if header :index 3 :last :contains "received" "origin" { fileinto "first"; }`, `fileinto "last"`},
		{"header: past the end is false", `if header :index 4 :matches "received" "*" { fileinto "4"; }
			if header :index 4 :last :matches "received" "*" { fileinto "4-last"; }`, "keep"},
		{"header: several names are counted one after the other", `if header :index 3 :is ["to", "cc"] "erin@example.com" { fileinto "cc"; }
			if header :index 1 :last :is ["cc", "to"] "carol@example.com, Dave <dave@example.com>" { fileinto "to"; }`,
			"fileinto \"cc\"\nfileinto \"to\""},
		{"header: :matches captures from the picked field", `if header :index 2 :matches "received" "from * by *;*" { fileinto "${1}"; }`,
			`fileinto "b.example.net"`},
		{"header: count within the picked field", `if header :index 2 :count "eq" "received" "1" { fileinto "one"; }
			if header :index 5 :count "eq" "received" "0" { fileinto "none"; }`, "fileinto \"one\"\nfileinto \"none\""},
		{"address: a field, every address in it", `if address :index 1 :is "to" "bob@example.com" { fileinto "bob"; }
			if address :index 1 :is "to" "carol@example.com" { fileinto "carol"; }
			if address :index 1 :last :localpart "to" "dave" { fileinto "dave"; }`, "fileinto \"bob\"\nfileinto \"dave\""},
		{"address: count within the picked field", `if address :index 2 :count "eq" "to" "2" { fileinto "two"; }
			if address :count "eq" "to" "4" { fileinto "four"; }`, "fileinto \"two\"\nfileinto \"four\""},
		{"address: over several names", `if address :index 3 :domain ["to", "cc"] "example.com" { fileinto "cc"; }`, `fileinto "cc"`},
		{"date: the n-th Received", `if date :index 3 "received" "date" "2026-03-02" { fileinto "3"; }
			if date :index 1 :last :originalzone "received" "time" "23:00:00" { fileinto "last"; }
			if date :last :index 3 "received" "time" "09:00:00" { fileinto "first"; }
			if date :index 4 :matches "received" "date" "*" { fileinto "none"; }`,
			"fileinto \"3\"\nfileinto \"last\"\nfileinto \"first\""},
		{"date: :originalzone after :last keeps :last", `if date :index 1 :last :originalzone "received" "date" "2026-03-02" { fileinto "last"; }`,
			`fileinto "last"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := `require ["index", "date", "relational", "variables", "fileinto"]; ` + tt.src
			if got := runDate(t, src, indexMessage, time.Time{}, nil); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// spec: SV-69
func TestIndexCompileErrors(t *testing.T) {
	for _, src := range []string{
		`require "index"; if header :last "to" "x" { discard; }`,
		`require "index"; if header :index 0 "to" "x" { discard; }`,
		`require "index"; if address :index 0 :last "to" "x" { discard; }`,
		`require ["index", "date"]; if date :last "date" "year" "2026" { discard; }`,
		`require "index"; if header :index "1" "to" "x" { discard; }`,
		`require "index"; if header :index 1 :index 2 "to" "x" { discard; }`,
		`require "index"; if exists :index 1 "to" { discard; }`,
		`if header :index 1 "to" "x" { discard; }`,
	} {
		if _, err := Compile([]byte(src), Options{}); err == nil {
			t.Errorf("%s: compiled, want an error", src)
		}
	}
}
