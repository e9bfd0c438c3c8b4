package mimeinfo

import "testing"

func TestCRLF(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "",
		"a\r\nb\r\n":             "a\r\nb\r\n",
		"a\nb\n":                 "a\r\nb\r\n",
		"\n":                     "\r\n",
		"a\r\nb\nc\r\n\n":        "a\r\nb\r\nc\r\n\r\n",
		"bare\rCR stays\r\n":     "bare\rCR stays\r\n",
		"no line end":            "no line end",
		"\n\n.\n":                "\r\n\r\n.\r\n",
		"x\r\r\ny":               "x\r\r\ny",
		"ends in bare LF\r\nx\n": "ends in bare LF\r\nx\r\n",
	} {
		if got := string(CRLF([]byte(in))); got != want {
			t.Errorf("CRLF(%q) = %q, want %q", in, got, want)
		}
	}
}
