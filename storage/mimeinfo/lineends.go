package mimeinfo

import "bytes"

// CRLF returns msg with every LF not preceded by CR turned into CRLF, or
// msg itself when there is none. IMAP requires CRLF lines (RFC 3501 §4.3),
// and a message stored with mixed endings would show different sizes and
// offsets to different clients, so every way into the store (SMTP, LMTP,
// APPEND, import) passes messages through it. CRLF messages are kept byte
// for byte, without a copy.
func CRLF(msg []byte) []byte {
	bare := 0
	for i := lineEnd(msg, 0); i >= 0; i = lineEnd(msg, i+1) {
		if i == 0 || msg[i-1] != '\r' {
			bare++
		}
	}
	if bare == 0 {
		return msg
	}
	out := make([]byte, 0, len(msg)+bare)
	start := 0
	for i := lineEnd(msg, 0); i >= 0; i = lineEnd(msg, i+1) {
		if i == 0 || msg[i-1] != '\r' {
			out = append(append(out, msg[start:i]...), '\r')
			start = i
		}
	}
	return append(out, msg[start:]...)
}

// lineEnd returns the index of the first LF in msg at or after from, or -1.
func lineEnd(msg []byte, from int) int {
	if i := bytes.IndexByte(msg[from:], '\n'); i >= 0 {
		return from + i
	}
	return -1
}
