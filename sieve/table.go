package sieve

// The command and test tables. The base language and every extension are
// an extension value (ext_*.go) that adds rows; Compile builds the tables a
// script sees from the base plus what the script requires, so a command of
// an extension that was not required is unknown (SV-02).

// argType is the type of a positional argument or of a tag's argument.
type argType int

const (
	argNone    argType = iota
	argString          // one string; a bracketed list is refused
	argStrings         // a string list; a single string is a list of one
	argNumber
)

func (t argType) String() string {
	switch t {
	case argString:
		return "a string"
	case argStrings:
		return "a string list"
	case argNumber:
		return "a number"
	}
	return "nothing"
}

// Tag groups: tags of one group exclude each other (SV-05).
const (
	groupMatch       = "match type"
	groupComparator  = "comparator"
	groupAddressPart = "address part"
)

type tagSpec struct {
	name  string // without ":"
	group string // "" if the tag combines with any other
	arg   argType
}

// testArity says what follows a command's or test's arguments.
type testArity int

const (
	noTests  testArity = iota
	oneTest            // a single test, not in brackets (if, elsif, not)
	testList           // a bracketed test list (allof, anyof)
)

// spec is one row of the command or test table.
type spec struct {
	name    string
	test    bool
	tags    []tagSpec
	args    []argType // positional arguments
	minArgs int       // if > 0, the leading args beyond minArgs may be left out
	tests   testArity
	block   bool // a command that must end with a block (if, elsif, else)

	buildCmd  func(c *compiler, a *call) cmdFunc
	buildTest func(c *compiler, a *call) testFunc
}

// extraTags adds tags to commands or tests of other extensions: to those
// named, and to every row that already takes a tag of group toGroup.
type extraTags struct {
	to      []string
	toGroup string
	tags    []tagSpec
}

// extension is a capability and the rows it contributes.
type extension struct {
	name        string // capability for require; "" for the base language
	specs       []*spec
	tags        []extraTags
	comparators []*comparator
	// implied capabilities the engine accepts in require without rows,
	// such as the always-present comparators.
	aliases []string
	// setup runs when a script requires the extension, before any command
	// is compiled; variables uses it to set compiler.expand.
	setup func(c *compiler)
}

// extensions lists everything the engine implements; the base first.
func extensions() []*extension {
	return []*extension{
		&extBase, &extFileinto, &extEnvelope, &extEncodedCharacter, &extAsciiNumeric, &extUnicodeCasemap,
		&extCopy, &extReject, &extEreject, &extImap4flags, &extSubaddress, &extRelational, &extVariables,
		&extVacation, &extVacationSeconds, &extMailbox, &extBody, &extDuplicate, &extEnvironment, &extDate, &extIndex,
		&extInclude,
		&extEnotify, // after variables: its setup looks at c.vars
	}
}

// matchTags are the tags of every test that compares strings.
var matchTags = []tagSpec{
	{name: "is", group: groupMatch},
	{name: "contains", group: groupMatch},
	{name: "matches", group: groupMatch},
	{name: "comparator", group: groupComparator, arg: argString},
}

var addressPartTags = []tagSpec{
	{name: "all", group: groupAddressPart},
	{name: "localpart", group: groupAddressPart},
	{name: "domain", group: groupAddressPart},
}
