package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"zest/storage/kv"
)

// App passwords let a user give each mail client its own password, so the
// account password never sits in a phone and a lost phone is cut off by
// deleting one entry.
//
// Cost of a login. The protocol logins accept the account password or any
// of up to MaxAppPasswords app passwords; running every hash on every wrong
// guess would make a guess 21 KDF runs. Instead each record keeps a 16-bit
// tag, a SHA-256 prefix of the secret: a candidate is hashed against an app
// password only when it has the app-password shape and its tag matches, so a
// wrong guess costs one KDF run (the account password) plus, with
// probability about n/65536, one more. The tag gives away 16 of the secret's
// 80 bits to someone who reads the store, leaving 64 bits behind the KDF.
// Successful verifications are cached like account passwords (authCache),
// and the shared login limiter bounds how many guesses an address gets.

// MaxAppPasswords is how many app passwords one account may have.
const MaxAppPasswords = 20

// maxAppPasswordLabel is the longest label, in characters.
const maxAppPasswordLabel = 64

// appPasswordTouch is how stale LastUsed may get before a login records
// it again; phones log in many times an hour and each update is a write.
const appPasswordTouch = time.Hour

// ErrTooManyAppPasswords refuses an app password beyond MaxAppPasswords.
var ErrTooManyAppPasswords = errors.New("storage: too many app passwords")

// AppPasswordID identifies an app password within the store.
type AppPasswordID uint64

// AppPassword describes an app password; the secret itself is shown once,
// when it is created, and only its hash is kept.
type AppPassword struct {
	ID       AppPasswordID
	Label    string // the user's name for it, e.g. "phone"
	Created  time.Time
	LastUsed time.Time // zero if never used; updated at most once an hour
}

type appPasswordRecord struct {
	AppPassword
	hash string // of the normalized secret, as hashPassword writes it
	tag  uint16 // appPasswordTag of the normalized secret
}

// The secret is 16 characters from a 32-letter alphabet (80 bits) shown in
// four groups; the alphabet leaves out l and o, which read like 1 and 0.
const (
	appPasswordAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	appPasswordLen      = 16
)

func appPasswordKey(a AccountID, id AppPasswordID) []byte {
	k := binary.BigEndian.AppendUint64(key(tAppPassword, 16), uint64(a))
	return binary.BigEndian.AppendUint64(k, uint64(id))
}

func appPasswordPrefix(a AccountID) []byte {
	return binary.BigEndian.AppendUint64(key(tAppPassword, 8), uint64(a))
}

func encodeAppPassword(p *appPasswordRecord) []byte {
	e := encoder{b: make([]byte, 0, 160)}
	e.u8(recordVersion)
	e.str(p.Label)
	e.str(p.hash)
	e.uvarint(uint64(p.tag))
	e.varint(p.Created.UnixNano())
	e.varint(timeNanos(p.LastUsed))
	return e.b
}

func decodeAppPassword(k, v []byte) (*appPasswordRecord, error) {
	if len(k) != 17 {
		return nil, errCorrupt
	}
	d := decoder{b: v}
	if d.u8() != recordVersion {
		return nil, errCorrupt
	}
	p := &appPasswordRecord{}
	p.ID = AppPasswordID(binary.BigEndian.Uint64(k[9:]))
	p.Label = d.str()
	p.hash = d.str()
	tag := d.uvarint()
	p.Created = time.Unix(0, d.varint())
	if n := d.varint(); n != 0 {
		p.LastUsed = time.Unix(0, n)
	}
	if tag > 0xffff {
		return nil, errCorrupt
	}
	p.tag = uint16(tag)
	return p, d.err
}

// timeNanos is t in Unix nanoseconds, with the zero time as 0.
func timeNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// normalizeAppPassword returns the secret as stored, dropping the group
// separators and case a user may add when typing it into a phone, and
// whether s has the shape of an app password at all.
func normalizeAppPassword(s string) (string, bool) {
	n := strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ':
			return -1
		case 'A' <= r && r <= 'Z':
			return r + ('a' - 'A')
		}
		return r
	}, s)
	if len(n) != appPasswordLen {
		return "", false
	}
	for i := 0; i < len(n); i++ {
		if strings.IndexByte(appPasswordAlphabet, n[i]) < 0 {
			return "", false
		}
	}
	return n, true
}

func appPasswordTag(normalized string) uint16 {
	sum := sha256.Sum256([]byte("zest app password tag\x00" + normalized))
	return binary.BigEndian.Uint16(sum[:2])
}

// newAppPasswordSecret returns a fresh secret as shown to the user,
// "abcd-efgh-ijkm-npqr".
func newAppPasswordSecret() (string, error) {
	var raw [appPasswordLen]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("app password: %w", err)
	}
	var b strings.Builder
	for i, c := range raw {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		// 256 is a multiple of the alphabet's 32 letters: no bias.
		b.WriteByte(appPasswordAlphabet[int(c)%len(appPasswordAlphabet)])
	}
	return b.String(), nil
}

func checkAppPasswordLabel(label string) (string, error) {
	label = strings.TrimSpace(label)
	n := utf8.RuneCountInString(label)
	if n == 0 || n > maxAppPasswordLabel || !utf8.ValidString(label) {
		return "", fmt.Errorf("%w: an app password's label has 1 to %d characters", ErrInvalidName, maxAppPasswordLabel)
	}
	for _, r := range label {
		if !unicode.IsPrint(r) {
			return "", fmt.Errorf("%w: app password label %q has a control character", ErrInvalidName, label)
		}
	}
	return label, nil
}

