package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The administrator's status page: what runs, since when, how much it
// holds, and what happened to today's mail.

// Delivery is one recipient's delivery outcome.
type Delivery struct {
	Time      time.Time `json:"time"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Delivered bool      `json:"delivered"`
	// Reply is the SMTP reply the sender got; for a refusal, the reason.
	Reply string `json:"reply"`
}

// Outcome names what happened: delivered, deferred (a 4xx reply: the
// sender retries) or refused.
func (d Delivery) Outcome() string {
	switch {
	case d.Delivered:
		return "delivered"
	case strings.HasPrefix(d.Reply, "4"):
		return "deferred"
	default:
		return "refused"
	}
}

// DeliveryLog is the SMTP server's journal of outcomes, as the status page
// reads it. main adapts *smtp.Journal to it, so this package does not
// depend on the SMTP server.
type DeliveryLog interface {
	// Recent returns up to n outcomes, newest first.
	Recent(n int) []Delivery
	// Today counts the deliveries and refusals of now's day.
	Today(now time.Time) (delivered, rejected int)
}

// recentDeliveries is how many outcomes the status page shows.
const recentDeliveries = 200

type listenerRow struct {
	Name string `json:"name"`
	Addr string `json:"addr"`
	Up   bool   `json:"up"`
}

type statusData struct {
	Version        string        `json:"version"`
	Started        time.Time     `json:"started"`
	UptimeSeconds  int64         `json:"uptimeSeconds"`
	Uptime         string        `json:"uptime"`
	Listeners      []listenerRow `json:"listeners"`
	DataBytes      int64         `json:"dataBytes"`
	HasLog         bool          `json:"-"`
	DeliveredToday int           `json:"deliveredToday"`
	RejectedToday  int           `json:"rejectedToday"`
	Recent         []Delivery    `json:"recent"`
}

func (s *Server) status() statusData {
	now := time.Now()
	up := now.Sub(s.cfg.Started)
	st := statusData{
		Version:       s.cfg.Version,
		Started:       s.cfg.Started,
		UptimeSeconds: int64(up / time.Second),
		Uptime:        humanDuration(up),
		Listeners:     []listenerRow{},
		Recent:        []Delivery{},
	}
	if n, err := s.store.DiskUsage(); err == nil {
		st.DataBytes = n
	} else {
		s.log.Warn("web: data size", "err", err)
		st.DataBytes = s.store.DiskSize()
	}
	if s.cfg.Listeners != nil {
		for _, l := range s.cfg.Listeners() {
			st.Listeners = append(st.Listeners, listenerRow{Name: l.Name, Addr: l.Addr, Up: l.Up})
		}
	}
	if d := s.cfg.Deliveries; d != nil {
		st.HasLog = true
		st.DeliveredToday, st.RejectedToday = d.Today(now)
		if recent := d.Recent(recentDeliveries); recent != nil {
			st.Recent = recent
		}
	}
	return st
}

func (s *Server) statusPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "admin-status", view{Title: "Server status", Data: s.status()})
}

func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.status())
}

// humanDuration writes an uptime for people: "3 days 4 h", "12 min".
func humanDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d/time.Hour)%24, int(d/time.Minute)%60
	switch {
	case days > 1:
		return fmt.Sprintf("%d days %d h", days, hours)
	case days == 1:
		return fmt.Sprintf("1 day %d h", hours)
	case hours > 0:
		return fmt.Sprintf("%d h %d min", hours, mins)
	default:
		return fmt.Sprintf("%d min", mins)
	}
}
