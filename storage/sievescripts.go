package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"zest/storage/kv"
)

// Sieve scripts (RFC 5228) are kept per account under names a user picks
// (RFC 5804 §1.6). At most one of an account's scripts is active: the one
// delivery runs. An optional administrator script, store-wide, runs before
// the user's. The store keeps bytes only: whether a script compiles is the
// caller's business (ManageSieve, the web page and the CLI check before they
// store, SV-28, SV-73, SV-80), so a script read back may still fail to
// compile if the engine changed since.

var (
	// ErrScriptActive refuses to delete the active script (RFC 5804 §2.10).
	ErrScriptActive = errors.New("storage: script is active")
	// ErrTooManyScripts means the account holds its maximum number of scripts.
	ErrTooManyScripts = errors.New("storage: too many scripts")
	// ErrScriptTooLarge means a script is over the size limit.
	ErrScriptTooLarge = errors.New("storage: script too large")
)

const (
	// DefaultMaxSieveScripts is how many scripts an account may keep when
	// Options.MaxSieveScripts is zero.
	DefaultMaxSieveScripts = 100
	// DefaultMaxSieveScriptSize bounds one script when
	// Options.MaxSieveScriptSize is zero; it is the Sieve compiler's own
	// default limit.
	DefaultMaxSieveScriptSize = 1 << 20
	// MaxSieveNameLen is the longest script name, in characters; RFC 5804
	// §1.6 asks servers to accept at least 128.
	MaxSieveNameLen = 128
)

// SieveScript is one stored script.
type SieveScript struct {
	Name    string
	Active  bool
	Content []byte    // nil in ListScripts answers
	Updated time.Time // last PutScript; with Name a key for compiled-script caches
}

// ValidSieveName reports whether name may name a script (RFC 5804 §1.6):
// 1 to MaxSieveNameLen characters of valid UTF-8 with no control
// characters (U+0000–001F, U+007F–009F) nor line or paragraph separators
// (U+2028, U+2029). Names are compared byte for byte.
func ValidSieveName(name string) bool {
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxSieveNameLen {
		return false
	}
	for _, r := range name {
		if r <= 0x1f || 0x7f <= r && r <= 0x9f || r == 0x2028 || r == 0x2029 {
			return false
		}
	}
	return true
}

func sieveScriptPrefix(a AccountID) []byte {
	return binary.BigEndian.AppendUint64(key(tSieveScript, 8+MaxSieveNameLen), uint64(a))
}

func sieveScriptKey(a AccountID, name string) []byte {
	return append(sieveScriptPrefix(a), name...)
}

func sieveActiveKey(a AccountID) []byte {
	return binary.BigEndian.AppendUint64(key(tSieveActive, 8), uint64(a))
}

func sieveAdminKey() []byte { return key(tSieveAdmin, 0) }

func sieveErrorKey(a AccountID) []byte {
	return binary.BigEndian.AppendUint64(key(tSieveError, 8), uint64(a))
}

func encodeSieveScript(content []byte, updated time.Time) []byte {
	e := encoder{b: make([]byte, 0, len(content)+16)}
	e.u8(recordVersion)
	e.varint(updated.UnixNano())
	e.bytes(content)
	return e.b
}

func decodeSieveScript(name string, b []byte) (*SieveScript, error) {
	d := decoder{b: b}
	if d.u8() != recordVersion {
		return nil, errCorrupt
	}
	sc := &SieveScript{Name: name}
	sc.Updated = time.Unix(0, d.varint())
	sc.Content = append([]byte{}, d.raw()...)
	if d.err != nil {
		return nil, d.err
	}
	return sc, nil
}

func (s *Store) maxSieveScripts() int {
	if s.sieveMaxScripts > 0 {
		return s.sieveMaxScripts
	}
	return DefaultMaxSieveScripts
}

func (s *Store) maxSieveScriptSize() int {
	if s.sieveMaxSize > 0 {
		return s.sieveMaxSize
	}
	return DefaultMaxSieveScriptSize
}

// SieveLimits returns the most scripts an account may keep and the largest
// script, as ManageSieve reports them (HAVESPACE, QUOTA/MAXSIZE).
func (s *Store) SieveLimits() (maxScripts, maxSize int) {
	return s.maxSieveScripts(), s.maxSieveScriptSize()
}

// countScripts returns how many scripts a has, stopping past limit.
func countScripts(r kv.Reader, a AccountID, limit int) (int, error) {
	n := 0
	err := r.Scan(sieveScriptPrefix(a), nil, false, func(_, _ []byte) (bool, error) {
		n++
		return n <= limit, nil
	})
	return n, err
}

