package sieve

import (
	"context"
	"errors"
	"time"

	"zest/storage"
)

// StoreSource returns the ScriptSource of account a in st: include and
// include :personal read a's own scripts, include :global the store's
// global scripts (RFC 6609 §3.2). ctx bounds the reads of one Compile.
func StoreSource(ctx context.Context, st *storage.Store, a storage.AccountID) ScriptSource {
	return newStoreSource(ctx, st, a)
}

func newStoreSource(ctx context.Context, st *storage.Store, a storage.AccountID) *storeSource {
	return &storeSource{ctx: ctx, st: st, a: a}
}

// storeSource remembers the version of every script it was asked for, so
// that a compiled script can be checked against them later.
type storeSource struct {
	ctx  context.Context
	st   *storage.Store
	a    storage.AccountID
	read []includeVersion
	// globalOnly: the administrator's script, which has no personal
	// scripts to include.
	globalOnly bool
	// failed: a read failed for another reason than absence, so the
	// compile's answer says nothing about the scripts.
	failed bool
}

// includeVersion is an included script as one compile saw it: absent, or
// present with its last change.
type includeVersion struct {
	IncludedScript
	updated time.Time
}

func (s *storeSource) get(global bool, name string) (*storage.SieveScript, error) {
	if global {
		return s.st.GlobalScript(s.ctx, name)
	}
	if s.globalOnly {
		return nil, storage.ErrNotFound
	}
	return s.st.GetScript(s.ctx, s.a, name)
}

func (s *storeSource) Script(global bool, name string) ([]byte, error) {
	v := includeVersion{IncludedScript: IncludedScript{Global: global, Name: name}}
	sc, err := s.get(global, name)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		s.read = append(s.read, v)
		return nil, ErrNoScript
	case err != nil:
		s.failed = true
		return nil, err
	}
	v.Found, v.updated = true, sc.Updated
	s.read = append(s.read, v)
	return sc.Content, nil
}

// current reports whether every script in read is still as it was: none
// appeared, changed or disappeared.
func (s *storeSource) current(read []includeVersion) (bool, error) {
	for _, v := range read {
		sc, err := s.get(v.Global, v.Name)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			if v.Found {
				return false, nil
			}
		case err != nil:
			return false, err
		case !v.Found || !sc.Updated.Equal(v.updated):
			return false, nil
		}
	}
	return true, nil
}
