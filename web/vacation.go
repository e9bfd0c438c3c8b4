package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// VacationForm is what the vacation page edits. VacationScript turns it
// into the user's Sieve script and ParseVacationScript reads it back, so
// the page shows the form filled in again.
type VacationForm struct {
	Enabled   bool      // false keeps the text in the script but sends no replies
	Subject   string    // the replies' subject; empty lets the server choose ("Auto: " + the original's)
	Message   string    // the reply's text; line ends are read as "\n"
	Days      int       // answer each sender at most once in this many days, 1..90
	Start     time.Time // first day of the absence (only the date counts); zero for none
	End       time.Time // last day of the absence; zero for none
	Addresses []string  // further addresses of the user that mail to them may be answered for
}

// vacationMarker is the first line of every script VacationScript writes.
const vacationMarker = "# zest vacation form v1"

// Bounds of the form's fields.
const (
	maxVacationDays    = 90 // zest's Sieve engine caps :days at 90
	maxVacationSubject = 200
	maxVacationMessage = 64 << 10
	maxVacationAddrs   = 20
	vacationDateLayout = "2006-01-02"
)

// VacationScript returns the Sieve script for f, or an error a user can
// act on if the form is not filled in correctly. The script requires only
// vacation (and date and relational for the dates), never variables, so
// text such as "${name}" in the message is sent as written.
func VacationScript(f VacationForm) ([]byte, error) {
	f.Message = normalizeNewlines(f.Message)
	if err := f.validate(); err != nil {
		return nil, err
	}
	var tests []string
	if !f.Enabled {
		tests = append(tests, "false")
	}
	if !f.Start.IsZero() {
		tests = append(tests, `currentdate :value "ge" "date" `+sieveQuote(f.Start.Format(vacationDateLayout)))
	}
	if !f.End.IsZero() {
		tests = append(tests, `currentdate :value "le" "date" `+sieveQuote(f.End.Format(vacationDateLayout)))
	}
	require := `require "vacation";`
	if !f.Start.IsZero() || !f.End.IsZero() {
		require = `require ["vacation", "date", "relational"];`
	}

	var b bytes.Buffer
	b.WriteString(vacationMarker + "\n")
	b.WriteString("# Written by the vacation form of the web page: change it there.\n")
	if !f.Enabled {
		b.WriteString("# Replies are turned off; the text is kept for next time.\n")
	}
	b.WriteString(require + "\n\n")
	indent := ""
	switch len(tests) {
	case 0:
	case 1:
		fmt.Fprintf(&b, "if %s {\n", tests[0])
		indent = "\t"
	default:
		fmt.Fprintf(&b, "if allof (%s) {\n", strings.Join(tests, ",\n          "))
		indent = "\t"
	}
	fmt.Fprintf(&b, "%svacation :days %d", indent, f.Days)
	if f.Subject != "" {
		b.WriteString(" :subject " + sieveQuote(f.Subject))
	}
	if len(f.Addresses) > 0 {
		quoted := make([]string, len(f.Addresses))
		for i, a := range f.Addresses {
			quoted[i] = sieveQuote(a)
		}
		b.WriteString(" :addresses [" + strings.Join(quoted, ", ") + "]")
	}
	// A multi-line string: no escapes to read, one line per line; a line
	// that starts with "." gets another (dot-stuffing, RFC 5228 §2.4.2).
	b.WriteString(" text:\n")
	for _, line := range strings.Split(f.Message, "\n") {
		if strings.HasPrefix(line, ".") {
			b.WriteByte('.')
		}
		b.WriteString(line + "\n")
	}
	b.WriteString(".\n" + indent + ";\n")
	if indent != "" {
		b.WriteString("}\n")
	}
	return b.Bytes(), nil
}

func (f *VacationForm) validate() error {
	if f.Days < 1 || f.Days > maxVacationDays {
		return fmt.Errorf("the days between replies to one sender must be 1 to %d, not %d", maxVacationDays, f.Days)
	}
	if f.Enabled && strings.TrimSpace(f.Message) == "" {
		return errors.New("the reply needs a message")
	}
	if len(f.Message) > maxVacationMessage {
		return fmt.Errorf("the message is longer than %d KiB", maxVacationMessage>>10)
	}
	if err := checkText("message", f.Message, true); err != nil {
		return err
	}
	if utf8.RuneCountInString(f.Subject) > maxVacationSubject {
		return fmt.Errorf("the subject is longer than %d characters", maxVacationSubject)
	}
	if err := checkText("subject", f.Subject, false); err != nil {
		return err
	}
	if !f.Start.IsZero() && !f.End.IsZero() && f.End.Format(vacationDateLayout) < f.Start.Format(vacationDateLayout) {
		return errors.New("the last day is before the first day")
	}
	for _, t := range []time.Time{f.Start, f.End} {
		if !t.IsZero() && (t.Year() < 1 || t.Year() > 9999) {
			return fmt.Errorf("the date %s is out of range", t.Format(vacationDateLayout))
		}
	}
	if len(f.Addresses) > maxVacationAddrs {
		return fmt.Errorf("at most %d further addresses", maxVacationAddrs)
	}
	for _, a := range f.Addresses {
		p, err := mail.ParseAddress(a)
		if err != nil || p.Name != "" || p.Address != a {
			return fmt.Errorf("%q is not an e-mail address such as name@example.org", a)
		}
	}
	return nil
}

