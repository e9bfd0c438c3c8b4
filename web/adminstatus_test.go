package web

import (
	"strings"
	"testing"
	"time"
)

type fakeDeliveries struct{ recent []Delivery }

func (f fakeDeliveries) Recent(n int) []Delivery { return f.recent[:min(n, len(f.recent))] }
func (f fakeDeliveries) Today(time.Time) (int, int) {
	return 7, 2
}

// Status: version, uptime, listeners up and down, data size, today's
// counts and the recent deliveries with the reasons of refusals.
func TestAdminStatus(t *testing.T) {
	s := newSite(t)
	admin := s.signedInAs("admin@example.org", true)
	w := admin.get("/admin/status")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "The delivery log is not available.") {
		t.Errorf("status without a journal: %d\n%s", w.Code, w.Body)
	}
	s.srv.cfg.Started = time.Now().Add(-26*time.Hour - 5*time.Minute)
	s.srv.cfg.Listeners = func() []ListenerStatus {
		return []ListenerStatus{{Name: "smtp", Addr: "[::]:25", Up: true}, {Name: "imaps", Addr: "[::]:993", Up: false}}
	}
	when := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s.srv.cfg.Deliveries = fakeDeliveries{recent: []Delivery{
		{Time: when, From: "a@example.net", To: "nobody@example.org", Reply: "550 5.1.1 <nobody@example.org>: no such user"},
		{Time: when, From: "", To: "admin@example.org", Delivered: true, Reply: "250 2.0.0 queued"},
		{Time: when, From: "b@example.net", To: "full@example.org", Reply: "452 4.3.1 not enough disk space"},
	}}
	body := admin.get("/admin/status").Body.String()
	for _, want := range []string{"zest test", "1 day 2 h", "7 delivered, 2 refused or deferred", "[::]:25", `<span class="bad">down</span>`,
		"nobody@example.org", "550 5.1.1 &lt;nobody@example.org&gt;: no such user", "&lt;&gt;", `href="/admin/backup"`,
		`<span class="bad">deferred</span> <code>452 4.3.1`, `<span class="bad">refused</span> <code>550 5.1.1`} {
		if !strings.Contains(body, want) {
			t.Errorf("status page lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(body)
	}
	w, out := admin.api("GET", "/api/v1/admin/status", nil)
	if w.Code != 200 || out["version"] != "test" || out["deliveredToday"] != 7.0 || out["rejectedToday"] != 2.0 || out["uptimeSeconds"].(float64) < 26*3600 {
		t.Errorf("API status: %d %s", w.Code, w.Body)
	}
	if l, _ := out["listeners"].([]any); len(l) != 2 || l[1].(map[string]any)["up"] != false {
		t.Errorf("API listeners: %v", out["listeners"])
	}
	if r, _ := out["recent"].([]any); len(r) != 3 || r[0].(map[string]any)["reply"] != "550 5.1.1 <nobody@example.org>: no such user" {
		t.Errorf("API recent: %v", out["recent"])
	}
	if n, ok := out["dataBytes"].(float64); !ok || n <= 0 {
		t.Errorf("API dataBytes: %v", out["dataBytes"])
	}
}
