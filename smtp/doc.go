// Package smtp receives mail for zest's local accounts, in two roles on top
// of github.com/emersion/go-smtp:
//
//   - MX (RFC 5321): inbound SMTP from the internet on port 25, for local
//     recipients only; everything else is refused as relaying.
//   - LMTP (RFC 2033): local delivery from another MTA, with one reply per
//     recipient after the message.
//
// Zest is the final delivery agent in both roles: a message is answered 250
// only after storage.Deliver has written it durably, and it is stored with a
// Return-Path, a Delivered-To (one recipient only) and a Received header
// prepended (RFC 5321 §4.4).
//
// # Extensions
//
// Both roles advertise and implement:
//
//   - PIPELINING (RFC 2920)
//   - 8BITMIME (RFC 6152)
//   - ENHANCEDSTATUSCODES (RFC 2034, codes from RFC 3463 and RFC 5248)
//   - SIZE (RFC 1870): the limit is advertised; MAIL FROM with a larger SIZE
//     and a body that grows past it are refused with 552 5.3.4
//   - CHUNKING (RFC 3030): BDAT, without BINARYMIME
//   - SMTPUTF8 (RFC 6531): UTF-8 addresses and headers; a non-ASCII address
//     without the SMTPUTF8 parameter is refused with 553 5.6.7, and the
//     Received header says UTF8SMTP/UTF8LMTP
//   - STARTTLS (RFC 3207), when Config.TLS is set, TLS 1.2 or later
//   - LIMITS RCPTMAX (RFC 9422), from Config.MaxRecipients
//
// The Received header names the protocol with the "with" keywords of
// RFC 3848 and RFC 6531 (ESMTP, ESMTPS, LMTP, LMTPS, UTF8SMTPS, …) and, for
// TLS, the version and cipher suite in a comment.
//
// AUTH is not offered: the MX role takes no submissions.
//
// # Structure
//
// Server (server.go) owns the two go-smtp servers, the configuration and
// graceful shutdown; conn.go counts connections against the limits,
// applies the timeouts to every read and write, and says goodbye to
// sessions when the server shuts down. Each role is a go-smtp Backend whose
// Session (session.go) speaks the protocol and turns every error into a
// reply in one place (replies.go). The transaction itself is a delivery
// (delivery.go), the seam to the store: begun by MAIL, recipients resolved
// and added by RCPT, committed by one storage.Deliver call for all
// recipients at the end of DATA or BDAT LAST, with the trace headers of
// trace.go in front of the message.
package smtp
