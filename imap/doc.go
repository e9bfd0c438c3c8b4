// Package imap is zest's IMAP server (RFC 3501 IMAP4rev1 and RFC 9051
// IMAP4rev2) over the storage package.
//
// The server has its own codec (imap/wire) and a dispatcher driven by a
// table (commands.go): each command is a row with the states it is allowed
// in and the capability that advertises it, so an extension adds rows and
// CAPABILITY lists only what is implemented.
//
// A session subscribes to the store's event stream for its account; its
// selected-mailbox view (view.go) maps sequence numbers to UIDs and is
// brought up to date at the points IMAP allows: after a command, during
// IDLE and on NOOP, never with an EXPUNGE during FETCH, STORE or SEARCH by
// sequence number (RFC 3501 §7.4.1).
//
// Extensions: IDLE (RFC 2177), UIDPLUS (RFC 4315), MOVE (RFC 6851),
// UNSELECT (RFC 3691), ENABLE (RFC 5161), ID (RFC 2971), NAMESPACE
// (RFC 2342), SASL-IR (RFC 4959), LITERAL+ (RFC 7888), SPECIAL-USE and
// CREATE-SPECIAL-USE (RFC 6154), CHILDREN (RFC 3348), UNAUTHENTICATE
// (RFC 8437), ESEARCH (RFC 4731), SEARCHRES (RFC 5182), LIST-EXTENDED
// (RFC 5258), LIST-STATUS (RFC 5819), BINARY (RFC 3516), APPENDLIMIT
// (RFC 7889), STATUS=SIZE (RFC 8438), UTF8=ACCEPT (RFC 6855), STARTTLS,
// and IMAP4rev2 behaviour after ENABLE IMAP4rev2 (RFC 9051).
//
// Reconnection (the Lemonade drafts and RFC 7162): CONDSTORE and QRESYNC,
// also in the form of draft-ietf-lemonade-reconnect-client
// (X-DRAFT-W01-QRESYNC: no ENABLE, "* EXPUNGED"), and MONOINCUID
// (draft-maes-lemonade-monoincuid). Opening a mailbox reads no message
// record, and every mod-sequence and VANISHED answer comes from the
// store's change index and tombstones, so a resynchronisation costs what
// changed, not what the mailbox holds.
//
// Drafts: X-DRAFT-CLIENTID-00 (draft-ordogh-lemonade-clientid-00,
// clientid.go) and STATE (draft-imap-state-00, state.go).
package imap
