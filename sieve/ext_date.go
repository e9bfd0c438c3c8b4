package sieve

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// extDate is date (RFC 5260 §4, §5): the date and currentdate tests.
// spec: SV-66, SV-67, SV-68
var extDate = extension{
	name: "date",
	specs: []*spec{
		{name: "date", test: true, tags: slices.Concat(matchTags, zoneTags),
			args: []argType{argString, argString, argStrings}, buildTest: buildDate},
		{name: "currentdate", test: true, tags: slices.Concat(matchTags, zoneTags[:1]),
			args: []argType{argString, argStrings}, buildTest: buildCurrentdate},
	},
}

const groupZone = "time zone"

// zoneTags: giving both is an error through the shared group (SV-68).
var zoneTags = []tagSpec{
	{name: "zone", group: groupZone, arg: argString},
	{name: "originalzone", group: groupZone},
}

// dateParts are the date-part names of RFC 5260 §4.2.
var dateParts = []string{"year", "month", "day", "date", "julian", "hour", "minute", "second", "time",
	"iso8601", "std11", "zone", "weekday"}

// dateTest is what date and currentdate share: the zone to shift to, the
// date part and the match.
type dateTest struct {
	part     value
	zone     value // :zone, when given
	hasZone  bool
	fixed    *time.Location // a constant :zone, resolved once
	original bool           // :originalzone
	m        *matcher
}

func compileDateTest(c *compiler, a *call, partArg, keysArg int) *dateTest {
	d := &dateTest{original: a.has("originalzone"), hasZone: a.has("zone")}
	if d.hasZone {
		z := a.tags["zone"]
		c.at = z.Pos
		d.zone = c.value(z.Strings[0])
		if d.zone.isConst() {
			off, ok := parseZoneOffset(d.zone.lit)
			if !ok {
				c.errorf(z.Pos, `time zone %q is not of the form "+hhmm" or "-hhmm"`, d.zone.lit)
				return nil
			}
			d.fixed = time.FixedZone("", off*60)
		}
	}
	d.part = c.val(a, partArg)
	if d.part.isConst() {
		// spec: SV-66 — an unknown date part is an error when it can be
		// known; the names are case-insensitive like other keywords.
		d.part.lit = strings.ToLower(d.part.lit)
		if !slices.Contains(dateParts, d.part.lit) {
			c.errorf(a.args[partArg].Pos, "unknown date part %q, not one of %s", d.part.lit,
				strings.Join(dateParts, ", "))
			return nil
		}
	}
	d.m = c.matcher(a, c.vals(a, keysArg))
	if d.m == nil {
		return nil
	}
	return d
}

func buildDate(c *compiler, a *call) testFunc {
	idx, ok := indexArgs(c, a)
	if !ok {
		return nil
	}
	c.headerNames(a.args[0])
	names := []value{c.val(a, 0)}
	d := compileDateTest(c, a, 1, 2)
	if d == nil {
		return nil
	}
	return func(r *run) (bool, error) {
		// spec: SV-67 — the first field of that name, or the one :index
		// picks; a field without a valid date makes the test false.
		var field string
		var found bool
		if idx.n > 0 {
			field, found = idx.pick(r, names, r.header)
		} else if fs := r.header(names[0].get(r)); len(fs) > 0 {
			field, found = fs[0], true
		}
		var md mailDate
		if found {
			if i := strings.LastIndexByte(field, ';'); i >= 0 {
				field = field[i+1:] // Received: the date follows the last ";"
			}
			md, found = parseMailDate(field)
		}
		return d.test(r, md, found), nil
	}
}

func buildCurrentdate(c *compiler, a *call) testFunc {
	d := compileDateTest(c, a, 0, 1)
	if d == nil {
		return nil
	}
	return func(r *run) (bool, error) {
		return d.test(r, mailDate{t: r.now()}, true), nil
	}
}

