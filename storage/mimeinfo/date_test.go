package mimeinfo

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Tue, 1 Jul 2003 10:52:37 +0200", "2003-07-01T10:52:37+02:00"},
		{"1 Jul 2003 10:52:37 +0200 (CEST)", "2003-07-01T10:52:37+02:00"},
		{"Tue,  01 Jul 2003 10:52:37 -0000", "2003-07-01T10:52:37Z"},
		{"Thu, 13 Feb 69 23:32:54 -0330", "1969-02-13T23:32:54-03:30"},
		{"Fri, 21 Nov 97 09:55:06 GMT", "1997-11-21T09:55:06Z"},
		{"Fri, 21 Nov 103 09:55:06 GMT", "2003-11-21T09:55:06Z"},
		{"Mon, 2 Jan 06 15:04 PST", "2006-01-02T15:04:00-08:00"},
		{"Mon, 2 Jan 2006 15:04:05 EDT", "2006-01-02T15:04:05-04:00"},
		{"Mon Jan  2 15:04:05 2006", "2006-01-02T15:04:05Z"},
		{"2006 Jan 02 15:04:05 +0100", "2006-01-02T15:04:05+01:00"},
		{"21 November 1997 09:55:06 -0600", "1997-11-21T09:55:06-06:00"},
		{"Tue, 1 Jul 2003", "2003-07-01T00:00:00Z"},
		{"Tue, 1 Jul 2003 10:52:37 z", "2003-07-01T10:52:37Z"},
		{"Tue, 1 Jul 2003 10:52:37 +9999", "2003-07-01T10:52:37Z"},
		{"Tue, 1 Jul 2003 10:52:37 +0200 +0300", "2003-07-01T10:52:37+03:00"},
		{"garbage", ""},
		{"", ""},
		{"Tue, 32 Jul 2003 10:52:37 +0200", ""},
		{"Tue, 1 Jul 2003 25:52:37 +0200", ""},
		{"Tue, 1 Jul 2003 10:522:37 +0200", ""},
		{"Tue, 1 Jul", ""},
		{"1 2 3 4 5 6 7 Jul", "2002-07-01T00:00:00Z"},
	} {
		d, ok := parseDate(tt.in)
		got := ""
		if ok {
			got = d.Format(time.RFC3339)
		}
		if got != tt.want {
			t.Errorf("parseDate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestZoneFor(t *testing.T) {
	if zoneFor(120) != zoneFor(120) {
		t.Error("zones are not cached")
	}
	if zoneFor(0) != time.UTC || zoneFor(24*60) != time.UTC || zoneFor(-24*60) != time.UTC {
		t.Error("zero or out of range offsets are not UTC")
	}
	if _, off := (time.Time{}).In(zoneFor(-(23*60 + 59))).Zone(); off != -(23*60+59)*60 {
		t.Errorf("offset %d", off)
	}
}