// AddAppPassword creates an app password for account a and returns it with
// its secret, which is not stored in clear and cannot be shown again.
func (s *Store) AddAppPassword(ctx context.Context, a AccountID, label string) (AppPassword, string, error) {
	label, err := checkAppPasswordLabel(label)
	if err != nil {
		return AppPassword{}, "", err
	}
	secret, err := newAppPasswordSecret()
	if err != nil {
		return AppPassword{}, "", err
	}
	norm, _ := normalizeAppPassword(secret)
	hash, err := hashPassword(norm, s.pwd)
	if err != nil {
		return AppPassword{}, "", err
	}
	var rec *appPasswordRecord
	err = s.write(ctx, "add app password", func(tx *wtx) error {
		if _, err := readAccount(tx, a); err != nil {
			return fmt.Errorf("account %d: %w", a, err)
		}
		n := 0
		err := tx.Scan(appPasswordPrefix(a), nil, false, func(k, v []byte) (bool, error) {
			n++
			return true, nil
		})
		if err != nil {
			return err
		}
		if n >= MaxAppPasswords {
			return fmt.Errorf("account %d has %d app passwords: %w", a, n, ErrTooManyAppPasswords)
		}
		id, err := tx.nextSeq("apppassword", 1)
		if err != nil {
			return err
		}
		rec = &appPasswordRecord{
			AppPassword: AppPassword{ID: AppPasswordID(id), Label: label, Created: s.now()},
			hash:        hash,
			tag:         appPasswordTag(norm),
		}
		return tx.Set(appPasswordKey(a, rec.ID), encodeAppPassword(rec))
	})
	if err != nil {
		return AppPassword{}, "", err
	}
	return rec.AppPassword, secret, nil
}

// AppPasswords lists account a's app passwords, oldest first.
func (s *Store) AppPasswords(ctx context.Context, a AccountID) ([]AppPassword, error) {
	recs, err := s.appPasswords(a)
	if err != nil {
		return nil, err
	}
	out := make([]AppPassword, len(recs))
	for i, r := range recs {
		out[i] = r.AppPassword
	}
	return out, nil
}

func (s *Store) appPasswords(a AccountID) ([]*appPasswordRecord, error) {
	var out []*appPasswordRecord
	err := s.view(func(r kv.Reader) error {
		out = out[:0]
		return r.Scan(appPasswordPrefix(a), nil, false, func(k, v []byte) (bool, error) {
			p, err := decodeAppPassword(k, v)
			if err != nil {
				return false, err
			}
			out = append(out, p)
			return true, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("app passwords of account %d: %w", a, err)
	}
	return out, nil
}

func (s *Store) appPassword(a AccountID, id AppPasswordID) (*appPasswordRecord, error) {
	var p *appPasswordRecord
	err := s.view(func(r kv.Reader) error {
		k := appPasswordKey(a, id)
		v, err := getRecord(r, k, ErrNotFound)
		if err != nil {
			return err
		}
		p, err = decodeAppPassword(k, v)
		return err
	})
	return p, err
}

// DeleteAppPassword removes one of account a's app passwords; clients
// using it are refused from their next login on, cached or not.
func (s *Store) DeleteAppPassword(ctx context.Context, a AccountID, id AppPasswordID) error {
	err := s.write(ctx, "delete app password", func(tx *wtx) error {
		k := appPasswordKey(a, id)
		if _, err := getRecord(tx, k, ErrNotFound); err != nil {
			return fmt.Errorf("app password %d of account %d: %w", id, a, err)
		}
		return tx.Delete(k)
	})
	if err != nil {
		return err
	}
	s.auth.forgetApp(a, id)
	return nil
}

// matchAppPassword returns the app password of account a that password
// is, or nil. Only candidates with a matching tag cost a KDF run.
func (s *Store) matchAppPassword(a AccountID, password string) (*appPasswordRecord, error) {
	norm, ok := normalizeAppPassword(password)
	if !ok {
		return nil, nil
	}
	recs, err := s.appPasswords(a)
	if err != nil {
		return nil, err
	}
	tag := appPasswordTag(norm)
	for _, p := range recs {
		if p.tag != tag {
			continue
		}
		ok, err := s.checkPassword(p.hash, norm)
		if err != nil {
			return nil, fmt.Errorf("verify app password %d of account %d: %w", p.ID, a, err)
		}
		if ok {
			return p, nil
		}
	}
	return nil, nil
}

// touchAppPassword records that p was just used, at most once an hour. A
// failure is logged, not returned: it must not refuse a good login.
func (s *Store) touchAppPassword(ctx context.Context, a AccountID, p *appPasswordRecord) {
	now := s.now()
	if now.Sub(p.LastUsed) < appPasswordTouch {
		return
	}
	err := s.write(ctx, "app password used", func(tx *wtx) error {
		k := appPasswordKey(a, p.ID)
		v, err := getRecord(tx, k, ErrNotFound)
		if errors.Is(err, ErrNotFound) {
			return nil // deleted meanwhile
		}
		if err != nil {
			return err
		}
		cur, err := decodeAppPassword(k, v)
		if err != nil {
			return err
		}
		cur.LastUsed = now
		return tx.Set(k, encodeAppPassword(cur))
	})
	if err != nil {
		s.log.Warn("record app password use", "account", a, "app_password", p.ID, "err", err)
	}
}

// checkPassword is the package's checkPassword, counted.
func (s *Store) checkPassword(hash, password string) (bool, error) {
	s.kdfRuns.Add(1)
	return checkPassword(hash, password)
}