// test matches the date part of md, shifted to the test's zone, against
// the keys. ok false means there is no date (count 0, no match).
func (d *dateTest) test(r *run, md mailDate, ok bool) bool {
	var s string
	if ok {
		t, off := d.shift(r, md)
		s, ok = formatDatePart(d.part.get(r), t, off, md.leap)
	}
	if d.m.counting() {
		// RFC 5260 §4: the count is 1 when there is a date, else 0.
		return d.m.matchCount(r, boolInt(ok))
	}
	return ok && d.m.match(r, s)
}

// shift moves the date to the zone the test asks for and returns it with
// that zone's offset in minutes. spec: SV-68 — without :zone or
// :originalzone, the server's zone (Input.Location). A :zone built at run
// time that is not "+hhmm" falls back to the server's zone, as in
// Pigeonhole, rather than failing the whole script.
func (d *dateTest) shift(r *run, md mailDate) (time.Time, int) {
	var loc *time.Location
	switch {
	case d.fixed != nil:
		loc = d.fixed
	case d.hasZone:
		if off, ok := parseZoneOffset(d.zone.get(r)); ok {
			loc = time.FixedZone("", off*60)
		}
	case d.original: // only date has the tag
		loc = time.FixedZone("", md.zone*60)
	}
	if loc == nil {
		loc = r.in.Location
		if loc == nil {
			loc = time.UTC
		}
	}
	t := md.t.In(loc)
	_, off := t.Zone()
	return t, off / 60
}

// now is the instant every currentdate test of this run sees (SV-68):
// Input.Now, or the clock read once, at the first test that asks.
func (r *run) now() time.Time {
	if r.clock == nil {
		t := r.in.Now
		if t.IsZero() {
			t = time.Now()
		}
		r.clock = &t
	}
	return *r.clock
}

// formatDatePart writes one date part in the fixed format of RFC 5260
// §4.2; false for a part that is not one of them (a date part built at
// run time, which then matches nothing, as in Pigeonhole). t is already in
// the zone of off (minutes east of UTC).
func formatDatePart(part string, t time.Time, off int, leap bool) (string, bool) {
	sec := t.Second()
	if leap {
		sec = 60
	}
	y, mo, d := t.Date()
	switch strings.ToLower(part) {
	case "year":
		return fmt.Sprintf("%04d", y), true
	case "month":
		return fmt.Sprintf("%02d", int(mo)), true
	case "day":
		return fmt.Sprintf("%02d", d), true
	case "date":
		return fmt.Sprintf("%04d-%02d-%02d", y, int(mo), d), true
	case "julian":
		// The Modified Julian Day: days since 1858-11-17, which is day
		// -40587 of the Unix epoch, counted in the zone's calendar.
		days := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
		return strconv.FormatInt(days+40587, 10), true
	case "hour":
		return fmt.Sprintf("%02d", t.Hour()), true
	case "minute":
		return fmt.Sprintf("%02d", t.Minute()), true
	case "second":
		return fmt.Sprintf("%02d", sec), true
	case "time":
		return fmt.Sprintf("%02d:%02d:%02d", t.Hour(), t.Minute(), sec), true
	case "iso8601":
		// RFC 3339 §5.6 date-time; a zero offset is written "Z".
		zone := "Z"
		if off != 0 {
			z := zoneString(off)
			zone = z[:3] + ":" + z[3:]
		}
		return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d%s", y, int(mo), d, t.Hour(), t.Minute(), sec, zone), true
	case "std11":
		// RFC 5322 §3.3, as a Date field is written.
		return fmt.Sprintf("%s, %02d %s %04d %02d:%02d:%02d %s", dayNames[t.Weekday()], d, monthNames[mo-1], y,
			t.Hour(), t.Minute(), sec, zoneString(off)), true
	case "zone":
		return zoneString(off), true
	case "weekday":
		return strconv.Itoa(int(t.Weekday())), true
	}
	return "", false
}

// zoneString writes an offset as "+hhmm" or "-hhmm"; zero is "+0000"
// (RFC 5260 §4.2).
func zoneString(off int) string {
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%c%02d%02d", sign, off/60, off%60)
}
