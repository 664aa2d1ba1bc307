package hostsim

// The syntax tree of the PowerShell subset the simulated host understands. Statements and
// expressions are separate interfaces so the parser cannot mix them up.

type stmt interface{ stmtNode() }

type expr interface{ exprNode() }

// pipelineStmt is a pipeline: an optional leading expression, then commands.
type pipelineStmt struct {
	elems []pipeElem
}

// pipeElem is one element of a pipeline: a command or (first only) an expression.
type pipeElem struct {
	cmd  *psCommand
	expr expr
}

// psCommand is a cmdlet or native command call with its arguments.
type psCommand struct {
	name     string // "" when the name is computed (the & operator)
	nameExpr expr
	args     []cmdArg
}

// cmdArg is a named parameter (-Name value, -Name:value, -Switch) or a positional argument.
type cmdArg struct {
	param    string // lower case, without the dash; "" for a positional argument
	value    expr   // nil for a switch given without a value
	hasColon bool
}

type assignStmt struct {
	target expr // *varRef or *memberExpr
	value  *pipelineStmt
}

type ifStmt struct {
	conds  []*pipelineStmt
	bodies [][]stmt
	orElse []stmt
}

type foreachStmt struct {
	name string
	coll *pipelineStmt
	body []stmt
}

type tryStmt struct {
	body, catchBody, finallyBody []stmt
	hasCatch                     bool
}

type whileStmt struct {
	cond *pipelineStmt
	body []stmt
}

type exitStmt struct{ value expr }

type throwStmt struct{ value expr }

type returnStmt struct{ value *pipelineStmt }

func (*pipelineStmt) stmtNode() {}
func (*assignStmt) stmtNode()   {}
func (*ifStmt) stmtNode()       {}
func (*foreachStmt) stmtNode()  {}
func (*tryStmt) stmtNode()      {}
func (*whileStmt) stmtNode()    {}
func (*exitStmt) stmtNode()     {}
func (*throwStmt) stmtNode()    {}
func (*returnStmt) stmtNode()   {}

type literal struct{ v any }

// expandString is a double-quoted string: text parts and the expressions between them.
type expandString struct{ parts []expr }

type varRef struct{ name string } // lower case; "env:name" for environment variables

type subExpr struct {
	stmts []stmt
	array bool // @( ) always yields an array
}

// parenExpr is ( pipeline ), or ( $x = value ), an assignment that also yields the value.
type parenExpr struct {
	p      *pipelineStmt
	assign *assignStmt
}

type hashExpr struct {
	keys []string
	vals []*pipelineStmt
}

type typeLit struct{ name string } // lower case, without a "system." prefix

type castExpr struct {
	typ string
	x   expr
}

type staticExpr struct {
	typ, name string
	args      []expr
	call      bool
}

type memberExpr struct {
	x    expr
	name string
	args []expr
	call bool
}

type indexExpr struct{ x, idx expr }

type unaryExpr struct {
	op string
	x  expr
}

type binaryExpr struct {
	op   string
	l, r expr
}

type arrayLit struct{ elems []expr }

type scriptBlock struct{ stmts []stmt }

func (*literal) exprNode()      {}
func (*expandString) exprNode() {}
func (*varRef) exprNode()       {}
func (*subExpr) exprNode()      {}
func (*parenExpr) exprNode()    {}
func (*hashExpr) exprNode()     {}
func (*typeLit) exprNode()      {}
func (*castExpr) exprNode()     {}
func (*staticExpr) exprNode()   {}
func (*memberExpr) exprNode()   {}
func (*indexExpr) exprNode()    {}
func (*unaryExpr) exprNode()    {}
func (*binaryExpr) exprNode()   {}
func (*arrayLit) exprNode()     {}
func (*scriptBlock) exprNode()  {}
