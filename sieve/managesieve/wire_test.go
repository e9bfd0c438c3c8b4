package managesieve

import (
	"bufio"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestDecoder(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"noop\r\n", "NOOP []"},
		{"\r\n\nCAPABILITY\n", "CAPABILITY []"},
		{`PUTSCRIPT "a b" {5+}` + "\r\nkeep;\r\n", `PUTSCRIPT ["a b" "keep;"]`},
		{"PUTSCRIPT {1}\r\na {0}\r\n\r\n", `PUTSCRIPT ["a" ""]`},
		{`HAVESPACE "x" 4294967295` + "\r\n", `HAVESPACE ["x" 4294967295]`},
		{`HAVESPACE "x" 4294967296` + "\r\n", "error: number out of range"},
		{`X "a\"b\\c"` + "\r\n", `X ["a\"b\\c"]`},
		{"X \"\xff\"\r\n", "error: quoted string is not UTF-8"},
		{`X "` + strings.Repeat("a", 1025) + `"` + "\r\n", "error: quoted string too long; use a literal"},
		{"X {10+}\r\n0123456789 {10+}\r\n0123456789\r\n", "error: literal too large"},
		{"X {15+}\r\n012345678901234\r\n", `X ["012345678901234"]`},
		{"X {+}\r\n", "error: bad literal size"},
		{"X {1234567890123}\r\n", "error: literal size too large"},
		{"X \"a\" \r\n", "error: unexpected '\\r' in arguments"},
		{"X\"a\"\r\n", "error: unexpected '\"' in arguments"},
		{"X " + strings.Repeat(`"a" `, 9) + "\r\n", "error: too many arguments"},
		{"X " + strings.Repeat("a", maxLineBytes) + "\r\n", "error: command line too long"},
		{"X \"a\"\rb", "error: expected CRLF"},
		{"X \"a", "error: EOF"},
	} {
		d := &decoder{r: bufio.NewReader(strings.NewReader(tc.in)), maxLiteral: 15}
		name, args, err := d.readCommand()
		got := ""
		if err != nil {
			got = "error: " + err.Error()
		} else {
			var parts []string
			for _, a := range args {
				if a.kind == argNumber {
					parts = append(parts, fmt.Sprint(a.n))
				} else {
					parts = append(parts, fmt.Sprintf("%q", a.s))
				}
			}
			got = name + " [" + strings.Join(parts, " ") + "]"
		}
		if got != tc.want {
			t.Errorf("%.40q: got %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestDecoderResyncsAfterSyntaxError(t *testing.T) {
	d := &decoder{r: bufio.NewReader(strings.NewReader("X \"unterminated\r\nNOOP\r\n")), maxLiteral: 100}
	_, _, err := d.readCommand()
	var se *syntaxError
	if !errors.As(err, &se) {
		t.Fatalf("first command: %v, want a syntax error", err)
	}
	if err := d.skipLine(); err != nil {
		t.Fatal(err)
	}
	if name, _, err := d.readCommand(); name != "NOOP" || err != nil {
		t.Fatalf("after resync: %q, %v", name, err)
	}
}
