package mimeinfo

import (
	"sync/atomic"
	"time"
)

// parseDate reads an RFC 5322 date-time, leniently: the day name is
// optional, the month may be spelled out, the year may have two or three
// digits (obsolete syntax, RFC 5322 §4.3), seconds and zone may be missing,
// obsolete and military zone names are understood, comments and unknown
// words are ignored, and the asctime order "Mon Jan 2 15:04:05 2006" works
// too. ok is false when there is no day, month and year to be found.
//
// The result keeps the sender's zone offset: SEARCH SENTBEFORE and friends
// compare the date as the sender wrote it (RFC 3501 §6.4.4).
func parseDate(s string) (time.Time, bool) {
	var (
		nums      [3]int // day and year, in the order written
		numDigits [3]int
		nnum      int
		month     int
		hour, min int
		sec       int
		haveTime  bool
		offset    int // minutes east of UTC
	)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '(':
			i = skipComment(s, i)
			continue
		case isDigit(c):
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			if j < len(s) && s[j] == ':' && !haveTime {
				// hh:mm[:ss]
				var ok bool
				hour, min, sec, j, ok = parseClock(s, i)
				if !ok {
					return time.Time{}, false
				}
				haveTime = true
			} else if nnum < len(nums) && j-i <= 4 {
				nums[nnum], numDigits[nnum] = atoi(s[i:j]), j-i
				nnum++
			}
			i = j
			continue
		case (c == '+' || c == '-') && i+5 <= len(s) && allDigits(s[i+1:i+5]):
			h, m := atoi(s[i+1:i+3]), atoi(s[i+3:i+5])
			if m < 60 && h < 24 {
				offset = h*60 + m
				if c == '-' {
					offset = -offset
				}
			}
			i += 5
			continue
		case isAlpha(c):
			j := i
			for j < len(s) && isAlpha(s[j]) {
				j++
			}
			w := s[i:j]
			if m := monthOf(w); m > 0 {
				if month == 0 {
					month = m
				}
			} else if off, ok := zoneOf(w); ok {
				offset = off
			}
			i = j
			continue
		}
		i++
	}
	if month == 0 || nnum < 2 {
		return time.Time{}, false
	}
	day, year, yearDigits := nums[0], nums[1], numDigits[1]
	if numDigits[0] >= 3 { // 2006 Jan 02
		day, year, yearDigits = nums[1], nums[0], numDigits[0]
	}
	switch {
	case yearDigits <= 2 && year < 50:
		year += 2000
	case yearDigits <= 3:
		year += 1900
	}
	if day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60 {
		return time.Time{}, false
	}
	zone := zoneFor(offset)
	t := time.Date(year, time.Month(month), day, hour, min, sec, 0, zone)
	return time.Unix(t.Unix(), 0).In(zone), true
}

func parseClock(s string, i int) (h, m, sec, end int, ok bool) {
	num := func() (int, bool) {
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i || j-i > 2 {
			return 0, false
		}
		n := atoi(s[i:j])
		i = j
		return n, true
	}
	if h, ok = num(); !ok || i >= len(s) || s[i] != ':' {
		return 0, 0, 0, i, false
	}
	i++
	if m, ok = num(); !ok {
		return 0, 0, 0, i, false
	}
	if i < len(s) && s[i] == ':' {
		i++
		if sec, ok = num(); !ok {
			return 0, 0, 0, i, false
		}
	}
	return h, m, sec, i, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

var monthNames = [12]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// monthOf returns 1-12 for a month's English name or its first three
// letters, 0 otherwise.
func monthOf(w string) int {
	if len(w) < 3 {
		return 0
	}
	for i, m := range monthNames {
		if w[0]|0x20 == m[0] && w[1]|0x20 == m[1] && w[2]|0x20 == m[2] {
			return i + 1
		}
	}
	return 0
}

// zoneOf knows RFC 5322's obsolete zone names; military letters mean
// "unknown" there, which is -0000 like UT.
func zoneOf(w string) (int, bool) {
	if len(w) == 1 {
		return 0, true
	}
	var b [3]byte
	if len(w) > len(b) {
		return 0, false
	}
	for i := 0; i < len(w); i++ {
		b[i] = w[i] | 0x20
	}
	switch string(b[:len(w)]) {
	case "ut", "gmt", "utc":
		return 0, true
	case "edt":
		return -4 * 60, true
	case "est", "cdt":
		return -5 * 60, true
	case "cst", "mdt":
		return -6 * 60, true
	case "mst", "pdt":
		return -7 * 60, true
	case "pst":
		return -8 * 60, true
	}
	return 0, false
}

// zones caches one *time.Location per offset in minutes, from -23:59 to
// +23:59, so that parsing and decoding dates allocates nothing once warm.
var zones [2*24*60 - 1]atomic.Pointer[time.Location]

func zoneFor(minutes int) *time.Location {
	if minutes <= -24*60 || minutes >= 24*60 {
		minutes = 0
	}
	z := &zones[minutes+24*60-1]
	if loc := z.Load(); loc != nil {
		return loc
	}
	loc := time.FixedZone("", minutes*60)
	if minutes == 0 {
		loc = time.UTC
	}
	z.CompareAndSwap(nil, loc)
	return z.Load()
}
