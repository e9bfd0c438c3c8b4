package mimeinfo

import (
	"reflect"
	"testing"
)

func TestParseMediaType(t *testing.T) {
	for _, tt := range []struct {
		in       string
		typ, sub string
		params   []Param
		ok       bool
	}{
		{"text/plain", "text", "plain", nil, true},
		{" Text / HTML ; Charset=UTF-8", "text", "html", []Param{{"charset", "UTF-8"}}, true},
		{"text/plain; charset=us-ascii (Plain text)", "text", "plain", []Param{{"charset", "us-ascii"}}, true},
		{`text/plain; foo="quoted\"string"; bar="a;b"`, "text", "plain", []Param{{"foo", `quoted"string`}, {"bar", "a;b"}}, true},
		{"multipart/mixed; boundary=----=_Part_0_12.34", "multipart", "mixed", []Param{{"boundary", "----=_Part_0_12.34"}}, true},
		{"multipart/mixed;boundary=\"abc\";", "multipart", "mixed", []Param{{"boundary", "abc"}}, true},
		{"text/plain; ; =x; novalue; a = 1 ;b=\"unterminated", "text", "plain", []Param{{"a", "1"}, {"b", "unterminated"}}, true},
		{"text/plain garbage; a=1", "text", "plain", []Param{{"a", "1"}}, true},
		{"(comment) text/(c)plain", "text", "plain", nil, true},
		{"text", "", "", nil, false},
		{"/plain", "", "", nil, false},
		{"text/", "", "", nil, false},
		{"", "", "", nil, false},
		{";charset=x", "", "", nil, false},
		// RFC 2231 (its own examples).
		{`message/external-body; access-type=URL; URL*0="ftp://"; URL*1="cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"`,
			"message", "external-body", []Param{{"access-type", "URL"}, {"url", "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"}}, true},
		{`application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A`,
			"application", "x-stuff", []Param{{"title*", "us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A"}}, true},
		{`application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2="isn't it!"`,
			"application", "x-stuff", []Param{{"title*", "us-ascii'en'This%20is%20even%20more%20%2A%2A%2Afun%2A%2A%2A%20isn't it!"}}, true},
		// Out of order pieces go where the first one was written.
		{`a/b; x=1; name*1="b"; y=2; name*0="a"`, "a", "b", []Param{{"x", "1"}, {"name", "ab"}, {"y", "2"}}, true},
		// A plain first piece with encoded ones: '%' is escaped, no charset.
		{`a/b; name*0="50%"; name*1*=%41`, "a", "b", []Param{{"name*", "''50%25%41"}}, true},
		// A gap leaves the pieces alone.
		{`a/b; name*0="a"; name*2="c"`, "a", "b", []Param{{"name*0", "a"}, {"name*2", "c"}}, true},
		{`a/b; name*0="a"; name*0="b"`, "a", "b", []Param{{"name*0", "a"}, {"name*0", "b"}}, true},
		{`a/b; name*x=1; name**=2; *0=3`, "a", "b", []Param{{"name*x", "1"}, {"name**", "2"}, {"*0", "3"}}, true},
	} {
		typ, sub, params, ok := parseMediaType(tt.in)
		if typ != tt.typ || sub != tt.sub || ok != tt.ok || !reflect.DeepEqual(params, tt.params) {
			t.Errorf("%q\n got %q %q %q %v\nwant %q %q %q %v", tt.in, typ, sub, params, ok, tt.typ, tt.sub, tt.params, tt.ok)
		}
	}
}

func TestParseDispositionEncodingLanguage(t *testing.T) {
	d, ps := parseDisposition(`Attachment; FileName="a b.txt"; size=12`)
	if d != "attachment" || !reflect.DeepEqual(ps, []Param{{"filename", "a b.txt"}, {"size", "12"}}) {
		t.Errorf("disposition %q %q", d, ps)
	}
	if d, ps := parseDisposition(`; filename=x`); d != "" || ps != nil {
		t.Errorf("empty disposition %q %q", d, ps)
	}
	for in, want := range map[string]string{
		"base64": "base64", " BASE64 (comment)": "base64", "Quoted-Printable": "quoted-printable",
		"": "7bit", "?invalid": "7bit", "two words": "7bit", "x-uuencode": "x-uuencode",
	} {
		if got := parseEncoding(in); got != want {
			t.Errorf("parseEncoding(%q) = %q, want %q", in, got, want)
		}
	}
	if got := parseLanguage(" en-US, (x) fr ,, de"); !reflect.DeepEqual(got, []string{"en-US", "fr", "de"}) {
		t.Errorf("parseLanguage = %q", got)
	}
	if got := parseLanguage(" , "); got != nil {
		t.Errorf("parseLanguage of nothing = %q", got)
	}
}