// checkText refuses invalid UTF-8 and control characters other than tab
// (and line ends where multiline).
func checkText(field, s string, multiline bool) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("the %s is not valid UTF-8 text", field)
	}
	for _, r := range s {
		if r == '\t' || (multiline && r == '\n') {
			continue
		}
		if unicode.IsControl(r) {
			if r == '\n' || r == '\r' {
				return fmt.Errorf("the %s must be a single line", field)
			}
			return fmt.Errorf("the %s has a control character (%U)", field, r)
		}
	}
	return nil
}

func normalizeNewlines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// sieveQuote returns s as a Sieve quoted string: only '"' and '\' need a
// backslash (RFC 5228 §2.4.2).
func sieveQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

var vacationDateRE = regexp.MustCompile(`currentdate :value "(ge|le)" "date" "(\d{4}-\d{2}-\d{2})"`)

// ParseVacationScript returns the form a script written by VacationScript
// was made from, with the message's line ends as "\n" and the dates at
// midnight UTC. For any other script, including one of the form's changed
// by hand, it returns false: the page then leaves the script to the filter
// editor rather than overwrite what it cannot show.
func ParseVacationScript(src []byte) (VacationForm, bool) {
	text := normalizeNewlines(string(src))
	if !strings.HasPrefix(text, vacationMarker+"\n") {
		return VacationForm{}, false
	}
	head, rest, ok := strings.Cut(text, "vacation :days ")
	if !ok {
		return VacationForm{}, false
	}
	f := VacationForm{Enabled: !strings.Contains(head, "if false") && !strings.Contains(head, "(false,")}
	for _, m := range vacationDateRE.FindAllStringSubmatch(head, -1) {
		d, err := time.Parse(vacationDateLayout, m[2])
		if err != nil {
			return VacationForm{}, false
		}
		if m[1] == "ge" {
			f.Start = d
		} else {
			f.End = d
		}
	}
	p := &vacationLineParser{s: rest}
	f.Days = p.number()
	for p.err == nil {
		p.space()
		switch {
		case p.take(":subject "):
			f.Subject = p.quoted()
		case p.take(":addresses ["):
			for p.err == nil {
				f.Addresses = append(f.Addresses, p.quoted())
				if !p.take(", ") {
					break
				}
			}
			if !p.take("]") {
				p.fail()
			}
		case p.take("text:\n"):
			f.Message = p.multiline()
			if p.err != nil {
				return VacationForm{}, false
			}
			// Anything else in the script, or any other layout, and the
			// script is not the form's: it must be exactly what the form
			// would write.
			again, err := VacationScript(f)
			if err != nil || string(again) != text {
				return VacationForm{}, false
			}
			return f, true
		default:
			p.fail()
		}
	}
	return VacationForm{}, false
}

// vacationLineParser reads the arguments of the vacation command in the
// layout VacationScript writes.
type vacationLineParser struct {
	s   string
	err error
}

func (p *vacationLineParser) fail() {
	if p.err == nil {
		p.err = errors.New("not a vacation form script")
	}
}

func (p *vacationLineParser) take(prefix string) bool {
	if p.err != nil || !strings.HasPrefix(p.s, prefix) {
		return false
	}
	p.s = p.s[len(prefix):]
	return true
}

func (p *vacationLineParser) space() {
	p.s = strings.TrimLeft(p.s, " ")
}

func (p *vacationLineParser) number() int {
	i := 0
	for i < len(p.s) && i < 3 && '0' <= p.s[i] && p.s[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(p.s[:i])
	if err != nil {
		p.fail()
		return 0
	}
	p.s = p.s[i:]
	return n
}

func (p *vacationLineParser) quoted() string {
	if !p.take(`"`) {
		p.fail()
		return ""
	}
	var b strings.Builder
	for i := 0; i < len(p.s); i++ {
		switch c := p.s[i]; c {
		case '"':
			p.s = p.s[i+1:]
			return b.String()
		case '\\':
			if i+1 < len(p.s) {
				i++
				b.WriteByte(p.s[i])
			}
		case '\n':
			p.fail()
			return ""
		default:
			b.WriteByte(c)
		}
	}
	p.fail()
	return ""
}

func (p *vacationLineParser) multiline() string {
	var lines []string
	for p.err == nil {
		line, rest, ok := strings.Cut(p.s, "\n")
		if !ok {
			p.fail()
			break
		}
		p.s = rest
		if line == "." {
			return strings.Join(lines, "\n")
		}
		lines = append(lines, strings.TrimPrefix(line, "."))
	}
	return ""
}