// checkSpace answers HAVESPACE for one script of size bytes under name.
func (s *Store) checkSpace(r kv.Reader, a AccountID, name string, size int) error {
	if size > s.maxSieveScriptSize() {
		return ErrScriptTooLarge
	}
	if _, err := r.Get(sieveScriptKey(a, name)); err == nil {
		return nil // replacing does not add a script
	} else if !errors.Is(err, kv.ErrNotFound) {
		return err
	}
	n, err := countScripts(r, a, s.maxSieveScripts())
	if err != nil {
		return err
	}
	if n >= s.maxSieveScripts() {
		return ErrTooManyScripts
	}
	return nil
}

// CheckScriptSpace reports whether PutScript of size bytes under name would
// fit account a's limits (RFC 5804 §2.5): nil, ErrScriptTooLarge or
// ErrTooManyScripts (ErrInvalidName for a bad name).
func (s *Store) CheckScriptSpace(ctx context.Context, a AccountID, name string, size int) error {
	if !ValidSieveName(name) {
		return ErrInvalidName
	}
	return s.view(func(r kv.Reader) error { return s.checkSpace(r, a, name, size) })
}

// PutScript stores content under name for account a, replacing a script of
// that name (and keeping it active if it was). The caller must have checked
// that content compiles; a new script is never made active here.
func (s *Store) PutScript(ctx context.Context, a AccountID, name string, content []byte) error {
	if !ValidSieveName(name) {
		return fmt.Errorf("put script %q: %w", name, ErrInvalidName)
	}
	if len(content) > s.maxSieveScriptSize() {
		return fmt.Errorf("put script %q: %w", name, ErrScriptTooLarge)
	}
	err := s.writeSized(ctx, "put script", int64(len(content))+4<<10, func(tx *wtx) error {
		if _, err := readAccount(tx, a); err != nil {
			return fmt.Errorf("account %d: %w", a, err)
		}
		if err := s.checkSpace(tx, a, name, len(content)); err != nil {
			return err
		}
		return tx.Set(sieveScriptKey(a, name), encodeSieveScript(content, s.now()))
	})
	if err != nil {
		return fmt.Errorf("put script %q: %w", name, err)
	}
	return nil
}

func activeName(r kv.Reader, a AccountID) (string, error) {
	v, err := r.Get(sieveActiveKey(a))
	if errors.Is(err, kv.ErrNotFound) {
		return "", nil
	}
	return string(v), err
}

