package storage

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Delimiter separates the levels of a mailbox name.
const Delimiter = "/"

// NormalizeAddress lower-cases and checks an email address used as an
// account or alias name, returning it with its local part and domain.
func NormalizeAddress(addr string) (full, local, domain string, err error) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return "", "", "", fmt.Errorf("%w: %q is not an address of the form user@domain", ErrInvalidName, addr)
	}
	local, domain = addr[:at], addr[at+1:]
	if len(addr) > 254 || len(local) > 64 {
		return "", "", "", fmt.Errorf("%w: %q is too long", ErrInvalidName, addr)
	}
	for _, r := range local {
		if r <= ' ' || r == 0x7f || strings.ContainsRune(`"(),:;<>@[\]`, r) {
			return "", "", "", fmt.Errorf("%w: %q has a character not allowed in a local part", ErrInvalidName, addr)
		}
	}
	if err := CheckDomain(domain); err != nil {
		return "", "", "", err
	}
	return addr, local, domain, nil
}

// CheckDomain reports whether d is a usable domain name (LDH labels or
// internationalized labels in UTF-8).
func CheckDomain(d string) error {
	if d == "" || len(d) > 253 || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") || strings.Contains(d, "..") {
		return fmt.Errorf("%w: %q is not a domain name", ErrInvalidName, d)
	}
	for _, label := range strings.Split(d, ".") {
		if len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return fmt.Errorf("%w: %q is not a domain name", ErrInvalidName, d)
		}
		for _, r := range label {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f && unicode.IsPrint(r)) {
				return fmt.Errorf("%w: %q is not a domain name", ErrInvalidName, d)
			}
		}
	}
	return nil
}

// CheckMailboxName reports whether name can be a mailbox name: UTF-8, no
// control characters or IMAP wildcards, no empty hierarchy levels.
func CheckMailboxName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty mailbox name", ErrInvalidName)
	case len(name) > 1000:
		return fmt.Errorf("%w: mailbox name longer than 1000 bytes", ErrInvalidName)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: mailbox name is not valid UTF-8", ErrInvalidName)
	case strings.HasPrefix(name, Delimiter) || strings.HasSuffix(name, Delimiter) || strings.Contains(name, Delimiter+Delimiter):
		return fmt.Errorf("%w: mailbox name %q has an empty level", ErrInvalidName, name)
	case strings.ContainsAny(name, "*%"):
		return fmt.Errorf("%w: mailbox name %q contains a wildcard character", ErrInvalidName, name)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: mailbox name %q contains a control character", ErrInvalidName, name)
		}
	}
	return nil
}

// IsInbox reports whether name is INBOX, which IMAP matches case-insensitively.
func IsInbox(name string) bool { return strings.EqualFold(name, "INBOX") }

// CanonicalMailboxName spells INBOX (and the INBOX level of its children)
// in upper case and leaves every other name as it is.
func CanonicalMailboxName(name string) string { return mailboxNameKeyForm(name) }
