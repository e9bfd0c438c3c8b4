package web

import "net/http"

// The page that tells a user how to set up a mail client by hand, for
// clients that do not configure themselves from the address.

type clientSetting struct {
	Service, Server, Security, Username string
	Port                                int
}

func (s *Server) clientSetupPage(w http.ResponseWriter, r *http.Request) {
	who := sessionOf(r)
	svc := s.cfg.Services
	host := svc.Hostname
	if host == "" {
		host = s.cfg.Hostname
	}
	var rows []clientSetting
	add := func(service string, port int, security string) {
		if port != 0 {
			rows = append(rows, clientSetting{Service: service, Server: host, Port: port, Security: security, Username: who.account.Address})
		}
	}
	add("Incoming mail (IMAP)", svc.IMAPS, "SSL/TLS")
	add("Incoming mail (IMAP)", svc.IMAP, "STARTTLS")
	add("Outgoing mail (SMTP)", svc.Submissions, "SSL/TLS")
	add("Outgoing mail (SMTP)", svc.Submission, "STARTTLS")
	add("Filters (ManageSieve)", svc.ManageSieve, "STARTTLS")
	s.render(w, r, http.StatusOK, "clientsetup", view{Title: "Set up a mail client", Data: rows})
}
