package main

import (
	"fmt"
	"os"
	"path/filepath"

	"zest/storage"
)

// restore loads a backup downloaded from the web page's status page into
// the configured data directory's store, which must not exist yet or be
// empty: a restore never mixes into a store in use.
func restore(cfg Config, file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	dir := filepath.Join(cfg.Data, "db")
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	if err := storage.Restore(dir, f, storage.Options{}); err != nil {
		return "", fmt.Errorf("%w (move the old data directory away, or set another data directory in the configuration)", err)
	}
	return fmt.Sprintf("restored %s into %s; start the server with `zest serve`\n", file, cfg.Data), nil
}
