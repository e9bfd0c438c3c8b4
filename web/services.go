package web

// Services are the mail services' ports (0: off), for client set-up and
// DNS records.
type Services struct {
	Hostname                                          string
	IMAP, IMAPS, Submission, Submissions, ManageSieve int
}
