package harness

import (
	"fmt"
	"io"
	"strings"
)

// Column is one column of a Table.
type Column struct {
	Head  string
	Width int  // minimum width; cells are padded to it
	Left  bool // left-aligned (default right-aligned, for numbers)
	Gap   int  // spaces before the column; ignored for the first
}

// Table prints fixed-width rows as they come, so that a long benchmark
// shows each result as soon as it has it.
type Table struct {
	w    io.Writer
	cols []Column
}

// NewTable returns a table writing to w.
func NewTable(w io.Writer, cols ...Column) *Table { return &Table{w: w, cols: cols} }

// Header prints the column heads.
func (t *Table) Header() {
	heads := make([]string, len(t.cols))
	for i, c := range t.cols {
		heads[i] = c.Head
	}
	t.Row(heads...)
}

// Row prints one row. With fewer cells than columns the rest stay empty;
// cells beyond the last column follow it after a space. Trailing spaces are
// trimmed.
func (t *Table) Row(cells ...string) {
	var b strings.Builder
	for i, cell := range cells {
		if i >= len(t.cols) {
			b.WriteString(" " + cell)
			continue
		}
		c := t.cols[i]
		if i > 0 {
			b.WriteString(strings.Repeat(" ", c.Gap))
		}
		if c.Left {
			fmt.Fprintf(&b, "%-*s", c.Width, cell)
		} else {
			fmt.Fprintf(&b, "%*s", c.Width, cell)
		}
	}
	fmt.Fprintln(t.w, strings.TrimRight(b.String(), " "))
}
