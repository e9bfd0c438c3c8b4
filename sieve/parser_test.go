package sieve

import (
	"errors"
	"strings"
	"testing"
)

// spec: SV-01
func TestLexValues(t *testing.T) {
	tests := []struct {
		src  string
		want []string // string values of every string token
		nums []uint64
	}{
		{`"a\\b\"c"`, []string{`a\b"c`}, nil},
		{`"\a\q"`, []string{"aq"}, nil}, // other backslashes are dropped
		{"text:\r\nline 1\r\n..dot\r\n.\r\n", []string{"line 1\r\n.dot\r\n"}, nil},
		{"text: # comment\nx\n.\n", []string{"x\r\n"}, nil},
		{"text:\n.", []string{""}, nil},
		{"1K 2m 3G 0 2147483647", nil, []uint64{1024, 2 << 20, 3 << 30, 0, 2147483647}},
		{"/* a\n * b */ \"x\" # c\n\"y\"", []string{"x", "y"}, nil},
	}
	for _, tt := range tests {
		l := newLexer(tt.src)
		var strs []string
		var nums []uint64
		for {
			tok, err := l.next()
			if err != nil {
				t.Fatalf("%q: %v", tt.src, err)
			}
			if tok.kind == tokEOF {
				break
			}
			switch tok.kind {
			case tokString:
				strs = append(strs, tok.text)
			case tokNumber:
				nums = append(nums, tok.num)
			}
		}
		if strings.Join(strs, "|") != strings.Join(tt.want, "|") || len(nums) != len(tt.nums) {
			t.Errorf("%q: strings %q numbers %v, want %q %v", tt.src, strs, nums, tt.want, tt.nums)
			continue
		}
		for i := range nums {
			if nums[i] != tt.nums[i] {
				t.Errorf("%q: number %d = %d, want %d", tt.src, i, nums[i], tt.nums[i])
			}
		}
	}
}

// spec: SV-01
func TestParseTree(t *testing.T) {
	src := `REQUIRE ["fileinto"];
if AnyOf (header :Contains "subject" "x", not exists "y") {
	fileinto "a";
} elsif size :over 10k { stop; }
`
	cmds, err := parse(src, 32)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) != 3 || cmds[0].Name != "require" || cmds[1].Name != "if" || cmds[2].Name != "elsif" {
		t.Fatalf("commands: %+v", cmds)
	}
	if a := cmds[0].Args[0]; a.Kind != ArgStringList || a.Strings[0] != "fileinto" {
		t.Errorf("require argument %+v", a)
	}
	anyof := cmds[1].Tests[0]
	if anyof.Name != "anyof" || !anyof.TestList || len(anyof.Tests) != 2 || anyof.Pos != (Pos{2, 4}) {
		t.Errorf("anyof: %+v", anyof)
	}
	if h := anyof.Tests[0]; h.Args[0].Tag != "contains" || h.Args[1].Strings[0] != "subject" {
		t.Errorf("header: %+v", h)
	}
	if n := anyof.Tests[1]; n.Name != "not" || n.Tests[0].Name != "exists" || n.Tests[0].Pos != (Pos{2, 47}) {
		t.Errorf("not: %+v", n.Tests[0])
	}
	if b := cmds[1].Block; len(b) != 1 || b[0].Name != "fileinto" || b[0].Pos != (Pos{3, 2}) {
		t.Errorf("block: %+v", b)
	}
	if s := cmds[2].Tests[0]; s.Args[1].Number != 10240 {
		t.Errorf("size: %+v", s)
	}
}

// spec: SV-01
func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"keep", `1:5: expected ";" after command "keep", found end of script`},
		{"if true {\n  keep;\n  discard\n}", `4:1: expected ";" after command "discard", found "}"`},
		{"if true { keep;", `1:9: block opened here has no closing "}"`},
		{`fileinto "abc`, `1:10: unterminated string`},
		{"keep; /* open", `1:7: unterminated comment`},
		{"x [\"a\" \"b\"];", `1:8: expected "," or "]" in string list, found string`},
		{"x [];", `1:4: expected a string in string list, found "]"`},
		{"if anyof (true, ) {}", `1:17: expected a test, found ")"`},
		{"size :over 99999999999999999999;", `1:12: number too large`},
		{"size :over 9999999999999999G;", `1:12: number too large`},
		{"x 12q;", `1:5: unexpected character 'q' after number`},
		{"x : a;", `1:3: expected a tag name after ":"`},
		{"text:\nabc\n", `1:1: unterminated multi-line string (missing "." line)`},
		{"x text: abc\n.\n;", `1:9: expected end of line after "text:"`},
		{"}", `1:1: unexpected "}"`},
		{"keep; 42;", `1:7: expected a command, found number`},
		{"x @;", `1:3: unexpected character '@'`},
		{"x \"a\x00\";", `1:5: NUL character in string (use encoded-character)`},
		{"x text:\na\x00\n.\n;", `2:1: NUL character in string (use encoded-character)`},
	}
	for _, tt := range tests {
		_, err := parse(tt.src, 32)
		var e *Error
		if !errors.As(err, &e) || err.Error() != tt.want {
			t.Errorf("%q: error %v, want %s", tt.src, err, tt.want)
		}
	}
}

// spec: SV-20
func TestParseNesting(t *testing.T) {
	deep := strings.Repeat("if true {", 40) + strings.Repeat("}", 40)
	if _, err := parse(deep, 32); err == nil || !strings.Contains(err.Error(), "nesting deeper than 32") {
		t.Errorf("40 nested blocks: %v", err)
	}
	ok := strings.Repeat("if true {", 15) + strings.Repeat("}", 15)
	if _, err := parse(ok, 32); err != nil {
		t.Errorf("15 nested blocks: %v", err)
	}
	nots := "if " + strings.Repeat("not ", 100000) + "true {}"
	if _, err := parse(nots, 32); err == nil {
		t.Errorf("100000 nested nots parsed")
	}
}
