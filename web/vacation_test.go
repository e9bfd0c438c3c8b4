package web

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"zest/sieve"
)

type testMessage map[string][]string

func (m testMessage) Header(name string) []string { return m[strings.ToLower(name)] }
func (m testMessage) Size() int64                 { return 1000 }
func (m testMessage) Body() ([]byte, error)       { return nil, nil }

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// vacationReply runs script on a message to me@example.com on the given
// day and returns the vacation reply it would send, or nil.
func vacationReply(t *testing.T, script []byte, now time.Time) *sieve.Vacation {
	t.Helper()
	s, err := sieve.Compile(script, sieve.Options{})
	if err != nil {
		t.Fatalf("generated script does not compile: %v\n%s", err, script)
	}
	if w := s.Warnings(); len(w) > 0 {
		t.Errorf("generated script has warnings %v:\n%s", w, script)
	}
	res, err := s.Run(context.Background(), &sieve.Input{
		Message: testMessage{
			"from": {" Ann <ann@example.org>"}, "to": {" me@example.com"},
			"subject": {" Lunch?"}, "message-id": {" <1@example.org>"},
		},
		Envelope: sieve.Envelope{From: "ann@example.org", To: "me@example.com"},
		Now:      now,
		Location: time.UTC,
	})
	if err != nil {
		t.Fatalf("run: %v\n%s", err, script)
	}
	for _, a := range res.Actions {
		if v, ok := a.(sieve.Vacation); ok {
			return &v
		}
	}
	return nil
}

// Every form the page can send makes a script zest compiles, which sends
// exactly the text the user typed, and which reads back as the same form.
func TestVacationScriptRoundTrip(t *testing.T) {
	forms := []VacationForm{
		{Enabled: true, Message: "I am away.", Days: 7},
		{Enabled: true, Subject: "Out of office", Message: "Back on Monday.\nUrgent: call Bob.\n", Days: 1},
		{Enabled: true, Subject: `He said "hi" \ bye`, Message: `Quotes " and backslashes \ and \" stay`, Days: 90},
		{Enabled: true, Message: "Line one\n.\nA line with one dot above, and\n..two dots\n.leading dot", Days: 3},
		{Enabled: true, Message: ".", Days: 3},
		{Enabled: true, Subject: "Abwesenheit – Grüße", Message: "Ich bin bis zum 3. Januar weg.\n日本語も大丈夫。 ☃", Days: 5},
		{Enabled: true, Subject: "${subject}", Message: "Hello ${from}, ${1} \\${x}", Days: 7},
		{Enabled: true, Message: "text:\n# not a comment\n}\n;\n\"", Days: 7},
		{Enabled: true, Message: "Away.", Days: 14, Start: day(2026, 12, 20), End: day(2027, 1, 3)},
		{Enabled: true, Message: "Away.", Days: 14, Start: day(2026, 12, 20)},
		{Enabled: true, Message: "Away.", Days: 14, End: day(2027, 1, 3)},
		{Enabled: true, Message: "Away.", Days: 2, Addresses: []string{"me@example.net", "boss+me@example.com"}},
		{Enabled: false, Subject: "kept", Message: "Kept for later.", Days: 7, Start: day(2026, 12, 20), Addresses: []string{"a@example.org"}},
		{Enabled: false, Days: 7},
		{Enabled: true, Message: "\ttabbed\n\n\nblank lines above\n   ", Days: 7},
	}
	for i, f := range forms {
		script, err := VacationScript(f)
		if err != nil {
			t.Errorf("form %d: %v", i, err)
			continue
		}
		if !strings.HasPrefix(string(script), vacationMarker+"\n") {
			t.Errorf("form %d: script does not start with the marker:\n%s", i, script)
		}
		if strings.Contains(string(script), "variables") {
			t.Errorf("form %d: script requires variables:\n%s", i, script)
		}
		now := day(2026, 12, 25).Add(12 * time.Hour)
		v := vacationReply(t, script, now)
		if !f.Enabled {
			if v != nil {
				t.Errorf("form %d: turned off, but the script replies:\n%s", i, script)
			}
		} else if v == nil {
			t.Errorf("form %d: no reply on %s:\n%s", i, now.Format(time.DateOnly), script)
		} else {
			want := strings.ReplaceAll(f.Message, "\n", "\r\n") + "\r\n"
			if v.Reason != want || v.Subject != f.Subject || v.Days != f.Days || !slices.Equal(v.Addresses, f.Addresses) {
				t.Errorf("form %d: reply %+v\nwant reason %q subject %q days %d addresses %q\n%s",
					i, v, want, f.Subject, f.Days, f.Addresses, script)
			}
		}
		got, ok := ParseVacationScript(script)
		if !ok {
			t.Errorf("form %d: the form's own script was not recognised:\n%s", i, script)
			continue
		}
		if !reflect.DeepEqual(got, f) {
			t.Errorf("form %d: read back as %+v, want %+v\n%s", i, got, f, script)
		}
		// A script uploaded with CRLF line ends (ManageSieve) is the same script.
		if _, ok := ParseVacationScript([]byte(strings.ReplaceAll(string(script), "\n", "\r\n"))); !ok {
			t.Errorf("form %d: not recognised with CRLF line ends", i)
		}
	}
}

