package sieve

import (
	"strconv"
	"strings"
)

// format prints a syntax tree back as a script in one canonical layout:
// every string quoted, names in lower case, one command per line. Parsing
// the output gives the same tree (checked by FuzzParse).
func format(cmds []*Command) string {
	var b strings.Builder
	formatBlock(&b, cmds, 0)
	return b.String()
}

func formatBlock(b *strings.Builder, cmds []*Command, depth int) {
	for _, c := range cmds {
		b.WriteString(strings.Repeat("\t", depth))
		b.WriteString(c.Name)
		formatArgs(b, c.Args, c.Tests, c.TestList)
		if !c.HasBlock {
			b.WriteString(";\n")
			continue
		}
		b.WriteString(" {\n")
		formatBlock(b, c.Block, depth+1)
		b.WriteString(strings.Repeat("\t", depth))
		b.WriteString("}\n")
	}
}

func formatArgs(b *strings.Builder, args []Arg, tests []*Test, list bool) {
	for _, a := range args {
		b.WriteByte(' ')
		switch a.Kind {
		case ArgTag:
			b.WriteString(":" + a.Tag)
		case ArgNumber:
			b.WriteString(strconv.FormatUint(a.Number, 10))
		case ArgString:
			b.WriteString(quoteSieve(a.Strings[0]))
		case ArgStringList:
			b.WriteByte('[')
			for i, s := range a.Strings {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(quoteSieve(s))
			}
			b.WriteByte(']')
		}
	}
	if list {
		b.WriteString(" (")
	}
	for i, t := range tests {
		if i > 0 {
			b.WriteString(", ")
		} else if !list {
			b.WriteByte(' ')
		}
		b.WriteString(t.Name)
		formatArgs(b, t.Args, t.Tests, t.TestList)
	}
	if list {
		b.WriteString(")")
	}
}

// quoteSieve writes s as a Sieve quoted string: only backslash and double
// quote are escaped (RFC 5228 §2.4.2).
func quoteSieve(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
