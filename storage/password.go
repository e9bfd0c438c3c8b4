package storage

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// PasswordParams is the argon2id cost used for new password hashes.
type PasswordParams struct {
	Time    uint32 // passes
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultPasswordParams is OWASP's recommended argon2id baseline (19 MiB,
// two passes, one lane): about 40 ms on an x86-64 core and a few hundred on
// a Raspberry Pi, memory-hard against GPU guessing, and affordable at login
// because successful verifications are cached (authCache).
var DefaultPasswordParams = PasswordParams{Time: 2, Memory: 19 * 1024, Threads: 1}

const argonKeyLen = 32

// hashPassword returns a PHC-format argon2id hash of password.
func hashPassword(password string, p PasswordParams) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	sum := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(sum)), nil
}

var errUnknownHash = errors.New("unknown password hash format")

// checkPassword verifies password against a stored hash: argon2id as zest
// writes it, or bcrypt as imported from other servers.
func checkPassword(hash, password string) (bool, error) {
	switch {
	case strings.HasPrefix(hash, "$argon2id$"):
		var version int
		var p PasswordParams
		parts := strings.Split(hash, "$")
		if len(parts) != 6 {
			return false, errUnknownHash
		}
		if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
			return false, errUnknownHash
		}
		if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
			return false, errUnknownHash
		}
		b64 := base64.RawStdEncoding
		salt, err1 := b64.DecodeString(parts[4])
		want, err2 := b64.DecodeString(parts[5])
		if err1 != nil || err2 != nil || len(want) == 0 || p.Time == 0 || p.Threads == 0 || p.Memory > 4<<20 {
			return false, errUnknownHash
		}
		got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
		return subtle.ConstantTimeCompare(got, want) == 1, nil
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return false, nil
		}
		return err == nil, err
	}
	return false, errUnknownHash
}

// authCacheTTL is how long a successful verification is remembered. Phones
// reconnect many times an hour; a few minutes saves nearly every KDF run
// while a stolen-then-changed password stops working at once (entries are
// dropped on password change).
const authCacheTTL = 5 * time.Minute

// authCache remembers successful logins under an HMAC of the credentials
// with a key that exists only in this process's memory, so the cache holds
// nothing an attacker reading memory could replay elsewhere or brute-force
// faster than the stored hash.
type authCache struct {
	key     [32]byte
	now     func() time.Time
	mu      sync.Mutex
	entries map[[32]byte]authEntry
}

type authEntry struct {
	account     AccountID
	app         AppPasswordID // the app password verified; 0 for the account password
	credVersion uint64
	expires     time.Time
}

func newAuthCache(now func() time.Time) *authCache {
	c := &authCache{now: now, entries: make(map[[32]byte]authEntry)}
	if _, err := rand.Read(c.key[:]); err != nil {
		panic(fmt.Sprintf("auth cache key: %v", err)) // crypto/rand never fails on Linux
	}
	return c
}

func (c *authCache) sum(username, password string) [32]byte {
	m := hmac.New(sha256.New, c.key[:])
	m.Write([]byte(strings.ToLower(username)))
	m.Write([]byte{0})
	m.Write([]byte(password))
	var out [32]byte
	m.Sum(out[:0])
	return out
}

// lookup returns the account a cached verification vouches for, if it is
// still fresh and was made against the current password.
func (c *authCache) lookup(username, password string) (authEntry, bool) {
	k := c.sum(username, password)
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return authEntry{}, false
	}
	if c.now().After(e.expires) {
		delete(c.entries, k)
		return authEntry{}, false
	}
	return e, true
}

func (c *authCache) remember(username, password string, a *Account, app AppPasswordID) {
	k := c.sum(username, password)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) > 10000 { // bound memory: drop everything expired, else everything
		now := c.now()
		for k, e := range c.entries {
			if now.After(e.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) > 10000 {
			clear(c.entries)
		}
	}
	c.entries[k] = authEntry{account: a.ID, app: app, credVersion: a.credVersion, expires: c.now().Add(authCacheTTL)}
}

// forget drops every cached verification of an account.
func (c *authCache) forget(id AccountID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.account == id {
			delete(c.entries, k)
		}
	}
}

// forgetApp drops the cached verifications of one app password.
func (c *authCache) forgetApp(id AccountID, app AppPasswordID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.account == id && e.app == app {
			delete(c.entries, k)
		}
	}
}
