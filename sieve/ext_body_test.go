package sieve

import (
	"strings"
	"testing"
)

const bodyMsg = "From: a@example.org\r\nTo: me@example.com\r\nSubject: s\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" +
	"prologue text\r\n--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
	"The missile coordinates: caf=E9\r\n--b\r\nContent-Type: audio/mp3\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
	"TUFLRSBNT05FWQ==\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n" +
	"From: inner@example.net\r\nSubject: inner\r\n\r\nproject schedule inside\r\n--b--\r\nepilogue text\r\n"

func TestBody(t *testing.T) {
	env := Envelope{From: "a@example.org", To: "me@example.com"}
	tests := []struct{ name, spec, src, msg, want string }{
		// RFC 5173 §7 examples.
		{"matches sets no match variables", "SV-45", `require ["body", "variables", "fileinto"];
			if header :matches "subject" "*" {}
			if body :raw :matches "*MONEY*" { fileinto "kept-${1}"; }`,
			"Subject: from header\r\n\r\nMAKE MONEY FAST now\r\n", `fileinto "kept-from header"`},
		{"raw contains", "SV-42", `require "body"; if body :raw :contains "MAKE MONEY FAST" { discard; }`,
			"Subject: x\r\n\r\nMAKE MONEY FAST now\r\n", "discard"},
		{"content text", "SV-43", `require ["body", "fileinto"];
			if body :content "text" :contains ["missile", "coordinates"] { fileinto "secrets"; }`, bodyMsg, `fileinto "secrets"`},
		{"content audio/mp3 any", "SV-43", `require ["body", "fileinto"];
			if body :content "audio/mp3" :contains "" { fileinto "jukebox"; }`, bodyMsg, `fileinto "jukebox"`},
		{"text of a nested message body", "SV-43, SV-44", `require ["body", "fileinto"];
			if body :text :contains "project schedule" { fileinto "project/schedule"; }`, bodyMsg, `fileinto "project/schedule"`},

		{"raw is undecoded, part headers included", "SV-42", `require ["body", "fileinto", "copy"];
			if body :raw :contains "caf=E9" { fileinto :copy "qp"; }
			if body :raw :contains "Content-Type: audio/mp3" { fileinto :copy "hdr"; }
			if body :raw :contains "Subject: s" { fileinto :copy "top-header"; }`, bodyMsg,
			"fileinto :copy \"qp\"\nfileinto :copy \"hdr\"\nkeep"},
		{"decoded and converted", "SV-43", `require ["body", "fileinto", "copy"];
			if body :content "text/plain" :contains "café" { fileinto :copy "latin1"; }
			if body :content "audio" :is "MAKE MONEY" { fileinto :copy "base64"; }
			if body :content "text" :contains "Content-Transfer-Encoding" { fileinto :copy "part-header"; }`, bodyMsg,
			"fileinto :copy \"latin1\"\nfileinto :copy \"base64\"\nkeep"},
		{"multipart: prologue and epilogue only", "SV-43", `require ["body", "fileinto", "copy"];
			if body :content "multipart" :contains "epilogue" { fileinto :copy "epi"; }
			if body :content "multipart" :contains "prologue" { fileinto :copy "pro"; }
			if body :content "multipart" :contains "missile" { fileinto :copy "child"; }`, bodyMsg,
			"fileinto :copy \"epi\"\nfileinto :copy \"pro\"\nkeep"},
		{"message/rfc822: its header only", "SV-43", `require ["body", "fileinto", "copy"];
			if body :content "message/rfc822" :contains "inner@example.net" { fileinto :copy "hdr"; }
			if body :content "message/rfc822" :contains "schedule" { fileinto :copy "body"; }`, bodyMsg,
			"fileinto :copy \"hdr\"\nkeep"},
		{"bad slash forms select nothing", "SV-43", `require ["body", "fileinto", "copy"];
			if body :content ["text/", "/plain", "text/plain/x"] :contains "" { fileinto :copy "x"; }`, bodyMsg, "keep"},
		{"each part alone", "SV-43", `require ["body", "fileinto", "copy"];
			if body :content "" :matches "*missile*inner@*" { fileinto :copy "x"; }`, bodyMsg, "keep"},
		{"no body: false, not false", "SV-41", `require ["body", "fileinto", "copy"];
			if body :raw :matches "*" { fileinto :copy "raw"; }
			if not body :contains "x" { fileinto :copy "not"; }`, "Subject: only a header\r\n", "fileinto :copy \"not\"\nkeep"},
		{"empty body exists", "SV-41", `require ["body", "fileinto"]; if body :raw :is "" { fileinto "empty"; }`,
			"Subject: x\r\n\r\n", `fileinto "empty"`},
		{"too large", "SV-27", `require "body"; if body :raw :contains "x" { discard; }`,
			"Subject: x\r\n\r\n" + strings.Repeat("a", maxBodyScan+1), "error: 1:20: body: the body is larger than 10485760 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runScript(t, tt.src, tt.msg, env)
			if got != tt.want {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", tt.spec, got, tt.want)
			}
		})
	}
}

// spec: SV-41
func TestBodyCompileErrors(t *testing.T) {
	for _, src := range []string{
		`if body :contains "x" { discard; }`,
		`require "body"; if body :raw :text "x" { discard; }`,
		`require "body"; if body :content "x" { discard; }`,
	} {
		if _, err := Compile([]byte(src), Options{}); err == nil {
			t.Errorf("%s: compiled, want an error", src)
		}
	}
}

// FuzzBodyWalk feeds arbitrary messages through :content, which must
// never panic or hang.
func FuzzBodyWalk(f *testing.F) {
	f.Add([]byte(bodyMsg))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\n--x--"))
	f.Add([]byte("Content-Type: multipart/digest; boundary=x\n\n--x\n\nSubject: a\n\nb\n--x"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		w := &bodyWalker{types: []string{""}}
		_ = w.entity(msg, 0, false)
	})
}
