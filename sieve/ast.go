package sieve

// The syntax tree is what the parser produces and the validator checks; the
// interpreter never sees it, it runs the compiled form (compile.go).

// Command is one command: identifier, arguments, optional tests and block.
type Command struct {
	Pos      Pos
	Name     string // lower case
	Args     []Arg
	Tests    []*Test // a single test or the members of a test list
	TestList bool    // the tests were written as "(...)"
	Block    []*Command
	HasBlock bool // the command ended with a block rather than ";"
}

// Test is one test; allof, anyof and not carry their operands in Tests.
type Test struct {
	Pos      Pos
	Name     string // lower case
	Args     []Arg
	Tests    []*Test
	TestList bool
}

// ArgKind tells which of Arg's fields holds the value.
type ArgKind int

const (
	ArgTag ArgKind = iota
	ArgNumber
	ArgString     // a single string, not in brackets
	ArgStringList // a bracketed list, possibly of one
)

// Arg is one argument of a command or test.
type Arg struct {
	Pos     Pos
	Kind    ArgKind
	Tag     string   // ArgTag: name without ":" in lower case
	Number  uint64   // ArgNumber: K/M/G already applied
	Strings []string // ArgString (one element) and ArgStringList
	StrPos  []Pos    // position of each string, for error messages
}

func (a Arg) isStrings() bool { return a.Kind == ArgString || a.Kind == ArgStringList }

func (k ArgKind) String() string {
	switch k {
	case ArgTag:
		return "tag"
	case ArgNumber:
		return "number"
	case ArgString:
		return "string"
	}
	return "string list"
}