// GetScript returns account a's script name, or ErrNotFound.
func (s *Store) GetScript(ctx context.Context, a AccountID, name string) (*SieveScript, error) {
	var sc *SieveScript
	err := s.view(func(r kv.Reader) error {
		v, err := getRecord(r, sieveScriptKey(a, name), ErrNotFound)
		if err != nil {
			return err
		}
		if sc, err = decodeSieveScript(name, v); err != nil {
			return err
		}
		active, err := activeName(r, a)
		sc.Active = active == name
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get script %q: %w", name, err)
	}
	return sc, nil
}

// ListScripts returns account a's scripts in name (byte) order, without
// their content.
func (s *Store) ListScripts(ctx context.Context, a AccountID) ([]SieveScript, error) {
	var list []SieveScript
	err := s.view(func(r kv.Reader) error {
		list = list[:0]
		active, err := activeName(r, a)
		if err != nil {
			return err
		}
		prefix := sieveScriptPrefix(a)
		return r.Scan(prefix, nil, false, func(k, v []byte) (bool, error) {
			sc, err := decodeSieveScript(string(k[len(prefix):]), v)
			if err != nil {
				return false, err
			}
			sc.Content = nil
			sc.Active = sc.Name == active
			list = append(list, *sc)
			return true, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list scripts of account %d: %w", a, err)
	}
	return list, nil
}

// SetActive makes account a's script name the active one, or deactivates
// every script when name is "" (RFC 5804 §2.8). ErrNotFound for an unknown
// name. The caller must have checked that the script compiles.
func (s *Store) SetActive(ctx context.Context, a AccountID, name string) error {
	err := s.write(ctx, "set active script", func(tx *wtx) error {
		if name == "" {
			return tx.Delete(sieveActiveKey(a))
		}
		if _, err := getRecord(tx, sieveScriptKey(a, name), ErrNotFound); err != nil {
			return err
		}
		return tx.Set(sieveActiveKey(a), []byte(name))
	})
	if err != nil {
		return fmt.Errorf("activate script %q: %w", name, err)
	}
	return nil
}

// DeleteScript removes account a's script name: ErrNotFound when there is
// none, ErrScriptActive when it is the active one (RFC 5804 §2.10).
func (s *Store) DeleteScript(ctx context.Context, a AccountID, name string) error {
	err := s.writeFreeing(ctx, "delete script", func(tx *wtx) error {
		if _, err := getRecord(tx, sieveScriptKey(a, name), ErrNotFound); err != nil {
			return err
		}
		active, err := activeName(tx, a)
		if err != nil {
			return err
		}
		if active == name {
			return ErrScriptActive
		}
		return tx.Delete(sieveScriptKey(a, name))
	})
	if err != nil {
		return fmt.Errorf("delete script %q: %w", name, err)
	}
	return nil
}

// RenameScript renames account a's script from to to; an active script
// stays active (RFC 5804 §2.11). ErrNotFound for a missing source,
// ErrExists for a taken target, ErrInvalidName for a bad target name.
func (s *Store) RenameScript(ctx context.Context, a AccountID, from, to string) error {
	if !ValidSieveName(to) {
		return fmt.Errorf("rename script %q: %w", from, ErrInvalidName)
	}
	err := s.write(ctx, "rename script", func(tx *wtx) error {
		v, err := getRecord(tx, sieveScriptKey(a, from), ErrNotFound)
		if err != nil {
			return err
		}
		if from == to {
			return ErrExists
		}
		if _, err := tx.Get(sieveScriptKey(a, to)); err == nil {
			return ErrExists
		} else if !errors.Is(err, kv.ErrNotFound) {
			return err
		}
		active, err := activeName(tx, a)
		if err != nil {
			return err
		}
		if active == from {
			if err := tx.Set(sieveActiveKey(a), []byte(to)); err != nil {
				return err
			}
		}
		if err := tx.Delete(sieveScriptKey(a, from)); err != nil {
			return err
		}
		return tx.Set(sieveScriptKey(a, to), v)
	})
	if err != nil {
		return fmt.Errorf("rename script %q to %q: %w", from, to, err)
	}
	return nil
}

// ActiveScript returns the script delivery runs for account a, or nil when
// none is active.
func (s *Store) ActiveScript(ctx context.Context, a AccountID) (*SieveScript, error) {
	var sc *SieveScript
	err := s.view(func(r kv.Reader) error {
		sc = nil
		name, err := activeName(r, a)
		if err != nil || name == "" {
			return err
		}
		v, err := getRecord(r, sieveScriptKey(a, name), ErrNotFound)
		if err != nil {
			return err
		}
		if sc, err = decodeSieveScript(name, v); err != nil {
			return err
		}
		sc.Active = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("active script of account %d: %w", a, err)
	}
	return sc, nil
}

// SetAdminScript sets the store-wide administrator script, which delivery
// runs before each user's active script; nil or empty content removes it.
// As for user scripts, the caller must have checked that it compiles.
func (s *Store) SetAdminScript(ctx context.Context, content []byte) error {
	if len(content) > s.maxSieveScriptSize() {
		return fmt.Errorf("set administrator script: %w", ErrScriptTooLarge)
	}
	err := s.writeSized(ctx, "set administrator script", int64(len(content))+4<<10, func(tx *wtx) error {
		if len(content) == 0 {
			return tx.Delete(sieveAdminKey())
		}
		return tx.Set(sieveAdminKey(), encodeSieveScript(content, s.now()))
	})
	if err != nil {
		return fmt.Errorf("set administrator script: %w", err)
	}
	return nil
}

// AdminScript returns the administrator script, or nil when there is none.
func (s *Store) AdminScript(ctx context.Context) (*SieveScript, error) {
	var sc *SieveScript
	err := s.view(func(r kv.Reader) error {
		sc = nil
		v, err := r.Get(sieveAdminKey())
		if errors.Is(err, kv.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		sc, err = decodeSieveScript("", v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("administrator script: %w", err)
	}
	return sc, nil
}

// removeAccountScripts deletes account a's scripts, for DeleteAccount.
func (s *Store) removeAccountScripts(ctx context.Context, a AccountID) error {
	for {
		n := 0
		err := s.writeFreeing(ctx, "delete account scripts", func(tx *wtx) error {
			scripts, err := tx.deletePrefix(sieveScriptPrefix(a))
			if err != nil {
				return err
			}
			replies, err := tx.deletePrefix(vacationPrefix(a))
			if err != nil {
				return err
			}
			n = max(scripts, replies)
			if err := tx.Delete(sieveErrorKey(a)); err != nil {
				return err
			}
			return tx.Delete(sieveActiveKey(a))
		})
		if err != nil {
			return fmt.Errorf("delete scripts of account %d: %w", a, err)
		}
		if n < removeBatch {
			return nil
		}
	}
}

// SieveError is the last failure of an account's script at delivery, for
// the user to see (SV-26).
type SieveError struct {
	At  time.Time
	Msg string
}

// SetSieveError records the latest failure of account a's script.
func (s *Store) SetSieveError(ctx context.Context, a AccountID, msg string) error {
	at := s.now()
	return s.write(ctx, "record sieve error", func(tx *wtx) error {
		e := encoder{}
		e.u8(recordVersion)
		e.varint(at.UnixNano())
		e.str(msg)
		return tx.Set(sieveErrorKey(a), e.b)
	})
}

// LastSieveError returns the latest failure of account a's script, or nil.
func (s *Store) LastSieveError(ctx context.Context, a AccountID) (*SieveError, error) {
	var out *SieveError
	err := s.view(func(r kv.Reader) error {
		v, err := r.Get(sieveErrorKey(a))
		if errors.Is(err, kv.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		d := decoder{b: v}
		if d.u8() != recordVersion {
			return errCorrupt
		}
		out = &SieveError{At: time.Unix(0, d.varint()), Msg: d.str()}
		return d.err
	})
	return out, err
}

// Global scripts are the administrator's shared scripts that users'
// scripts include with `include :global "name"` (RFC 6609 §3.2). They are
// never run on their own. Like user scripts they are bytes only; the
// caller checks that they compile.

func sieveGlobalPrefix() []byte { return key(tSieveGlobal, MaxSieveNameLen) }

func sieveGlobalKey(name string) []byte { return append(sieveGlobalPrefix(), name...) }

// PutGlobalScript stores the global script name, replacing one of that
// name.
func (s *Store) PutGlobalScript(ctx context.Context, name string, content []byte) error {
	if !ValidSieveName(name) {
		return fmt.Errorf("put global script %q: %w", name, ErrInvalidName)
	}
	if len(content) > s.maxSieveScriptSize() {
		return fmt.Errorf("put global script %q: %w", name, ErrScriptTooLarge)
	}
	err := s.writeSized(ctx, "put global script", int64(len(content))+4<<10, func(tx *wtx) error {
		return tx.Set(sieveGlobalKey(name), encodeSieveScript(content, s.now()))
	})
	if err != nil {
		return fmt.Errorf("put global script %q: %w", name, err)
	}
	return nil
}

// GlobalScript returns the global script name, or ErrNotFound.
func (s *Store) GlobalScript(ctx context.Context, name string) (*SieveScript, error) {
	var sc *SieveScript
	err := s.view(func(r kv.Reader) error {
		v, err := getRecord(r, sieveGlobalKey(name), ErrNotFound)
		if err != nil {
			return err
		}
		sc, err = decodeSieveScript(name, v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get global script %q: %w", name, err)
	}
	return sc, nil
}

// GlobalScripts returns the global scripts in name (byte) order, without
// their content.
func (s *Store) GlobalScripts(ctx context.Context) ([]SieveScript, error) {
	var list []SieveScript
	err := s.view(func(r kv.Reader) error {
		list = list[:0]
		prefix := sieveGlobalPrefix()
		return r.Scan(prefix, nil, false, func(k, v []byte) (bool, error) {
			sc, err := decodeSieveScript(string(k[len(prefix):]), v)
			if err != nil {
				return false, err
			}
			sc.Content = nil
			list = append(list, *sc)
			return true, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list global scripts: %w", err)
	}
	return list, nil
}

// DeleteGlobalScript removes the global script name, or returns
// ErrNotFound. Scripts that include it then fail when the include runs
// (unless :optional), and delivery keeps their messages in INBOX.
func (s *Store) DeleteGlobalScript(ctx context.Context, name string) error {
	err := s.writeFreeing(ctx, "delete global script", func(tx *wtx) error {
		if _, err := getRecord(tx, sieveGlobalKey(name), ErrNotFound); err != nil {
			return err
		}
		return tx.Delete(sieveGlobalKey(name))
	})
	if err != nil {
		return fmt.Errorf("delete global script %q: %w", name, err)
	}
	return nil
}
