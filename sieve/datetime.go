package sieve

import "time"

// mailDate is a date-time read from a header field: the instant, the zone
// offset it was written in, and whether its second was a leap second,
// which time.Time cannot hold (RFC 5260 §4.2 lets "second" be "60").
type mailDate struct {
	t    time.Time // the instant in UTC; a leap second is held as second 59
	zone int       // offset east of UTC in minutes, as written
	leap bool
}

// parseMailDate reads an RFC 5322 §3.3 date-time, with the obsolete forms
// of §4.3: comments and folding white space between any two tokens, no
// day of week, no seconds, two- and three-digit years, and alphabetic
// zones. A military or unknown alphabetic zone means -0000, an unknown
// offset (§4.3: "SHOULD all be considered equivalent to -0000"). A day of
// week that disagrees with the date is ignored. Anything else, a date the
// calendar does not have or a year before 1900 or after 9999 gives false
// (RFC 5260 §4: such a field has no date).
func parseMailDate(s string) (mailDate, bool) {
	p := dateLexer{s: s}
	p.cfws()
	if w, ok := p.word(); ok {
		// A day of week, then a comma; or no day of week at all.
		if !validDayName(w) {
			return mailDate{}, false
		}
		p.cfws()
		if !p.byte(',') {
			return mailDate{}, false
		}
	}
	day, n := p.number()
	if n < 1 || n > 2 {
		return mailDate{}, false
	}
	month, ok := p.word()
	if !ok {
		return mailDate{}, false
	}
	mon := monthNumber(month)
	if mon == 0 {
		return mailDate{}, false
	}
	year, n := p.number()
	switch {
	case n == 2 && year < 50:
		year += 2000
	case n == 2 || n == 3:
		year += 1900
	case n < 2:
		return mailDate{}, false
	}
	if year < 1900 || year > 9999 {
		return mailDate{}, false
	}
	hour, n := p.number()
	if n != 2 || !p.byte(':') {
		return mailDate{}, false
	}
	minute, n := p.number()
	if n != 2 {
		return mailDate{}, false
	}
	sec := 0
	if p.byte(':') {
		if sec, n = p.number(); n != 2 {
			return mailDate{}, false
		}
	}
	zone, ok := p.zone()
	if !ok || p.i < len(p.s) {
		return mailDate{}, false
	}
	if hour > 23 || minute > 59 || sec > 60 || day > daysIn(time.Month(mon), year) {
		return mailDate{}, false
	}
	leap := sec == 60
	if leap {
		sec = 59
	}
	t := time.Date(year, time.Month(mon), day, hour, minute, sec, 0, time.UTC).Add(-time.Duration(zone) * time.Minute)
	return mailDate{t: t, zone: zone, leap: leap}, true
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// dateLexer walks a date-time; every token reader skips the CFWS after it.
type dateLexer struct {
	s string
	i int
}

// cfws skips white space and comments, nested and with quoted pairs; an
// unclosed comment runs to the end.
func (p *dateLexer) cfws() {
	depth := 0
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case c == '\\' && depth > 0:
			p.i++
		case depth > 0:
		default:
			return
		}
		p.i++
	}
}

func (p *dateLexer) byte(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		p.cfws()
		return true
	}
	return false
}

// number reads up to 5 digits (more is no date field) and returns the
// value and how many digits there were.
func (p *dateLexer) number() (int, int) {
	v, n := 0, 0
	for p.i < len(p.s) && isDigit(p.s[p.i]) {
		if n == 5 {
			return 0, 0
		}
		v = v*10 + int(p.s[p.i]-'0')
		n++
		p.i++
	}
	p.cfws()
	return v, n
}

// word reads a run of ASCII letters.
func (p *dateLexer) word() (string, bool) {
	start := p.i
	for p.i < len(p.s) && isAlpha(p.s[p.i]) {
		p.i++
	}
	if p.i == start {
		return "", false
	}
	w := p.s[start:p.i]
	p.cfws()
	return w, true
}

// zone reads "+hhmm", "-hhmm" or an obsolete alphabetic zone, in minutes
// east of UTC.
func (p *dateLexer) zone() (int, bool) {
	if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
		z, ok := parseZoneOffset(p.s[p.i:min(p.i+5, len(p.s))])
		if !ok {
			return 0, false
		}
		p.i += 5
		p.cfws()
		return z, true
	}
	w, ok := p.word()
	if !ok {
		return 0, false
	}
	for _, z := range obsZones {
		if equalFoldASCII(w, z.name) {
			return z.offset, true
		}
	}
	return 0, true // -0000: military or unknown (RFC 5322 §4.3)
}

// obsZones are the North American zones RFC 5322 §4.3 defines.
var obsZones = []struct {
	name   string
	offset int
}{
	{"UT", 0}, {"GMT", 0}, {"EST", -5 * 60}, {"EDT", -4 * 60}, {"CST", -6 * 60}, {"CDT", -5 * 60},
	{"MST", -7 * 60}, {"MDT", -6 * 60}, {"PST", -8 * 60}, {"PDT", -7 * 60},
}

// parseZoneOffset reads "+hhmm" or "-hhmm" (RFC 5260 §4.1, RFC 5322
// §3.3) in minutes east of UTC; the minutes must be below 60.
func parseZoneOffset(s string) (int, bool) {
	if len(s) != 5 || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	for i := 1; i < 5; i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
	}
	h := int(s[1]-'0')*10 + int(s[2]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 {
		return 0, false
	}
	if s[0] == '-' {
		return -(h*60 + m), true
	}
	return h*60 + m, true
}

var dayNames = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

var monthNames = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

func validDayName(w string) bool {
	for _, d := range dayNames {
		if equalFoldASCII(w, d) {
			return true
		}
	}
	return false
}

// monthNumber returns 1..12 for a month name, 0 for anything else.
func monthNumber(w string) int {
	for i, m := range monthNames {
		if equalFoldASCII(w, m) {
			return i + 1
		}
	}
	return 0
}