// The dates bound the replies: none before the first day or after the last.
func TestVacationScriptDates(t *testing.T) {
	script, err := VacationScript(VacationForm{Enabled: true, Message: "Away.", Days: 7, Start: day(2026, 12, 20), End: day(2027, 1, 3)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		now   time.Time
		reply bool
	}{
		{day(2026, 12, 19).Add(23 * time.Hour), false},
		{day(2026, 12, 20), true},
		{day(2027, 1, 3).Add(23 * time.Hour), true},
		{day(2027, 1, 4), false},
	} {
		if got := vacationReply(t, script, c.now) != nil; got != c.reply {
			t.Errorf("at %v: reply = %v, want %v", c.now, got, c.reply)
		}
	}
}

// A CRLF message from a browser's textarea is stored with plain line ends.
func TestVacationScriptNormalizesLineEnds(t *testing.T) {
	script, err := VacationScript(VacationForm{Enabled: true, Message: "a\r\nb\rc", Days: 7})
	if err != nil {
		t.Fatal(err)
	}
	f, ok := ParseVacationScript(script)
	if !ok || f.Message != "a\nb\nc" {
		t.Errorf("read back %q, %v; want %q", f.Message, ok, "a\nb\nc")
	}
}

// Bad forms are refused with a message that names the problem.
func TestVacationScriptInvalid(t *testing.T) {
	ok := VacationForm{Enabled: true, Message: "Away.", Days: 7}
	for _, c := range []struct {
		name string
		edit func(*VacationForm)
		want string
	}{
		{"days 0", func(f *VacationForm) { f.Days = 0 }, "1 to 90"},
		{"days 91", func(f *VacationForm) { f.Days = 91 }, "1 to 90"},
		{"empty message", func(f *VacationForm) { f.Message = " \n " }, "needs a message"},
		{"long message", func(f *VacationForm) { f.Message = strings.Repeat("x", 65<<10) }, "longer than"},
		{"NUL in message", func(f *VacationForm) { f.Message = "a\x00b" }, "control character"},
		{"bad UTF-8", func(f *VacationForm) { f.Message = "a\xffb" }, "UTF-8"},
		{"two-line subject", func(f *VacationForm) { f.Subject = "a\nb" }, "single line"},
		{"long subject", func(f *VacationForm) { f.Subject = strings.Repeat("s", 201) }, "subject is longer"},
		{"end before start", func(f *VacationForm) { f.Start, f.End = day(2027, 1, 2), day(2027, 1, 1) }, "before the first day"},
		{"bad address", func(f *VacationForm) { f.Addresses = []string{"not an address"} }, "not an e-mail address"},
		{"named address", func(f *VacationForm) { f.Addresses = []string{"Me <me@example.org>"} }, "not an e-mail address"},
		{"quote in address", func(f *VacationForm) { f.Addresses = []string{`a"@example.org`} }, "not an e-mail address"},
	} {
		f := ok
		c.edit(&f)
		_, err := VacationScript(f)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one saying %q", c.name, err, c.want)
		}
	}
}

// Scripts the form did not write, or that were changed by hand, are not
// shown as the form.
func TestParseVacationScriptOthers(t *testing.T) {
	mine, err := VacationScript(VacationForm{Enabled: true, Subject: "Away", Message: "Away.", Days: 7})
	if err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string]string{
		"empty":        "",
		"filter":       "require \"fileinto\";\nfileinto \"Lists\";\n",
		"no marker":    strings.TrimPrefix(string(mine), vacationMarker+"\n"),
		"marker only":  vacationMarker + "\n",
		"edited days":  strings.Replace(string(mine), ":days 7", ":days 8 ", 1),
		"rule added":   string(mine) + "discard;\n",
		"other text":   strings.Replace(string(mine), "Away.\n.", "Away.\n.\nfileinto \"x\";\nvacation text:\nx\n.", 1),
		"unterminated": strings.TrimSuffix(string(mine), ".\n;\n"),
	} {
		if f, ok := ParseVacationScript([]byte(src)); ok {
			t.Errorf("%s: recognised as %+v", name, f)
		}
	}
}

func FuzzParseVacationScript(f *testing.F) {
	f.Add([]byte(vacationMarker + "\nrequire \"vacation\";\n\nvacation :days 7 text:\nx\n.\n;\n"))
	f.Add([]byte(vacationMarker + "\nvacation :days 7 :subject \"a\\\" :addresses [\"x\", text:\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		form, ok := ParseVacationScript(src)
		if !ok {
			return
		}
		// Whatever is recognised is a valid form whose script is src.
		again, err := VacationScript(form)
		if err != nil || normalizeNewlines(string(again)) != normalizeNewlines(string(src)) {
			t.Fatalf("recognised %q as %+v, which writes %q (%v)", src, form, again, err)
		}
	})
}
